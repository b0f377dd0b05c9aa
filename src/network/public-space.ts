import type { IpVersion } from './cidr.js';
import { type RouteEntry, routePieces, spanOf } from './route-decision.js';

/**
 * The addresses a service may have when its prefix list is unknown (every public address), and
 * how broad a route must be to be about no single service.
 */

/**
 * A route no broader than this may outrank an entry of a service's prefix list; broader routes
 * never can, since no AWS service range is that wide (the largest AWS allocations are /10s).
 */
const MIN_SERVICE_PREFIX: Record<IpVersion, number> = { 4: 8, 6: 16 };

/** IPv4 ranges that are never a public service address (RFC 6890 special-purpose blocks). */
const NON_PUBLIC_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/3',
];

interface Range {
  first: bigint;
  last: bigint;
  known: boolean;
  /** Traffic to these addresses can match the Gateway endpoint's route (not NAT64 addresses). */
  endpointCarries: boolean;
}

const rangeOfCidr = (text: string): { first: bigint; last: bigint; prefix: number } | undefined =>
  spanOf(text);

/** Public IPv4 space as ranges: everything between the special-purpose blocks. */
const publicV4 = (): Range[] => {
  const blocks = NON_PUBLIC_V4.flatMap((text) => rangeOfCidr(text) ?? []).sort((a, b) =>
    a.first < b.first ? -1 : 1,
  );
  const ranges: Range[] = [];
  let next = 0n;
  for (const block of blocks) {
    if (block.first > next) {
      ranges.push({ first: next, last: block.first - 1n, known: false, endpointCarries: true });
    }
    if (block.last + 1n > next) next = block.last + 1n;
  }
  const end = (1n << 32n) - 1n;
  if (next <= end) ranges.push({ first: next, last: end, known: false, endpointCarries: true });
  return ranges;
};

const unicastV6 = rangeOfCidr('2000::/3');
const PUBLIC_SPACE: Record<IpVersion, readonly Range[]> = {
  4: publicV4(),
  6: unicastV6 ? [{ ...unicastV6, known: false, endpointCarries: true }] : [],
};

const publicSpace = (version: IpVersion): readonly Range[] => PUBLIC_SPACE[version];

/**
 * The route pieces of several ranges. Public space is a dozen ranges between the special-purpose
 * blocks: one pass over their span, keeping the pieces that touch a range, costs far less than a
 * pass per range (the span's boundaries are the routes', not the ranges').
 */
const piecesOf = (entries: readonly RouteEntry[], ranges: readonly Range[]) => {
  const [first] = ranges;
  const last = ranges.at(-1);
  if (!first || !last) return [];
  return routePieces(entries, first.first, last.last).filter((piece) =>
    ranges.some((range) => piece.first <= range.last && piece.last >= range.first),
  );
};

export type { Range };
export { MIN_SERVICE_PREFIX, piecesOf, publicSpace, rangeOfCidr };

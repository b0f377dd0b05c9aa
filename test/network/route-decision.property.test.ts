import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Route, RouteOrigin, RouteTargetKind } from '../../src/model/resources.js';
import { parseCidr } from '../../src/network/cidr.js';
import { expandRoutes, routePieces } from '../../src/network/route-decision.js';

/**
 * The route decision against a brute-force longest-prefix match written straight from AWS's
 * documentation: for one address, every active route (and every entry of a prefix-list route) that
 * contains it; the longest prefix wins; at equal length static before prefix-list before
 * propagated; a tie AWS leaves open goes to a target that is not a VPC endpoint.
 */

const BITS = { 4: 32, 6: 128 } as const;

const toText = (version: 4 | 6, value: bigint, prefix: number): string => {
  if (version === 4) {
    const octets = [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 255n));
    return `${octets.join('.')}/${prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  return `${groups.join(':')}/${prefix}`;
};

/** Addresses drawn near a few anchors so that random routes overlap often. */
const addressIn = (version: 4 | 6) => {
  const bits = BITS[version];
  const anchors =
    version === 4
      ? [0x34d80000n, 0x0a000000n, 0x80000000n]
      : [0x2600_1f00n << 96n, 0x0064_ff9bn << 96n, 0x2a05_d000n << 96n];
  return fc
    .tuple(fc.constantFrom(...anchors), fc.bigInt({ min: 0n, max: (1n << BigInt(bits - 8)) - 1n }))
    .map(([anchor, offset]) => (anchor + offset) & ((1n << BigInt(bits)) - 1n));
};

const cidrIn = (version: 4 | 6) =>
  fc
    .tuple(addressIn(version), fc.integer({ min: 0, max: BITS[version] }))
    .map(([address, prefix]) => {
      const host = BigInt(BITS[version] - prefix);
      return toText(version, (address >> host) << host, prefix);
    });

const TARGETS: [RouteTargetKind, string][] = [
  ['nat-gateway', 'nat-1'],
  ['nat-gateway', 'nat-2'],
  ['internet-gateway', 'igw-1'],
  ['vpc-endpoint', 'vpce-s3'],
  ['vpc-endpoint', 'vpce-gwlb'],
  ['transit-gateway', 'tgw-1'],
  ['virtual-private-gateway', 'vgw-1'],
];

interface Scenario {
  routes: Route[];
  lists: Map<string, string[]>;
}

const scenario = (version: 4 | 6): fc.Arbitrary<Scenario> =>
  fc
    .record({
      cidrRoutes: fc.array(
        fc.record({
          cidr: cidrIn(version),
          target: fc.constantFrom(...TARGETS),
          origin: fc.constantFrom<RouteOrigin>('CreateRoute', 'EnableVgwRoutePropagation'),
          blackhole: fc.boolean(),
        }),
        { maxLength: 12 },
      ),
      listRoutes: fc.array(
        fc.record({
          entries: fc.array(cidrIn(version), { minLength: 1, maxLength: 4 }),
          target: fc.constantFrom(...TARGETS),
          blackhole: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
    })
    .map(({ cidrRoutes, listRoutes }) => {
      const lists = new Map<string, string[]>();
      const routes: Route[] = cidrRoutes.map(({ cidr, target, origin, blackhole }) => ({
        ...(version === 4 ? { destinationCidr: cidr } : { destinationIpv6Cidr: cidr }),
        target: { kind: target[0], id: target[1] },
        state: blackhole ? 'blackhole' : 'active',
        origin,
      }));
      listRoutes.forEach(({ entries, target, blackhole }, index) => {
        const id = `pl-${index}`;
        lists.set(id, entries);
        routes.push({
          destinationPrefixListId: id,
          target: { kind: target[0], id: target[1] },
          state: blackhole ? 'blackhole' : 'active',
          origin: 'CreateRoute',
        });
      });
      return { routes, lists };
    });

const RANK = { static: 0, 'prefix-list': 1, propagated: 2 };

/** The documented decision for one address, by brute force over every route. */
const bruteForce = (
  version: 4 | 6,
  { routes, lists }: Scenario,
  address: bigint,
): { route: Route; prefix: number } | undefined => {
  const candidates: { route: Route; prefix: number; rank: number }[] = [];
  for (const route of routes) {
    if (route.state !== 'active') continue;
    const destinations = route.destinationPrefixListId
      ? (lists.get(route.destinationPrefixListId) ?? [])
      : [version === 4 ? route.destinationCidr : route.destinationIpv6Cidr];
    const rank = route.destinationPrefixListId
      ? RANK['prefix-list']
      : route.origin === 'EnableVgwRoutePropagation'
        ? RANK.propagated
        : RANK.static;
    for (const text of destinations) {
      const cidr = text ? parseCidr(text) : undefined;
      if (!cidr || cidr.version !== version) continue;
      const host = BigInt(BITS[version] - cidr.prefix);
      if (address >> host === cidr.network >> host) {
        candidates.push({ route, prefix: cidr.prefix, rank });
      }
    }
  }
  candidates.sort(
    (a, b) =>
      b.prefix - a.prefix ||
      a.rank - b.rank ||
      Number(a.route.target.kind === 'vpc-endpoint') -
        Number(b.route.target.kind === 'vpc-endpoint') ||
      (a.route.target.id < b.route.target.id ? -1 : a.route.target.id > b.route.target.id ? 1 : 0),
  );
  const best = candidates[0];
  return best && { route: best.route, prefix: best.prefix };
};

describe.each([4, 6] as const)('route decision, IPv%i', (version) => {
  it('matches a brute-force longest-prefix match with AWS route priority at every address', () => {
    fc.assert(
      fc.property(
        scenario(version),
        fc.array(addressIn(version), { minLength: 1, maxLength: 8 }),
        (s, addresses) => {
          // Act
          const { entries } = expandRoutes(s.routes, version, (id) => s.lists.get(id));

          // Assess
          for (const address of addresses) {
            const [piece] = routePieces(entries, address, address);
            const expected = bruteForce(version, s, address);
            expect(piece?.entry?.route).toBe(expected?.route);
            expect(piece?.entry?.prefix).toBe(expected?.prefix);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splits a range into pieces that each have one decision, start to end', () => {
    fc.assert(
      fc.property(scenario(version), cidrIn(version), (s, rangeText) => {
        // Prepare
        const range = parseCidr(rangeText);
        if (!range) return;
        const last = range.network + (1n << BigInt(BITS[version] - range.prefix)) - 1n;
        const { entries } = expandRoutes(s.routes, version, (id) => s.lists.get(id));

        // Act
        const pieces = routePieces(entries, range.network, last);

        // Assess: contiguous cover, and the decision at both ends of each piece is the piece's,
        // down to the entry (a prefix-list route decides with each entry's own length, which
        // callers weigh: one piece must not stand for two entries of one route).
        expect(pieces[0]?.first).toBe(range.network);
        expect(pieces.at(-1)?.last).toBe(last);
        for (const [index, piece] of pieces.entries()) {
          if (index > 0) expect(piece.first).toBe((pieces[index - 1]?.last ?? 0n) + 1n);
          for (const address of [piece.first, piece.last, (piece.first + piece.last) / 2n]) {
            const expected = bruteForce(version, s, address);
            expect(piece.entry?.route).toBe(expected?.route);
            expect(piece.entry?.prefix).toBe(expected?.prefix);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

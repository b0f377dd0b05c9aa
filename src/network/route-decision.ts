import type { Route } from '../model/resources.js';
import { type IpVersion, parseCidr } from './cidr.js';
import { memoize } from './memo.js';

/**
 * The VPC router's choice among a table's routes, as AWS documents it ("How route priority works"):
 * the longest prefix wins; at equal length static routes win over prefix-list routes, which win
 * over propagated ones. IPv4 and IPv6 are decided independently. A prefix-list route behaves as one
 * route per entry of the list, each with the entry's own length.
 *
 * Blackhole routes take no part: whether the router drops or falls through to the next-longest
 * route is not documented, and assuming it falls through never hides a path out of the VPC.
 */

type RouteClass = 'static' | 'prefix-list' | 'propagated';

const CLASS_RANK: Record<RouteClass, number> = { static: 0, 'prefix-list': 1, propagated: 2 };

/** One destination of one route: a CIDR route, or one entry of a prefix-list route. */
interface RouteEntry {
  route: Route;
  /** The CIDR this entry matches (for a prefix-list route, the list entry). */
  cidr: string;
  prefix: number;
  routeClass: RouteClass;
  first: bigint;
  last: bigint;
}

/**
 * A stretch of addresses that one entry of one route decides (or none: no route, traffic is
 * dropped). Two entries of one prefix-list route make two pieces: each competes at its own length.
 */
interface RoutePiece {
  first: bigint;
  last: bigint;
  entry?: RouteEntry | undefined;
  /**
   * Other routes at the same length and class with another target. AWS picks one of two
   * prefix-list routes with overlapping entries at random (and then sticks to it); the piece names
   * the conservative pick in `entry` and the others here.
   */
  alsoPossible: RouteEntry[];
}

/** The CIDRs of a prefix list by id; `undefined` when the source does not know them. */
type PrefixListLookup = (prefixListId: string) => readonly string[] | undefined;

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

const routeClassOf = (route: Route): RouteClass => {
  if (route.destinationPrefixListId) return 'prefix-list';
  return route.origin === 'EnableVgwRoutePropagation' ? 'propagated' : 'static';
};

interface Span {
  version: IpVersion;
  prefix: number;
  first: bigint;
  last: bigint;
}

// A sweep judges thousands of tables that repeat the same few destinations; BigInt parsing is
// the cost, so each text is parsed once (bounded: the oldest entry makes room past the limit).
const spanOfText = (text: string): Span | undefined => {
  const cidr = parseCidr(text);
  return cidr
    ? {
        version: cidr.version,
        prefix: cidr.prefix,
        first: cidr.network,
        last: cidr.network + (1n << BigInt(BITS[cidr.version] - cidr.prefix)) - 1n,
      }
    : undefined;
};

const spanOf: (text: string) => Span | undefined = memoize(50_000, spanOfText);

const entryOf = (
  route: Route,
  text: string,
  version: IpVersion,
  routeClass: RouteClass,
): RouteEntry | undefined => {
  const span = spanOf(text);
  if (!span || span.version !== version) return undefined;
  return { route, cidr: text, prefix: span.prefix, routeClass, first: span.first, last: span.last };
};

interface ExpandedRoutes {
  entries: RouteEntry[];
  /** Active prefix-list routes whose entries the source does not know. */
  unresolved: Route[];
}

/** The active routes of a family as entries; prefix-list routes expand to their entries. */
const expandRoutes = (
  routes: readonly Route[],
  version: IpVersion,
  prefixLists: PrefixListLookup,
): ExpandedRoutes => {
  const entries: RouteEntry[] = [];
  const unresolved: Route[] = [];
  for (const route of routes) {
    if (route.state !== 'active') continue;
    const routeClass = routeClassOf(route);
    if (route.destinationPrefixListId) {
      const cidrs = prefixLists(route.destinationPrefixListId);
      if (cidrs === undefined) {
        unresolved.push(route);
        continue;
      }
      for (const cidr of cidrs) {
        const entry = entryOf(route, cidr, version, routeClass);
        if (entry) entries.push(entry);
      }
      continue;
    }
    const destination = version === 4 ? route.destinationCidr : route.destinationIpv6Cidr;
    const entry = destination ? entryOf(route, destination, version, routeClass) : undefined;
    if (entry) entries.push(entry);
  }
  return { entries, unresolved };
};

/**
 * Orders entries so that the first one containing an address is the one AWS uses. Within a tie
 * AWS leaves open, a target that is not a VPC endpoint comes first: the verdict must hold whichever
 * way AWS chose.
 */
const byPriority = (a: RouteEntry, b: RouteEntry): number =>
  b.prefix - a.prefix ||
  CLASS_RANK[a.routeClass] - CLASS_RANK[b.routeClass] ||
  Number(a.route.target.kind === 'vpc-endpoint') - Number(b.route.target.kind === 'vpc-endpoint') ||
  (a.route.target.id < b.route.target.id ? -1 : a.route.target.id > b.route.target.id ? 1 : 0);

const contains = (entry: RouteEntry, address: bigint): boolean =>
  entry.first <= address && address <= entry.last;

const sameTarget = (a: RouteEntry, b: RouteEntry): boolean =>
  a.route.target.kind === b.route.target.kind && a.route.target.id === b.route.target.id;

/**
 * Splits `[first, last]` into the stretches that one route decides. Between two consecutive
 * boundaries of any entry the set of matching entries cannot change, so deciding each stretch at
 * its first address decides every address of it.
 */
const routePieces = (entries: readonly RouteEntry[], first: bigint, last: bigint): RoutePiece[] => {
  // Loops rather than filter/spread: this runs for every range of every path of every table.
  const ordered: RouteEntry[] = [];
  for (const entry of entries) if (entry.last >= first && entry.first <= last) ordered.push(entry);
  if (ordered.length > 1) ordered.sort(byPriority);
  const bounds = new Set<bigint>([first]);
  for (const entry of ordered) {
    if (entry.first > first) bounds.add(entry.first);
    if (entry.last < last) bounds.add(entry.last + 1n);
  }
  const starts = [...bounds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pieces: RoutePiece[] = [];
  for (let index = 0; index < starts.length; index++) {
    const start = starts[index] as bigint;
    const end = (index + 1 < starts.length ? (starts[index + 1] as bigint) : last + 1n) - 1n;
    // The first entry holding the start decides; later ones of its length, class and another
    // target are the alternatives AWS may pick.
    let entry: RouteEntry | undefined;
    const alsoPossible: RouteEntry[] = [];
    for (const other of ordered) {
      if (!contains(other, start)) continue;
      if (entry === undefined) entry = other;
      else if (
        other !== entry &&
        other.prefix === entry.prefix &&
        other.routeClass === entry.routeClass &&
        !sameTarget(other, entry)
      ) {
        alsoPossible.push(other);
      }
    }
    const previous = pieces.at(-1);
    // Merged only when the same entry decides both: a broad entry of a list must not stand for a
    // specific entry of the same list next to it, which may outrank a service range.
    if (
      previous &&
      previous.entry === entry &&
      previous.alsoPossible.length === 0 &&
      alsoPossible.length === 0
    ) {
      previous.last = end;
    } else {
      pieces.push({ first: start, last: end, entry, alsoPossible });
    }
  }
  return pieces;
};

/** The entry the router uses for one address (the first piece of a one-address range). */
const routeForAddress = (entries: readonly RouteEntry[], address: bigint): RouteEntry | undefined =>
  routePieces(entries, address, address)[0]?.entry;

export type { ExpandedRoutes, PrefixListLookup, RouteClass, RouteEntry, RoutePiece };
export {
  BITS,
  byPriority,
  CLASS_RANK,
  expandRoutes,
  routeClassOf,
  routeForAddress,
  routePieces,
  spanOf,
};

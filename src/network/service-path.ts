import type { PrefixList, Route, RouteTable, VpcEndpoint } from '../model/resources.js';
import { type IpVersion, parseCidr } from './cidr.js';
import { isAvailableEndpoint } from './gateway-endpoints.js';
import { type Hop, type HopContext, hopOf, NAT64_PREFIX } from './hops.js';
import { distinctLegs } from './leg-merge.js';
import {
  MIN_SERVICE_PREFIX,
  piecesOf,
  publicSpace,
  type Range,
  rangeOfCidr,
} from './public-space.js';
import {
  expandRoutes,
  type PrefixListLookup,
  type RouteEntry,
  type RoutePiece,
  routePieces,
} from './route-decision.js';
import { matchesService, parseServiceName } from './service-name.js';

/**
 * Where one table sends one service's traffic of one address family. The service's addresses are
 * the entries of its AWS-managed prefix list (`com.amazonaws.<region>.<service>`) when the source
 * knows them; otherwise every public address is a candidate, and a specific public route that could
 * outrank the endpoint's prefix-list route can only be reported as unverified.
 */

/** Outcome of one stretch of the service's addresses. */
type LegKind =
  | 'endpoint'
  | 'egress'
  | 'internet'
  /** No route (or only blackholes): the traffic is dropped. */
  | 'dropped'
  | 'local'
  /** A route that might carry part of the service; its addresses are not known. */
  | 'unverified';

interface Leg {
  kind: LegKind;
  route?: Route | undefined;
  hop?: Hop | undefined;
  /** The route's destination as written (CIDR or prefix list id). */
  destination: string;
  /** Routes AWS may use instead (same length and class, AWS picks one). */
  alsoPossible: string[];
  /**
   * How the leg's route beats the endpoint's prefix-list route for these addresses: `outranks`
   * (longer, or static at equal length) or `ties` (AWS picks one of them). Undefined where the
   * endpoint's route does not cover them (a default route for addresses outside its list).
   */
  versusEndpoint?: 'outranks' | 'ties' | undefined;
  /** The addresses are NAT64-synthesised (`64:ff9b::/96`): no endpoint route can match them. */
  nat64?: boolean | undefined;
}

interface ServicePath {
  service: string;
  version: IpVersion;
  /** The service's addresses came from its prefix list. */
  addressesKnown: boolean;
  legs: Leg[];
  /** The usable Gateway endpoint of the service for this family, if any. */
  endpoint?: VpcEndpoint | undefined;
  /** An Interface endpoint accepted in place of a Gateway endpoint. */
  interfaceEndpoint?: VpcEndpoint | undefined;
}

type PathOutcome = 'endpoint' | 'egress' | 'unverified' | 'none';

interface ServicePathInput {
  table: RouteTable;
  service: string;
  version: IpVersion;
  region?: string | undefined;
  endpoints: readonly VpcEndpoint[];
  natGateways: HopContext['natGateways'];
  prefixLists: readonly PrefixList[];
  /** The served subnets resolve IPv4-only names to `64:ff9b::/96` (DNS64). */
  nat64: boolean;
  acceptInterfaceEndpoints: boolean;
}

const carriesFamily = (endpoint: VpcEndpoint, version: IpVersion): boolean => {
  const type = endpoint.ipAddressType ?? 'ipv4';
  return version === 4 ? type !== 'ipv6' : type !== 'ipv4';
};

/**
 * Whether clients in the VPC reach an Interface endpoint by the service's usual names: its private
 * DNS is on, answers the VPC itself (not only inbound Resolver endpoints, as S3 does by default next
 * to a Gateway endpoint), and is for this region's service (a cross-region endpoint answers the
 * other region's names). The inbound-Resolver option must be recorded as off: EC2 reports it for
 * every private-DNS endpoint of a service with Gateway endpoints (the only services asked here),
 * so an item without it cannot show that the VPC's own lookups reach the endpoint.
 */
const resolvesInVpc = (endpoint: VpcEndpoint, region: string | undefined): boolean => {
  const parsed = parseServiceName(endpoint.serviceName);
  const serviceRegion = parsed.origin === 'aws' ? parsed.region : undefined;
  return (
    endpoint.privateDnsEnabled &&
    endpoint.privateDnsOnlyForInboundResolverEndpoint === false &&
    (region === undefined || serviceRegion === undefined || serviceRegion === region)
  );
};

/** The AWS-managed lists named after the service in this region (`com.amazonaws.<region>.s3`). */
const servicePrefixLists = (
  prefixLists: readonly PrefixList[],
  service: string,
  region: string | undefined,
): PrefixList[] =>
  prefixLists.filter((list) => {
    if (!list.name) return false;
    const parsed = parseServiceName(list.name);
    // IPv6 lists are named `com.amazonaws.<region>.ipv6.<service>`.
    const base = parsed.origin === 'aws' ? parsed.service.replace(/^ipv6\./, '') : '';
    return (
      parsed.origin === 'aws' &&
      (matchesService(list.name, service) || base === service.trim().toLowerCase()) &&
      (region === undefined || parsed.region === region)
    );
  });

const cidrsOfFamily = (list: PrefixList, version: IpVersion): string[] =>
  list.cidrs.filter((cidr) => parseCidr(cidr)?.version === version);

/** Whether a list may hold entries of the family (its declared family, or any entry). */
const listCovers = (list: PrefixList, version: IpVersion): boolean =>
  list.addressFamily
    ? list.addressFamily === (version === 4 ? 'IPv4' : 'IPv6')
    : cidrsOfFamily(list, version).length > 0;

/**
 * A prefix list's entries of one family by id; `undefined` when the source does not know the list.
 * A list holds one family: for the other one it is known to hold nothing.
 */
const prefixListLookup =
  (prefixLists: readonly PrefixList[], version: IpVersion): PrefixListLookup =>
  (id) => {
    const list = prefixLists.find((candidate) => candidate.id === id);
    return list && (listCovers(list, version) ? cidrsOfFamily(list, version) : []);
  };

/** Maps an IPv4 CIDR into the NAT64 prefix (`64:ff9b::a.b.c.d/96+n`). */
const nat64Range = (v4: string): Range | undefined => {
  const inner = rangeOfCidr(v4);
  const outer = rangeOfCidr(NAT64_PREFIX);
  if (!inner || !outer || parseCidr(v4)?.version !== 4) return undefined;
  return {
    first: outer.first + inner.first,
    last: outer.first + inner.last,
    known: true,
    endpointCarries: false,
  };
};

const legOf = (
  kind: LegKind,
  entry: RouteEntry | undefined,
  context: HopContext,
  alsoPossible: readonly RouteEntry[] = [],
  /** `hopOf(entry.route, context)` when the caller has it already. */
  hop: Hop | undefined = entry ? hopOf(entry.route, context) : undefined,
): Leg => ({
  kind,
  route: entry?.route,
  hop,
  destination: entry
    ? (entry.route.destinationPrefixListId ??
      entry.route.destinationCidr ??
      entry.route.destinationIpv6Cidr ??
      entry.cidr)
    : '',
  alsoPossible: alsoPossible.map(
    (other) => `${other.route.destinationPrefixListId ?? other.cidr} → ${other.route.target.id}`,
  ),
});

/**
 * The routes as the router sees them for this service: routes to Gateway endpoints that are not
 * `available` or do not carry the family carry nothing; an endpoint that lists the table but whose
 * route the source left out still counts (sources disagree on which of the two they record).
 */
const effectiveRoutes = (
  table: RouteTable,
  version: IpVersion,
  endpoint: VpcEndpoint | undefined,
  serviceListId: string | undefined,
  gateways: readonly VpcEndpoint[],
  lookup: PrefixListLookup,
): Route[] => {
  const routes = table.routes.filter((route) => {
    if (route.target.kind !== 'vpc-endpoint') return true;
    const gateway = gateways.find((candidate) => candidate.id === route.target.id);
    return !gateway || (isAvailableEndpoint(gateway) && carriesFamily(gateway, version));
  });
  // A dual-stack endpoint whose recorded route names only the other family's list still carries
  // this family: AWS routes the service for every family the endpoint has.
  const toEndpoint = routes.filter((route) => route.target.id === endpoint?.id);
  const carriesHere = toEndpoint.some((route) => {
    const cidrs = route.destinationPrefixListId ? lookup(route.destinationPrefixListId) : [];
    return cidrs === undefined || cidrs.length > 0;
  });
  if (endpoint && !carriesHere) {
    routes.push({
      destinationPrefixListId: serviceListId ?? `prefix list of ${endpoint.serviceName}`,
      target: { kind: 'vpc-endpoint', id: endpoint.id },
      state: 'active',
      origin: 'CreateRoute',
    });
  }
  return routes;
};

/**
 * The route a piece counts with. AWS picks one of two prefix-list routes with overlapping entries
 * at random (and then sticks to it), so where the endpoint's route ties with one that leaves the
 * VPC, the verdict takes the one that leaves. The route decision already puts non-endpoint targets
 * first; a Gateway Load Balancer endpoint is a `vpce-` target as well, so its tie is settled here,
 * where the endpoints are known, not by which id sorts first.
 */
const conservativePick = (
  piece: RoutePiece,
  endpoint: VpcEndpoint | undefined,
  context: HopContext,
): { entry?: RouteEntry | undefined; alsoPossible: RouteEntry[] } => {
  const { entry } = piece;
  if (!entry || endpoint === undefined || entry.route.target.id !== endpoint.id) return piece;
  const leaving = piece.alsoPossible.find((other) => {
    const hop = hopOf(other.route, context);
    return hop.hopClass !== 'gateway-endpoint' && hop.hopClass !== 'local';
  });
  if (!leaving) return piece;
  return {
    entry: leaving,
    alsoPossible: [entry, ...piece.alsoPossible.filter((other) => other !== leaving)],
  };
};

/** Decides the path of one service and family through one table. */
const servicePath = (input: ServicePathInput): ServicePath => {
  const { table, service, version, region, endpoints, prefixLists } = input;
  const context: HopContext = { endpoints, natGateways: input.natGateways };
  const ofService = endpoints.filter(
    (endpoint) => endpoint.vpcId === table.vpcId && matchesService(endpoint.serviceName, service),
  );
  const gateways = endpoints.filter((endpoint) => endpoint.endpointType === 'Gateway');
  const usable = ofService.filter(
    (endpoint) =>
      endpoint.endpointType === 'Gateway' &&
      isAvailableEndpoint(endpoint) &&
      carriesFamily(endpoint, version),
  );
  const endpoint =
    usable.find((candidate) => candidate.routeTableIds.includes(table.id)) ??
    usable.find((candidate) =>
      table.routes.some((route) => route.state === 'active' && route.target.id === candidate.id),
    );
  const interfaceEndpoint = input.acceptInterfaceEndpoints
    ? ofService.find(
        (candidate) =>
          candidate.endpointType === 'Interface' &&
          isAvailableEndpoint(candidate) &&
          resolvesInVpc(candidate, region) &&
          carriesFamily(candidate, version),
      )
    : undefined;

  const lists = servicePrefixLists(prefixLists, service, region);
  const serviceList = lists.find((list) => listCovers(list, version)) ?? lists[0];
  const serviceCidrs =
    serviceList && listCovers(serviceList, version)
      ? cidrsOfFamily(serviceList, version)
      : undefined;
  const v4List = lists.find((list) => listCovers(list, 4));
  const lookup = prefixListLookup(prefixLists, version);

  const serviceListId =
    serviceList && listCovers(serviceList, version) ? serviceList.id : undefined;
  const routes = effectiveRoutes(table, version, endpoint, serviceListId, gateways, lookup);
  const { entries, unresolved } = expandRoutes(routes, version, lookup);

  const ranges: Range[] = [];
  const addressesKnown = serviceCidrs !== undefined && serviceCidrs.length > 0;
  if (addressesKnown) {
    for (const cidr of serviceCidrs) {
      const range = rangeOfCidr(cidr);
      if (range) ranges.push({ ...range, known: true, endpointCarries: true });
    }
  } else {
    ranges.push(...publicSpace(version));
  }
  if (version === 6 && input.nat64) {
    const v4 = v4List ? cidrsOfFamily(v4List, 4) : [];
    const mapped = v4.flatMap((cidr) => nat64Range(cidr) ?? []);
    const whole = rangeOfCidr(NAT64_PREFIX);
    if (mapped.length > 0) ranges.push(...mapped);
    else if (whole) ranges.push({ ...whole, known: false, endpointCarries: false });
  }

  // The service endpoint's own route when its entries are unknown: it outranks every route too
  // broad to compete with a service range, wherever the endpoint can carry the traffic.
  const endpointUnresolved =
    endpoint !== undefined && unresolved.some((route) => route.target.id === endpoint.id);

  const legs: Leg[] = [];
  // Public space (unknown addresses) in one pass; known ranges and NAT64's prefix one by one.
  const [firstRange] = ranges;
  const groups =
    firstRange && ranges.every((range) => !range.known && range.endpointCarries)
      ? [{ range: firstRange, pieces: piecesOf(entries, ranges) }]
      : ranges.map((range) => ({ range, pieces: routePieces(entries, range.first, range.last) }));
  for (const { range, pieces } of groups) {
    for (const piece of pieces) {
      const { entry, alsoPossible } = conservativePick(piece, endpoint, context);
      const hop = entry ? hopOf(entry.route, context) : undefined;
      // Too broad to be about one service, or covering the whole range (all of NAT64's prefix).
      const broad =
        entry === undefined ||
        entry.prefix < MIN_SERVICE_PREFIX[version] ||
        (entry.first <= range.first && entry.last >= range.last);
      if (!range.known && range.endpointCarries && endpointUnresolved && broad) {
        const route = routes.find((candidate) => candidate.target.id === endpoint?.id);
        legs.push({
          kind: 'endpoint',
          route,
          hop: route ? hopOf(route, context) : undefined,
          destination: route?.destinationPrefixListId ?? '',
          alsoPossible: [],
        });
        continue;
      }
      if (!entry || !hop) {
        legs.push(legOf('dropped', undefined, context));
        continue;
      }
      const isServiceEndpoint =
        hop.hopClass === 'gateway-endpoint' && entry.route.target.id === endpoint?.id;
      if (isServiceEndpoint) {
        legs.push(legOf('endpoint', entry, context, alsoPossible, hop));
        continue;
      }
      if (hop.hopClass === 'local' || hop.hopClass === 'gateway-endpoint') {
        // Another service's endpoint route cannot hold this service's addresses.
        legs.push(legOf(hop.hopClass === 'local' ? 'local' : 'dropped', entry, context, [], hop));
        continue;
      }
      const definite = range.known || broad;
      const kind: LegKind = !definite
        ? 'unverified'
        : hop.hopClass === 'internet-gateway'
          ? 'internet'
          : 'egress';
      const rival = entries.find(
        (candidate) =>
          candidate.route.target.id === endpoint?.id &&
          candidate.first <= piece.first &&
          piece.first <= candidate.last,
      );
      const tie = rival && rival.prefix === entry.prefix && rival.routeClass === entry.routeClass;
      const leg = legOf(kind, entry, context, alsoPossible, hop);
      leg.versusEndpoint = rival ? (tie ? 'ties' : 'outranks') : undefined;
      leg.nat64 = !range.endpointCarries;
      legs.push(leg);
    }
  }
  // Prefix-list routes of unknown entries out of the VPC may hold some of the service's addresses.
  for (const route of unresolved) {
    const hop = hopOf(route, context);
    if (hop.hopClass === 'gateway-endpoint' || hop.hopClass === 'local') continue;
    legs.push({
      kind: 'unverified',
      route,
      hop,
      destination: route.destinationPrefixListId ?? '',
      alsoPossible: [],
    });
  }
  return {
    service,
    version,
    addressesKnown,
    legs: distinctLegs(legs),
    endpoint,
    interfaceEndpoint,
  };
};

/**
 * The verdict-relevant summary of a path: the worst thing any of its legs does. A route to an
 * internet gateway is a detour like any other here; whether the whole table is a public one (out
 * of scope) is decided from its default path, not from one service's legs.
 */
const pathOutcome = (path: ServicePath): PathOutcome => {
  const kinds = new Set(path.legs.map((leg) => leg.kind));
  if (path.interfaceEndpoint) return 'endpoint';
  if (kinds.has('egress') || kinds.has('internet')) return 'egress';
  if (kinds.has('unverified')) return 'unverified';
  return kinds.has('endpoint') ? 'endpoint' : 'none';
};

export type { Leg, LegKind, PathOutcome, ServicePath, ServicePathInput };
export { carriesFamily, pathOutcome, prefixListLookup, servicePath };

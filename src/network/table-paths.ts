import type {
  NatGateway,
  PrefixList,
  Route,
  RouteTable,
  Subnet,
  VpcEndpoint,
} from '../model/resources.js';
import type { IpVersion } from './cidr.js';
import { isNat64Route } from './hops.js';
import { MIN_SERVICE_PREFIX, piecesOf, publicSpace } from './public-space.js';
import { expandRoutes } from './route-decision.js';
import {
  type PathOutcome,
  pathOutcome,
  prefixListLookup,
  type ServicePath,
  servicePath,
} from './service-path.js';

/**
 * Every service path of one route table: for each gateway service and each address family its
 * subnets use, where the traffic goes. Pure: the rule reads the account and hands the data in.
 */

interface TablePathsInput {
  table: RouteTable;
  /** Ids of the subnets the table serves. */
  served: readonly string[];
  /** The VPC's subnets as far as the source knows them. */
  subnets: readonly Subnet[];
  /** The same subnets by id, when the caller keeps that index for the whole VPC. */
  subnetsById?: ReadonlyMap<string, Subnet> | undefined;
  services: readonly string[];
  region?: string | undefined;
  endpoints: readonly VpcEndpoint[];
  natGateways: readonly NatGateway[];
  prefixLists: readonly PrefixList[];
  acceptInterfaceEndpoints: boolean;
}

interface TablePaths {
  /** The families the served subnets use, IPv4 first. */
  families: IpVersion[];
  paths: (ServicePath & { outcome: PathOutcome })[];
  /** Served subnets the source does not hold (their families are assumed from the routes). */
  unknownSubnets: string[];
  /**
   * Every family's default path (the routes too broad to be about one service) goes to an internet
   * gateway: a public subnet's table, outside the rule's scope whatever its endpoints do.
   */
  isPublic: boolean;
  /** The default-path routes to an internet gateway, for the annotation. */
  internetRoutes: Route[];
  /**
   * Prefix-list routes of unknown entries that may outrank the internet gateway's default route:
   * the table is public only if they hold no broad entry, which cannot be told without them.
   */
  publicUnverified: Route[];
}

/**
 * Whether a route may carry IPv6 out of the VPC: an IPv6 CIDR route, or a prefix-list route (a
 * customer list may hold IPv6 entries) to anything but the VPC itself or one of its Gateway
 * endpoints.
 */
const mayRouteIpv6Out = (table: RouteTable, gatewayIds: ReadonlySet<string>): boolean =>
  table.routes.some(
    (route) =>
      route.target.kind !== 'local' &&
      (route.destinationIpv6Cidr !== undefined ||
        (route.destinationPrefixListId !== undefined && !gatewayIds.has(route.target.id))),
  );

/**
 * The families of the served subnets. An IPv6-only subnet has no IPv4 traffic; a dual-stack one
 * both. A subnet the source does not hold is assumed to use IPv4, and IPv6 when the table may
 * route IPv6 out of the VPC.
 */
const familiesOf = (
  table: RouteTable,
  served: readonly Subnet[],
  unknown: number,
  gatewayIds: ReadonlySet<string>,
): { families: IpVersion[]; nat64: boolean } => {
  const v4 = unknown > 0 || served.some((subnet) => subnet.ipv6Native !== true);
  const v6 =
    served.some((subnet) => subnet.ipv6CidrBlocks.length > 0 || subnet.ipv6Native === true) ||
    (unknown > 0 && mayRouteIpv6Out(table, gatewayIds));
  const nat64 =
    served.some((subnet) => subnet.enableDns64 === true) ||
    (unknown > 0 && table.routes.some(isNat64Route));
  const families: IpVersion[] = [];
  if (v4) families.push(4);
  if (v6) families.push(6);
  return { families, nat64 };
};

interface DefaultPath {
  /** The routes that decide the family's public addresses and are too broad to be about a service. */
  routes: Route[];
  /**
   * Prefix-list routes of unknown entries to a hop other than an internet gateway: entries broad
   * enough (0.0.0.0/1, say) would outrank the default route, so they may decide the default path.
   */
  unknown: Route[];
  /**
   * Some route of the family is known to carry public addresses out of the VPC (other than
   * through a Gateway endpoint); routes of unknown entries are in `unknown`, not here.
   */
  leaves: boolean;
}

/**
 * A prefix-list route takes part like any other: AWS uses the longest prefix "irrespective of
 * whether they are propagated routes, static routes, or routes that reference prefix lists", so a
 * customer list of 0.0.0.0/1 and 128.0.0.0/1 decides every address over 0.0.0.0/0.
 */
const defaultPath = (
  table: RouteTable,
  version: IpVersion,
  prefixLists: readonly PrefixList[],
  gatewayIds: ReadonlySet<string>,
): DefaultPath => {
  const { entries, unresolved } = expandRoutes(
    table.routes,
    version,
    prefixListLookup(prefixLists, version),
  );
  // A Gateway endpoint's own list holds its service's ranges, never a default route.
  const outOfVpc = (route: Route) =>
    route.target.kind !== 'local' && !gatewayIds.has(route.target.id);
  const routes = new Set<Route>();
  let leaves = false;
  for (const piece of piecesOf(entries, publicSpace(version))) {
    if (!piece.entry) continue;
    // Routes to private ranges only (on-premises fd00::/8, say) say nothing about the internet.
    if (outOfVpc(piece.entry.route)) leaves = true;
    if (piece.entry.prefix < MIN_SERVICE_PREFIX[version]) routes.add(piece.entry.route);
  }
  const unknown = unresolved.filter(
    (route) => route.target.kind !== 'internet-gateway' && outOfVpc(route),
  );
  return { routes: [...routes], unknown, leaves };
};

const tablePaths = (input: TablePathsInput): TablePaths => {
  // Loops, not flatMap/flat: V8 runs those through a slow generic path, once per table here.
  const byId = input.subnetsById ?? new Map(input.subnets.map((subnet) => [subnet.id, subnet]));
  const served: Subnet[] = [];
  const unknownSubnets: string[] = [];
  for (const id of input.served) {
    const subnet = byId.get(id);
    if (subnet) served.push(subnet);
    else unknownSubnets.push(id);
  }
  const gatewayIds = new Set<string>();
  for (const endpoint of input.endpoints) {
    if (endpoint.endpointType === 'Gateway') gatewayIds.add(endpoint.id);
  }
  const { families, nat64 } = familiesOf(input.table, served, unknownSubnets.length, gatewayIds);
  const paths: TablePaths['paths'] = [];
  for (const service of input.services) {
    for (const version of families) {
      const path = servicePath({
        table: input.table,
        service,
        version,
        region: input.region,
        endpoints: input.endpoints,
        natGateways: input.natGateways,
        prefixLists: input.prefixLists,
        nat64: version === 6 && nat64,
        acceptInterfaceEndpoints: input.acceptInterfaceEndpoints,
      });
      paths.push({
        service: path.service,
        version: path.version,
        addressesKnown: path.addressesKnown,
        legs: path.legs,
        endpoint: path.endpoint,
        interfaceEndpoint: path.interfaceEndpoint,
        outcome: pathOutcome(path),
      });
    }
  }
  // AWS calls a subnet public when it has a direct route to an internet gateway. A family that
  // cannot reach the internet at all (IPv6 blocks assigned, only the local IPv6 route or a route to
  // on-premises ranges) neither makes nor unmakes that; every family that can must go through the
  // internet gateway.
  let isPublic = true;
  let leavingFamilies = 0;
  const internetRoutes: Route[] = [];
  // A list of unknown entries is unresolved in every family: named once.
  const publicUnknown = new Set<Route>();
  for (const version of families) {
    const { routes, unknown, leaves } = defaultPath(
      input.table,
      version,
      input.prefixLists,
      gatewayIds,
    );
    if (routes.length === 0 && !leaves) {
      // Nothing known carries this family out; a list of unknown entries might (a broad entry
      // would take the family's default traffic), which leaves "public" unverified, not refuted.
      for (const route of unknown) publicUnknown.add(route);
      continue;
    }
    leavingFamilies++;
    if (routes.length === 0 || routes.some((route) => route.target.kind !== 'internet-gateway')) {
      isPublic = false;
    }
    for (const route of routes) internetRoutes.push(route);
    for (const route of unknown) publicUnknown.add(route);
  }
  if (leavingFamilies === 0) isPublic = false;
  // Public only when no list of unknown entries could take the default traffic elsewhere.
  const publicUnverified = isPublic ? [...publicUnknown] : [];
  if (publicUnverified.length > 0) isPublic = false;
  return { families, paths, unknownSubnets, isPublic, publicUnverified, internetRoutes };
};

export type { TablePaths, TablePathsInput };
export { tablePaths };

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
import { expandRoutes } from './route-decision.js';
import {
  MIN_SERVICE_PREFIX,
  type PathOutcome,
  pathOutcome,
  piecesOf,
  publicSpace,
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

/** The routes that decide the family's public addresses and are too broad to be about a service. */
const defaultPath = (table: RouteTable, version: IpVersion): Route[] => {
  const { entries } = expandRoutes(table.routes, version, () => []);
  const routes = new Set<Route>();
  for (const piece of piecesOf(entries, publicSpace(version))) {
    if (piece.entry && piece.entry.prefix < MIN_SERVICE_PREFIX[version])
      routes.add(piece.entry.route);
  }
  return [...routes];
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
  let isPublic = families.length > 0;
  const internetRoutes: Route[] = [];
  for (const version of families) {
    const routes = defaultPath(input.table, version);
    if (routes.length === 0 || routes.some((route) => route.target.kind !== 'internet-gateway')) {
      isPublic = false;
    }
    for (const route of routes) internetRoutes.push(route);
  }
  return { families, paths, unknownSubnets, isPublic, internetRoutes };
};

export type { TablePaths, TablePathsInput };
export { tablePaths };

import type { Route, RouteTable, RouteTarget, Subnet } from '../model/resources.js';
import { parseCidr } from './cidr.js';

/**
 * Route-table path analysis: which subnets a table serves and where its default route leaves the
 * VPC. AWS resolves a subnet's table as its explicit association, else the main table of the
 * subnet's own VPC; tables of other VPCs never apply, whatever a snapshot happens to contain.
 */

/** How a default route leaves the VPC, from the point of view of traffic to AWS services. */
type HopClass =
  | 'internet-gateway'
  | 'nat-gateway'
  | 'nat-instance'
  | 'transit-gateway'
  | 'vpc-peering'
  | 'virtual-private-gateway'
  | 'other';

interface Hop {
  hopClass: HopClass;
  target: RouteTarget;
  /** For annotations: `NAT gateway nat-…`, `NAT instance i-…`. */
  label: string;
}

type DefaultRoute =
  | { kind: 'none' }
  /** A route whose target is gone: it drops traffic, so nothing leaves through it. */
  | { kind: 'blackhole'; route: Route }
  | { kind: 'active'; route: Route; hop: Hop };

interface ServedSubnet {
  subnetId: string;
  association: 'explicit' | 'main';
}

const HOP_LABELS: Record<RouteTarget['kind'], [HopClass, string]> = {
  'internet-gateway': ['internet-gateway', 'internet gateway'],
  'nat-gateway': ['nat-gateway', 'NAT gateway'],
  instance: ['nat-instance', 'NAT instance'],
  'network-interface': ['nat-instance', 'NAT instance network interface'],
  'transit-gateway': ['transit-gateway', 'transit gateway'],
  'vpc-peering': ['vpc-peering', 'VPC peering connection'],
  'virtual-private-gateway': ['virtual-private-gateway', 'virtual private gateway'],
  'egress-only-internet-gateway': ['other', 'egress-only internet gateway'],
  'vpc-endpoint': ['other', 'VPC endpoint'],
  'carrier-gateway': ['other', 'carrier gateway'],
  'local-gateway': ['other', 'local gateway'],
  'core-network': ['other', 'Cloud WAN core network'],
  local: ['other', 'local route'],
  unknown: ['other', 'target'],
};

/**
 * Classifies a route target. Instance and network-interface targets of a default route are NAT
 * instances (or appliances acting as one): either way the traffic leaves through a host the
 * account runs, not through an endpoint.
 */
const classifyHop = (target: RouteTarget): Hop => {
  const [hopClass, noun] = HOP_LABELS[target.kind];
  return { hopClass, target, label: target.id ? `${noun} ${target.id}` : noun };
};

const isDefaultDestination = (route: Route, version: 4 | 6): boolean => {
  const destination = version === 4 ? route.destinationCidr : route.destinationIpv6Cidr;
  if (destination === undefined) return false;
  const parsed = parseCidr(destination);
  return parsed !== undefined && parsed.version === version && parsed.prefix === 0;
};

/** Where a route's destination starts and ends in the address space of its version. */
const rangeOf = (destination: string, version: 4 | 6): [bigint, bigint] | undefined => {
  const cidr = parseCidr(destination);
  if (!cidr || cidr.version !== version) return undefined;
  const hostBits = BigInt((version === 4 ? 32 : 128) - cidr.prefix);
  return [cidr.network, cidr.network + (1n << hostBits) - 1n];
};

/**
 * A default route written as several more specific routes (the VPN-style `0.0.0.0/1` +
 * `128.0.0.0/1`): when the table's active, non-local routes other than /0 together cover the whole
 * address space, traffic to public service addresses leaves through one of them, whatever /0 says. The route through a non-internet hop is
 * returned first, since that is the path the rule must judge; otherwise the broadest one.
 */
const splitDefaultRoute = (table: RouteTable, version: 4 | 6): Route | undefined => {
  const egress = table.routes.flatMap((route) => {
    const destination = version === 4 ? route.destinationCidr : route.destinationIpv6Cidr;
    if (route.state !== 'active' || destination === undefined) return [];
    if (route.target.kind === 'local' || route.target.kind === 'vpc-endpoint') return [];
    const range = rangeOf(destination, version);
    // Only routes more specific than the default can override it.
    return range && !isDefaultDestination(route, version) ? [{ route, range }] : [];
  });
  const sorted = [...egress].sort((a, b) =>
    a.range[0] < b.range[0] ? -1 : a.range[0] > b.range[0] ? 1 : 0,
  );
  let next = 0n;
  for (const { range } of sorted) {
    if (range[0] > next) return undefined;
    if (range[1] + 1n > next) next = range[1] + 1n;
  }
  if (next !== 1n << BigInt(version === 4 ? 32 : 128)) return undefined;
  const broadestFirst = [...egress].sort((a, b) => {
    const size = (r: [bigint, bigint]) => r[1] - r[0];
    return size(b.range) > size(a.range) ? 1 : size(b.range) < size(a.range) ? -1 : 0;
  });
  const privatePath = broadestFirst.find(({ route }) => route.target.kind !== 'internet-gateway');
  return (privatePath ?? broadestFirst[0])?.route;
};

/**
 * The table's default route (`0.0.0.0/0`, or `::/0` for version 6) and its hop. An active route
 * wins over a blackhole one; a table whose only default route is a blackhole sends nothing out.
 */
const defaultRouteOf = (table: RouteTable, version: 4 | 6 = 4): DefaultRoute => {
  // More specific routes that together cover the whole space win over /0 (longest prefix match).
  const split = splitDefaultRoute(table, version);
  if (split) return { kind: 'active', route: split, hop: classifyHop(split.target) };
  const candidates = table.routes.filter((route) => isDefaultDestination(route, version));
  const active = candidates.find((route) => route.state === 'active');
  if (active) return { kind: 'active', route: active, hop: classifyHop(active.target) };
  const blackhole = candidates[0];
  return blackhole ? { kind: 'blackhole', route: blackhole } : { kind: 'none' };
};

const isMainTable = (table: RouteTable): boolean => table.associations.some((a) => a.main);

const explicitSubnetIds = (table: RouteTable): string[] =>
  table.associations.flatMap((a) => (!a.main && a.subnetId ? [a.subnetId] : []));

/**
 * The tables that decide routing in the table's VPC, with `table` itself in its current form (the
 * evaluated item may be newer than what a view returns).
 */
const tablesOfSameVpc = (table: RouteTable, tables: readonly RouteTable[]): RouteTable[] => [
  table,
  ...tables.filter((other) => other.vpcId === table.vpcId && other.id !== table.id),
];

/**
 * The subnets a table serves: its explicit associations, plus, for the main table, every subnet of
 * the same VPC that no table of that VPC associates explicitly. Explicit associations count even
 * when the subnet itself is not in `subnets` (not recorded).
 */
const subnetsServedBy = (
  table: RouteTable,
  tables: readonly RouteTable[],
  subnets: readonly Subnet[],
): ServedSubnet[] => {
  const served: ServedSubnet[] = explicitSubnetIds(table).map((subnetId) => ({
    subnetId,
    association: 'explicit',
  }));
  if (!isMainTable(table)) return served;
  const explicit = new Set(tablesOfSameVpc(table, tables).flatMap(explicitSubnetIds));
  for (const subnet of subnets) {
    if (subnet.vpcId === table.vpcId && !explicit.has(subnet.id)) {
      served.push({ subnetId: subnet.id, association: 'main' });
    }
  }
  return served;
};

/** The table that routes a subnet: its explicit association, else its own VPC's main table. */
const routeTableOfSubnet = (
  subnet: Subnet,
  tables: readonly RouteTable[],
): RouteTable | undefined => {
  const sameVpc = tables.filter((table) => table.vpcId === subnet.vpcId);
  return (
    sameVpc.find((table) => explicitSubnetIds(table).includes(subnet.id)) ??
    sameVpc.find(isMainTable)
  );
};

export type { DefaultRoute, Hop, HopClass, ServedSubnet };
export {
  classifyHop,
  defaultRouteOf,
  explicitSubnetIds,
  isMainTable,
  routeTableOfSubnet,
  subnetsServedBy,
};

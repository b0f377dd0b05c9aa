import type { RouteTable } from '../model/resources.js';
import type { IpVersion } from './cidr.js';
import { expectedServiceName } from './service-name.js';
import type { Leg, PathOutcome, ServicePath } from './service-path.js';

/**
 * Sentences about service paths, for the route-table rule: what leaves where, and the one change
 * that fixes it. Kept apart from the rule so the rule file stays about the verdict.
 */

type JudgedPath = ServicePath & { outcome: PathOutcome };

const familyLabel = (version: IpVersion): string => (version === 4 ? 'IPv4' : 'IPv6');

const routeText = (leg: Leg): string =>
  leg.route ? `${leg.destination} → ${leg.route.target.id || leg.route.target.kind}` : '';

/** `NAT gateway nat-1 (0.0.0.0/0)`. */
const legText = (leg: Leg): string =>
  leg.hop ? `${leg.hop.label} (${leg.destination})` : 'no route (dropped)';

const legsOf = (path: JudgedPath, kind: Leg['kind']): Leg[] =>
  path.legs.filter((leg) => leg.kind === kind);

/** `NAT gateway nat-1 (0.0.0.0/1, 128.0.0.0/1)`: one entry per hop, with every route to it. */
const hopsText = (legs: readonly Leg[]): string[] => {
  const byHop = new Map<string, string[]>();
  for (const leg of legs) {
    const label = leg.hop?.label ?? 'no route (dropped)';
    const destinations = byHop.get(label) ?? [];
    if (leg.destination && !destinations.includes(leg.destination))
      destinations.push(leg.destination);
    byHop.set(label, destinations);
  }
  return [...byHop].map(([label, destinations]) =>
    destinations.length > 0 ? `${label} (${destinations.join(', ')})` : label,
  );
};

const isNat64 = (leg: Leg): boolean =>
  leg.nat64 === true || leg.hop?.label.endsWith('(NAT64)') === true;

interface FixContext {
  table: RouteTable;
  region?: string | undefined;
  /** Every endpoint of the VPC, to say why an existing one does not count. */
  serviceNames: readonly string[];
  /** Gateway endpoints of the service in the VPC, whatever their state or family. */
  gatewaysOf: (service: string) => { id: string; state: string; ipAddressType?: string }[];
  /** Interface endpoints of the service in the VPC (they do not change routing). */
  interfacesOf: (service: string) => string[];
  /** `pl-… → vpce-…` routes to endpoints the VPC does not have. */
  orphanRoutes: readonly string[];
}

/** The one change that takes this path off the detour, written as an instruction. */
const fixFor = (path: JudgedPath, egress: readonly Leg[], context: FixContext): string => {
  const { table } = context;
  if (egress.length > 0 && egress.every(isNat64)) {
    return `NAT64 traffic cannot use an endpoint: have clients use ${path.service} dualstack names through ${path.endpoint?.id ?? 'a dualstack Gateway endpoint'}`;
  }
  if (path.endpoint) {
    // Only a route the endpoint's own route competes with is an override; a default route that
    // catches addresses outside the endpoint's list (NAT64 ones) outranks nothing.
    const override =
      egress.find((leg) => leg.versusEndpoint === 'outranks') ??
      egress.find((leg) => leg.versusEndpoint === 'ties');
    if (override?.versusEndpoint === 'outranks') {
      return `remove route ${routeText(override)}, which outranks the ${path.endpoint.id} prefix-list route`;
    }
    if (override) {
      return `remove route ${routeText(override)}: it ties with the ${path.endpoint.id} prefix-list route and AWS may pick it`;
    }
    return `have clients use ${path.service} dualstack names through ${path.endpoint.id}`;
  }
  const gateways = context.gatewaysOf(path.service);
  const available = gateways.find((gateway) => gateway.state === 'available');
  if (available) {
    const ipv4Only = path.version === 6 && (available.ipAddressType ?? 'ipv4') === 'ipv4';
    if (ipv4Only) {
      return `set the IP address type of ${available.id} to dualstack (it carries IPv4 only) and associate it with ${table.id}`;
    }
    return `associate ${available.id} with ${table.id}`;
  }
  const other = gateways[0];
  if (other) return `${other.id} is ${other.state}: replace it and associate it with ${table.id}`;
  const name = expectedServiceName(path.service, context.region, context.serviceNames);
  const hints = [
    ...context
      .interfacesOf(path.service)
      .map((id) => `Interface endpoint ${id} exists but does not change the route`),
    ...context.orphanRoutes.map(
      (route) => `route ${route} names an endpoint not in ${table.vpcId}`,
    ),
  ];
  const why = hints.length > 0 ? ` (${hints.join('; ')})` : '';
  return `create a Gateway endpoint ${name}${path.version === 6 ? ' (dualstack)' : ''} associated with ${table.id}${why}`;
};

/** Full description of a path, for `detail`. */
const describePath = (path: JudgedPath): string => {
  const legs = path.legs.map((leg) => {
    const also =
      leg.alsoPossible.length > 0 ? ` (AWS may pick ${leg.alsoPossible.join(', ')})` : '';
    return `${leg.kind}: ${legText(leg)}${also}`;
  });
  const source = path.addressesKnown
    ? 'addresses from its prefix list'
    : 'its prefix-list entries unknown, so every public address counts';
  const via = path.interfaceEndpoint
    ? `; Interface endpoint ${path.interfaceEndpoint.id} accepted (acceptInterfaceEndpoints)`
    : '';
  return `${path.service} ${familyLabel(path.version)} (${source})${via}: ${legs.join('; ') || 'no route'}`;
};

export type { FixContext, JudgedPath };
export { describePath, familyLabel, fixFor, hopsText, legsOf, legText, routeText };

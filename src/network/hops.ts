import type { NatGateway, Route, RouteTarget, VpcEndpoint } from '../model/resources.js';
import { parseCidr } from './cidr.js';

/**
 * What a route target is, named for the reader: which hop the traffic takes and whether that hop
 * keeps it inside the VPC, sends it to the internet, or carries it out of the VPC some other way.
 */

type HopClass =
  /** A Gateway endpoint: the traffic stays on the AWS network and passes the endpoint policy. */
  | 'gateway-endpoint'
  /** The VPC's own addresses (or a middlebox target that replaced the local route). */
  | 'local'
  | 'internet-gateway'
  /** Any other way out: NAT, egress-only IGW, transit gateway, peering, VPN, appliance, ... */
  | 'egress';

interface Hop {
  hopClass: HopClass;
  target: RouteTarget;
  /** `NAT gateway nat-…`, `private NAT gateway nat-… (NAT64)`, `Gateway Load Balancer endpoint vpce-…`. */
  label: string;
}

/** What the hop namer may know about the VPC. */
interface HopContext {
  endpoints: readonly VpcEndpoint[];
  natGateways: readonly NatGateway[];
}

const NOUNS: Record<RouteTarget['kind'], string> = {
  local: 'local route',
  'internet-gateway': 'internet gateway',
  'egress-only-internet-gateway': 'egress-only internet gateway',
  'nat-gateway': 'NAT gateway',
  instance: 'NAT instance',
  'network-interface': 'NAT instance network interface',
  'transit-gateway': 'transit gateway',
  'vpc-peering': 'VPC peering connection',
  'vpc-endpoint': 'VPC endpoint',
  'virtual-private-gateway': 'virtual private gateway',
  'carrier-gateway': 'carrier gateway',
  'local-gateway': 'local gateway',
  'core-network': 'Cloud WAN core network',
  'odb-network': 'ODB network (Oracle Database@AWS)',
  unknown: 'target',
};

/** `64:ff9b::/96`: the well-known prefix DNS64 synthesises and a NAT gateway translates (NAT64). */
const NAT64_PREFIX = '64:ff9b::/96';

const isNat64Route = (route: Route): boolean => {
  const cidr = route.destinationIpv6Cidr ? parseCidr(route.destinationIpv6Cidr) : undefined;
  const nat64 = parseCidr(NAT64_PREFIX);
  return (
    cidr !== undefined &&
    nat64 !== undefined &&
    cidr.version === 6 &&
    cidr.prefix >= 96 &&
    cidr.network >> 32n === nat64.network >> 32n
  );
};

const labelled = (noun: string, id: string): string => (id ? `${noun} ${id}` : noun);

/**
 * Names the hop of a route. A `vpce-` target is a Gateway endpoint only when the VPC has a Gateway
 * endpoint with that id; otherwise it is a Gateway Load Balancer endpoint (an inspection appliance
 * the traffic passes on its way out), or one the source did not record.
 */
const hopOf = (route: Route, context: HopContext): Hop => {
  const { target } = route;
  switch (target.kind) {
    case 'local':
      return { hopClass: 'local', target, label: 'local route' };
    case 'internet-gateway':
      return {
        hopClass: 'internet-gateway',
        target,
        label: labelled(NOUNS[target.kind], target.id),
      };
    case 'vpc-endpoint': {
      const endpoint = context.endpoints.find((candidate) => candidate.id === target.id);
      if (endpoint?.endpointType === 'Gateway') {
        return { hopClass: 'gateway-endpoint', target, label: `Gateway endpoint ${target.id}` };
      }
      // A prefix-list route is how Gateway endpoints route; a CIDR route to an unknown `vpce-`
      // can only be a Gateway Load Balancer endpoint.
      const label = !endpoint
        ? route.destinationPrefixListId
          ? `VPC endpoint ${target.id} (not recorded)`
          : `Gateway Load Balancer endpoint ${target.id} (not recorded)`
        : endpoint.endpointType === 'GatewayLoadBalancer'
          ? `Gateway Load Balancer endpoint ${target.id}`
          : `${endpoint.endpointType} endpoint ${target.id}`;
      return { hopClass: 'egress', target, label };
    }
    case 'nat-gateway': {
      const nat = context.natGateways.find((candidate) => candidate.id === target.id);
      const noun = nat?.connectivityType === 'private' ? 'private NAT gateway' : 'NAT gateway';
      const suffix = isNat64Route(route) ? ' (NAT64)' : '';
      return { hopClass: 'egress', target, label: `${labelled(noun, target.id)}${suffix}` };
    }
    default:
      return { hopClass: 'egress', target, label: labelled(NOUNS[target.kind], target.id) };
  }
};

export type { Hop, HopClass, HopContext };
export { hopOf, isNat64Route, NAT64_PREFIX };

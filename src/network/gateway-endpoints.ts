import type { RouteTable, VpcEndpoint } from '../model/resources.js';
import { matchesService } from './service-name.js';

/**
 * Gateway endpoint reachability. A table sends a service's traffic to a Gateway endpoint when the
 * endpoint lists the table, or when the table holds the endpoint's prefix-list route (`pl-…` →
 * `vpce-…`); sources disagree on which of the two they record, so either one is proof.
 */

/** Endpoint states in which AWS keeps (or is about to install) the endpoint's routes. */
const LIVE_STATES: ReadonlySet<string> = new Set(['available', 'pending']);

interface GatewayReach {
  endpoint: VpcEndpoint;
  via: 'association' | 'prefix-list-route';
  prefixListId?: string | undefined;
}

const isLiveEndpoint = (endpoint: VpcEndpoint): boolean =>
  LIVE_STATES.has(endpoint.state.toLowerCase());

/** Prefix-list routes of the table that point at a `vpce-…` target (and are not blackholes). */
const endpointRoutesOf = (table: RouteTable): { prefixListId: string; endpointId: string }[] =>
  table.routes.flatMap((route) =>
    route.state === 'active' &&
    route.destinationPrefixListId?.startsWith('pl-') &&
    route.target.id.startsWith('vpce-')
      ? [{ prefixListId: route.destinationPrefixListId, endpointId: route.target.id }]
      : [],
  );

/**
 * How the table reaches `service` through a Gateway endpoint of its own VPC, or `undefined`.
 * Endpoints of other VPCs, other types or dead states never count.
 */
const gatewayEndpointReach = (
  table: RouteTable,
  service: string,
  endpoints: readonly VpcEndpoint[],
): GatewayReach | undefined => {
  const candidates = endpoints.filter(
    (endpoint) =>
      endpoint.endpointType === 'Gateway' &&
      endpoint.vpcId === table.vpcId &&
      isLiveEndpoint(endpoint) &&
      matchesService(endpoint.serviceName, service),
  );
  const associated = candidates.find((endpoint) => endpoint.routeTableIds.includes(table.id));
  if (associated) return { endpoint: associated, via: 'association' };
  for (const route of endpointRoutesOf(table)) {
    const endpoint = candidates.find((candidate) => candidate.id === route.endpointId);
    if (endpoint) return { endpoint, via: 'prefix-list-route', prefixListId: route.prefixListId };
  }
  return undefined;
};

export type { GatewayReach };
export { endpointRoutesOf, gatewayEndpointReach, isLiveEndpoint, LIVE_STATES };

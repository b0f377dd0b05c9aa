import {
  DescribeVpcEndpointServicesCommand,
  paginateDescribeRouteTables,
} from '@aws-sdk/client-ec2';
import type { EndpointServiceDetails, RouteTable } from '../../model/resources.js';
import { endpointServiceDetailsFromSdk, routeTableFromSdk } from './normalise.js';
import type { ReadContext } from './read-context.js';
import { isDenied, readFailure } from './read-errors.js';

/**
 * Reads by route target and by endpoint service name: the tables that still route to a deleted
 * endpoint or NAT gateway, and what the service behind an endpoint supports.
 */

/** DescribeRouteTables filter for each target id prefix (the API has one filter per target kind). */
const TARGET_FILTERS: [prefix: string, filter: string][] = [
  ['nat-', 'route.nat-gateway-id'],
  ['tgw-', 'route.transit-gateway-id'],
  ['pcx-', 'route.vpc-peering-connection-id'],
  ['i-', 'route.instance-id'],
  ['eigw-', 'route.egress-only-internet-gateway-id'],
  // vpce-, igw-, vgw- targets are all `GatewayId`.
  ['', 'route.gateway-id'],
];

const routeTablesRoutingTo = async (
  context: ReadContext,
  targetId: string,
): Promise<RouteTable[]> => {
  const [, filter] = TARGET_FILTERS.find(([prefix]) => targetId.startsWith(prefix)) ?? [];
  const meta = await context.meta();
  const tables: RouteTable[] = [];
  try {
    for await (const page of paginateDescribeRouteTables(
      { client: context.clients.ec2, pageSize: 100 },
      { Filters: [{ Name: filter ?? 'route.gateway-id', Values: [targetId] }] },
    )) {
      for (const table of page.RouteTables ?? []) tables.push(routeTableFromSdk(table, meta));
    }
  } catch (error) {
    throw readFailure('ec2:DescribeRouteTables', error);
  }
  // Filters match loosely on some APIs; the route itself decides.
  return tables.filter((table) => table.routes.some((route) => route.target.id === targetId));
};

/** DescribeVpcEndpointServices for one service name, cached per view; denied reads are unknown. */
class EndpointServiceReader {
  private readonly context: ReadContext;
  private readonly details = new Map<string, Promise<EndpointServiceDetails | undefined>>();

  constructor(context: ReadContext) {
    this.context = context;
  }

  read(serviceName: string): Promise<EndpointServiceDetails | undefined> {
    let pending = this.details.get(serviceName);
    if (!pending) {
      pending = this.fetch(serviceName);
      this.details.set(serviceName, pending);
    }
    return pending;
  }

  private async fetch(serviceName: string): Promise<EndpointServiceDetails | undefined> {
    try {
      const { ServiceDetails } = await this.context.clients.ec2.send(
        new DescribeVpcEndpointServicesCommand({ ServiceNames: [serviceName] }),
      );
      const detail = ServiceDetails?.find((candidate) => candidate.ServiceName === serviceName);
      return detail && endpointServiceDetailsFromSdk(detail);
    } catch (error) {
      if (!isDenied(error)) throw readFailure('ec2:DescribeVpcEndpointServices', error);
      this.context.warnings.push(
        `Details of endpoint service ${serviceName} unknown: ec2:DescribeVpcEndpointServices was denied`,
      );
      return undefined;
    }
  }
}

export { EndpointServiceReader, routeTablesRoutingTo };

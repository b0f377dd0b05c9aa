import type { RouteTable, Subnet, VpcEndpoint } from '../model/resources.js';
import { expectedServiceName, regionFromServiceNames } from '../network/service-name.js';
import type { MemoryReads } from '../sources/view.js';

/**
 * What private-subnet-gateway-endpoints derives from a VPC once for all its tables: its endpoints,
 * region and the service prefix lists to read, and (in a whole in-memory scan) its subnets by id.
 */

type Params = { gatewayServices: string[]; acceptInterfaceEndpoints: boolean };

/** What the rule derives from a VPC's endpoints: the same for every table of the VPC. */
interface VpcFacts {
  endpoints: VpcEndpoint[];
  serviceNames: string[];
  region: string | undefined;
  /** The service prefix lists to read (`com.amazonaws.<region>.s3` and its IPv6 twin). */
  listNames: string[];
  knownIds: ReadonlySet<string>;
  gatewayIds: ReadonlySet<string>;
}

const vpcFactsOf = (
  table: RouteTable,
  vpcEndpoints: readonly VpcEndpoint[],
  params: Params,
): VpcFacts => {
  const endpoints = vpcEndpoints.filter((endpoint) => endpoint.vpcId === table.vpcId);
  const serviceNames = endpoints.map((endpoint) => endpoint.serviceName);
  const region = table.region ?? regionFromServiceNames(serviceNames);
  const listNames: string[] = [];
  for (const service of params.gatewayServices) {
    listNames.push(
      expectedServiceName(service, region, serviceNames),
      expectedServiceName(`ipv6.${service}`, region, serviceNames),
    );
  }
  return {
    endpoints,
    serviceNames,
    region,
    listNames,
    knownIds: new Set(endpoints.map((endpoint) => endpoint.id)),
    gatewayIds: new Set(endpoints.filter((e) => e.endpointType === 'Gateway').map((e) => e.id)),
  };
};

// Per VPC for a whole in-memory scan (and gone with the scan's memory). Tables of another region
// or parameters recompute them.
const factsByMemory = new WeakMap<
  MemoryReads,
  Map<string, { tableRegion: string | undefined; params: Params; facts: VpcFacts }>
>();

const cachedVpcFacts = (table: RouteTable, reads: MemoryReads, params: Params): VpcFacts => {
  let byVpc = factsByMemory.get(reads);
  if (!byVpc) {
    byVpc = new Map();
    factsByMemory.set(reads, byVpc);
  }
  const cached = byVpc.get(table.vpcId);
  if (cached && cached.tableRegion === table.region && cached.params === params) {
    return cached.facts;
  }
  const facts = vpcFactsOf(table, reads.endpointsOfVpc(table.vpcId), params);
  byVpc.set(table.vpcId, { tableRegion: table.region, params, facts });
  return facts;
};

// The memory gives each VPC one subnet array for the whole scan: indexed once, not per table.
const subnetIndexes = new WeakMap<readonly Subnet[], ReadonlyMap<string, Subnet>>();
const indexedSubnets = (subnets: readonly Subnet[]): ReadonlyMap<string, Subnet> => {
  let index = subnetIndexes.get(subnets);
  if (!index) {
    index = new Map(subnets.map((subnet) => [subnet.id, subnet]));
    subnetIndexes.set(subnets, index);
  }
  return index;
};

export type { Params, VpcFacts };
export { cachedVpcFacts, indexedSubnets, vpcFactsOf };

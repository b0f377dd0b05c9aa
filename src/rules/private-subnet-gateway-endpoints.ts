import { AwsReadError } from '../errors.js';
import type { Verdict } from '../model/compliance.js';
import {
  type NatGateway,
  type PrefixList,
  type Resource,
  type ResourceRef,
  type RouteTable,
  refOf,
  type Subnet,
} from '../model/resources.js';
import { parseCidr } from '../network/cidr.js';
import { hopOf } from '../network/hops.js';
import type { FixContext } from '../network/path-text.js';
import { isMainTable, subnetsServedBy } from '../network/route-table.js';
import { matchesService } from '../network/service-name.js';
import { type TablePaths, tablePaths } from '../network/table-paths.js';
import type { AccountView } from '../sources/view.js';
import { judge, type Known } from './gateway-path-verdicts.js';
import {
  cachedVpcFacts,
  indexedSubnets,
  type Params,
  type VpcFacts,
  vpcFactsOf,
} from './private-subnet-gateway-endpoints-facts.js';
import {
  hasSubnetsOf,
  mayServeUnrecorded,
  pastInternet,
  servesNothing,
  unrecordedSubnets,
  unrecordedSubnetsEvidence,
  withUnrecordedSubnets,
} from './private-subnet-gateway-endpoints-scope.js';
import { type ChangeContext, defineRule } from './rule.js';

const RULE_ID = 'private-subnet-gateway-endpoints';

/** The service lists and the lists the table's routes name; a denied read leaves them unknown. */
const readPrefixLists = async (
  view: AccountView,
  table: RouteTable,
  names: readonly string[],
): Promise<Known> => {
  if (!view.prefixLists) return { prefixLists: [] };
  try {
    return { prefixLists: await view.prefixLists({ ids: routePrefixListIds(table), names }) };
  } catch (error) {
    if (error instanceof AwsReadError && error.denied) {
      return { prefixLists: [], prefixListProblem: error.message };
    }
    throw error;
  }
};

/**
 * Whether the table's subnets may use IPv6: the VPC has an IPv6 block (its local IPv6 route shows
 * it), or a route may carry IPv6 out (an IPv6 CIDR, or a customer prefix list that may hold IPv6
 * entries). Then an IPv4 route alone decides nothing: IPv6-only subnets cannot use it, and
 * dual-stack ones also leave by IPv6.
 */
const mayUseIpv6 = (table: RouteTable): boolean =>
  table.routes.some(
    (route) =>
      route.destinationIpv6Cidr !== undefined ||
      (route.destinationPrefixListId !== undefined &&
        route.target.kind !== 'local' &&
        route.target.kind !== 'vpc-endpoint'),
  );

const NONE: readonly never[] = [];

const servedIds = (
  table: RouteTable,
  tables: readonly RouteTable[],
  subnets: readonly Subnet[],
): string[] => subnetsServedBy(table, tables, subnets).map((s) => s.subnetId);

const needsNat = (table: RouteTable): boolean =>
  table.routes.some((route) => route.target.kind === 'nat-gateway');

// Loops rather than flatMap here and below: V8 runs flatMap through a slow generic path, and
// these run once per table.
const routePrefixListIds = (table: RouteTable): string[] => {
  const ids: string[] = [];
  for (const route of table.routes) {
    if (route.destinationPrefixListId) ids.push(route.destinationPrefixListId);
  }
  return ids;
};

/** `pl-… → vpce-…` routes to endpoints the VPC does not have. */
const orphanRoutesOf = (table: RouteTable, knownIds: ReadonlySet<string>): string[] => {
  const orphans: string[] = [];
  for (const route of table.routes) {
    if (
      route.destinationPrefixListId &&
      route.target.id.startsWith('vpce-') &&
      !knownIds.has(route.target.id)
    ) {
      orphans.push(`${route.destinationPrefixListId} → ${route.target.id}`);
    }
  }
  return orphans;
};

interface TableInput {
  table: RouteTable;
  served: string[];
  subnets: readonly Subnet[];
  subnetsById?: ReadonlyMap<string, Subnet> | undefined;
  facts: VpcFacts;
  natGateways: readonly NatGateway[];
  params: Params;
}

const analyse = (input: TableInput, prefixLists: readonly PrefixList[]): TablePaths =>
  tablePaths({
    table: input.table,
    served: input.served,
    subnets: input.subnets,
    subnetsById: input.subnetsById,
    services: input.params.gatewayServices,
    region: input.facts.region,
    endpoints: input.facts.endpoints,
    natGateways: input.natGateways,
    prefixLists,
    acceptInterfaceEndpoints: input.params.acceptInterfaceEndpoints,
  });

const isUnverified = (analysis: TablePaths): boolean =>
  analysis.publicUnverified.length > 0 ||
  analysis.paths.some((path) => path.legs.some((leg) => leg.kind === 'unverified'));

const reanalyse = (input: TableInput, analysis: TablePaths, known: Known): TablePaths =>
  known.prefixLists.length > 0 ? analyse(input, known.prefixLists) : analysis;

/** The verdict from the table's analysed paths. */
const conclude = (input: TableInput, analysis: TablePaths, known: Known): Verdict => {
  const { table, served, facts, natGateways, params } = input;
  const { endpoints, region, serviceNames, knownIds, gatewayIds } = facts;
  const fix: FixContext = {
    table,
    region,
    serviceNames,
    interfacesOf: (service) =>
      params.acceptInterfaceEndpoints
        ? []
        : endpoints
            .filter(
              (endpoint) =>
                endpoint.endpointType === 'Interface' &&
                matchesService(endpoint.serviceName, service),
            )
            .map((endpoint) => endpoint.id),
    orphanRoutes: orphanRoutesOf(table, knownIds),
    gatewaysOf: (service) =>
      endpoints.filter(
        (endpoint) =>
          endpoint.endpointType === 'Gateway' && matchesService(endpoint.serviceName, service),
      ),
  };
  const defaultRoute = table.routes.find(
    (route) =>
      route.state === 'active' &&
      route.destinationCidr !== undefined &&
      parseCidr(route.destinationCidr)?.prefix === 0,
  );
  const defaultHop = defaultRoute
    ? `${hopOf(defaultRoute, { endpoints, natGateways }).label} (${defaultRoute.destinationCidr})`
    : undefined;
  return judge({
    table,
    served,
    analysis: pastInternet(analysis),
    fix,
    known,
    defaultHop,
    gatewayIds,
  });
};

/** `conclude`, for a main table of unrecorded subnets as far as anyone can tell. */
const verdictOf = (
  input: TableInput,
  unrecorded: string | undefined,
  analysis: TablePaths,
  known: Known,
): Verdict => {
  const verdict = conclude(input, analysis, known);
  return unrecorded === undefined
    ? verdict
    : withUnrecordedSubnets(verdict, input.table, unrecorded);
};

const privateSubnetGatewayEndpoints = defineRule({
  id: RULE_ID,
  title: 'Route tables of private subnets should send S3 and DynamoDB traffic to Gateway endpoints',
  description:
    'Evaluates each route table that serves at least one subnet (explicitly, or as the main table of its VPC). For every service in gatewayServices and every address family its subnets use (IPv4; IPv6 for dual-stack and IPv6-only subnets, including 64:ff9b::/96 NAT64 traffic where DNS64 is on; IPv4 routes do not count for IPv6-only subnets, and a customer prefix-list route may carry IPv6), it decides where traffic to the service goes as the VPC router does: longest prefix match over all active routes, and at equal length static routes before prefix-list routes before propagated ones. The service addresses are the entries of its AWS-managed prefix list (AWS::EC2::PrefixList items, or read live); a route that outranks the endpoint route for some of them sends that part around the endpoint. A Gateway endpoint counts only when available, in the same VPC, and for IPv6 only with IP address type dualstack. Any path through a NAT gateway, NAT instance or network interface, transit gateway, peering connection, virtual private gateway, local or carrier gateway, Cloud WAN core network, ODB network, egress-only internet gateway or Gateway Load Balancer endpoint is non-compliant. Where the prefix-list entries are unknown, a specific public route to such a hop is reported as could not verify. Public tables (traffic to the internet gateway; a more specific route that sends part of the traffic of a service through another hop, such as a NAT gateway, is judged all the same), tables with no route out for the service and tables serving no subnet are not applicable; a main table whose VPC has subnets that are not recorded, where a subnet association of another table, a route to a NAT gateway, instance or network interface, or an endpoint or NAT gateway placed in a subnet shows that the VPC has subnets, serves them as far as anyone can tell, and a detour through it is could not verify. A change of an endpoint, a subnet or a managed prefix list (AWS::EC2::PrefixList: its entries decide where its route sends traffic) re-evaluates the tables it touches.',
  rationale:
    'Without a Gateway endpoint, S3 and DynamoDB requests from private subnets follow the default route (or a more specific one) through a NAT hop to the public service endpoints. They bypass the endpoint policy and every aws:SourceVpce condition, so data can be copied to buckets or tables in any account, and the path cannot be restricted to the organisation. The NAT detour is also billed per GB.',
  severity: 'medium',
  resourceType: 'AWS::EC2::RouteTable',
  triggerTypes: ['AWS::EC2::VPCEndpoint', 'AWS::EC2::Subnet', 'AWS::EC2::PrefixList'],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '1.3.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.4.1', strength: 'evidence' },
    // 1.3.1 and 1.4.2 are about inbound traffic; AWS's packs list them for the analogue only.
    { framework: 'PCI-DSS-4.0', id: '1.3.1', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.4.2', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.2.8', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.5.1', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: 'A1.1.3', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'evidence' },
  ],
  parameters: {
    gatewayServices: {
      type: 'list',
      description:
        'Services that must be reached through a Gateway endpoint, as short names (s3, dynamodb) or full service names.',
      default: ['s3'],
      pattern: /^[a-z0-9][a-z0-9.-]*$/,
    },
    acceptInterfaceEndpoints: {
      type: 'boolean',
      description:
        "Accept an available Interface endpoint of the service in place of a Gateway endpoint when it is for the region's own service and its private DNS answers the VPC (not only inbound Resolver endpoints, the S3 default next to a Gateway endpoint). Traffic then stays in the VPC, but Interface endpoints bill per hour and per GB where Gateway endpoints are free, and clients that bypass private DNS still take the NAT path.",
      default: false,
    },
  },
  remediation:
    'Create a Gateway endpoint for each listed service in the VPC and associate it with the route table (or add the route table to an existing endpoint); AWS then installs a pl-… → vpce-… route that outranks the default route for the service. Use IP address type dualstack where subnets send IPv6, remove static routes that are more specific than (or equal to) an entry of the service prefix list, and have IPv6-only clients use the dualstack service names rather than NAT64. Cost as well as exposure: a NAT gateway bills every GB it processes (one public report: about $149k of NAT charges in a month for same-region S3 traffic), while Gateway endpoints for S3 and DynamoDB are free.',
  remediationExample:
    'aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0123456789abcdef0 --add-route-table-ids rtb-0123456789abcdef0\n' +
    'aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id vpc-0123456789abcdef0 --service-name com.amazonaws.us-east-1.dynamodb --ip-address-type dualstack --route-table-ids rtb-0123456789abcdef0\n' +
    'aws ec2 delete-route --route-table-id rtb-0123456789abcdef0 --destination-cidr-block 52.216.0.0/15',
  iamActions: [
    'ec2:DescribeRouteTables',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcEndpoints',
    'ec2:DescribeNatGateways',
    'ec2:DescribeManagedPrefixLists',
    'ec2:GetManagedPrefixListEntries',
  ],
  async evaluate(table, view, params) {
    // The main table needs the VPC's tables and subnets (to find the subnets nobody claims); an
    // explicit table needs its subnets when they may use IPv6, to tell their address families.
    const main = isMainTable(table);
    const [tables, subnets] = await Promise.all([
      main ? view.routeTablesOfVpc(table.vpcId) : Promise.resolve([]),
      main || mayUseIpv6(table) ? view.subnetsOfVpc(table.vpcId) : Promise.resolve([]),
    ]);
    let served = servedIds(table, tables, subnets);
    const unrecorded = mayServeUnrecorded(table, main, served, subnets)
      ? unrecordedSubnetsEvidence(
          table,
          tables,
          await view.endpointsOfVpc(table.vpcId),
          await view.natGatewaysOfVpc(table.vpcId),
        )
      : undefined;
    if (served.length === 0 && unrecorded === undefined) {
      return servesNothing(table, hasSubnetsOf(table, subnets));
    }
    if (unrecorded !== undefined) served = [unrecordedSubnets(table)];
    const facts = vpcFactsOf(table, await view.endpointsOfVpc(table.vpcId), params);
    const natGateways = needsNat(table) ? await view.natGatewaysOfVpc(table.vpcId) : [];
    const input = { table, served, subnets, facts, natGateways, params };
    // Prefix-list entries can only settle what is unverified without them: read them then only.
    const analysis = analyse(input, []);
    if (!isUnverified(analysis)) return verdictOf(input, unrecorded, analysis, { prefixLists: [] });
    const known = await readPrefixLists(view, table, facts.listNames);
    return verdictOf(input, unrecorded, reanalyse(input, analysis, known), known);
  },
  evaluateSync(table, reads, params) {
    const main = isMainTable(table);
    const subnets = main || mayUseIpv6(table) ? reads.subnetsOfVpc(table.vpcId) : NONE;
    const tables = main ? reads.routeTablesOfVpc(table.vpcId) : NONE;
    let served = servedIds(table, tables, subnets);
    const unrecorded = mayServeUnrecorded(table, main, served, subnets)
      ? unrecordedSubnetsEvidence(
          table,
          tables,
          reads.endpointsOfVpc(table.vpcId),
          reads.natGatewaysOfVpc(table.vpcId),
        )
      : undefined;
    if (served.length === 0 && unrecorded === undefined) {
      return servesNothing(table, hasSubnetsOf(table, subnets));
    }
    if (unrecorded !== undefined) served = [unrecordedSubnets(table)];
    const facts = cachedVpcFacts(table, reads, params);
    const natGateways = needsNat(table) ? reads.natGatewaysOfVpc(table.vpcId) : NONE;
    const subnetsById = indexedSubnets(subnets);
    const input = { table, served, subnets, subnetsById, facts, natGateways, params };
    const analysis = analyse(input, []);
    if (!isUnverified(analysis)) return verdictOf(input, unrecorded, analysis, { prefixLists: [] });
    // The prefix lists are read through the view when the memory does not hold them.
    if (!reads.prefixLists) return undefined;
    const ids = routePrefixListIds(table);
    const known: Known = { prefixLists: reads.prefixLists({ ids, names: facts.listNames }) };
    return verdictOf(input, unrecorded, reanalyse(input, analysis, known), known);
  },
  async dependents(
    changed: Resource,
    view: AccountView,
    change?: ChangeContext,
  ): Promise<ResourceRef[]> {
    const refs = (tables: readonly { id: string }[]) =>
      tables.map((t): ResourceRef => ({ type: 'AWS::EC2::RouteTable', id: t.id }));
    const tablesOf = async (vpcId: string, extra: readonly string[] = []) => {
      const ids = new Set([...(await view.routeTablesOfVpc(vpcId)).map((t) => t.id), ...extra]);
      return refs([...ids].map((id) => ({ id })));
    };
    switch (changed.type) {
      case 'AWS::EC2::VPCEndpoint':
        return tablesOf(changed.vpcId, changed.routeTableIds);
      case 'AWS::EC2::Subnet':
        return tablesOf(changed.vpcId);
      case 'AWS::EC2::RouteTable': {
        // A changed association can move subnets onto or off the main table, whose own item did
        // not change: re-evaluate it too. When Config's diff shows only routes changed, the main
        // table is unaffected and the VPC's tables need not be read.
        const associationsMayHaveChanged =
          change?.changedProperties === undefined ||
          change.changedProperties.some((path) => /associations/i.test(path));
        if (!associationsMayHaveChanged) return [refOf(changed)];
        const main = (await view.routeTablesOfVpc(changed.vpcId)).filter(
          (t) => t.id !== changed.id && t.vpcId === changed.vpcId && isMainTable(t),
        );
        return refs([changed, ...main]);
      }
      default:
        return [];
    }
  },
  /**
   * A deleted endpoint whose last configuration Config no longer has: the tables that still route
   * to it (its route turns blackhole) are found by target id.
   */
  async dependentsOfGone(gone: ResourceRef, view: AccountView): Promise<ResourceRef[]> {
    if (gone.type !== 'AWS::EC2::VPCEndpoint') return [];
    const tables = (await view.routeTablesRoutingTo?.(gone.id)) ?? [];
    return tables.map((t): ResourceRef => ({ type: 'AWS::EC2::RouteTable', id: t.id }));
  },
  /**
   * A customer list's entries decide where its route's traffic goes (a new S3-sized entry may
   * outrank the endpoint route), and the list changes without any route table changing. Every
   * table of the account is read (a list changes rarely; DescribeRouteTables's prefix-list filter
   * is not implemented everywhere the tests run) and kept when it routes to the list.
   */
  async dependentsOfPrefixList(prefixListId: string, view: AccountView): Promise<ResourceRef[]> {
    const tables = await view.list('AWS::EC2::RouteTable');
    return tables
      .filter((table) => routePrefixListIds(table).includes(prefixListId))
      .map((t): ResourceRef => ({ type: 'AWS::EC2::RouteTable', id: t.id }));
  },
});

export { privateSubnetGatewayEndpoints };

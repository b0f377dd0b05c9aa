import { compliant, nonCompliant, notApplicable } from '../model/compliance.js';
import {
  type Resource,
  type ResourceRef,
  type RouteTable,
  refOf,
  type VpcEndpoint,
} from '../model/resources.js';
import {
  endpointRoutesOf,
  type GatewayReach,
  gatewayEndpointReach,
  isLiveEndpoint,
} from '../network/gateway-endpoints.js';
import { defaultRouteOf, type Hop, isMainTable, subnetsServedBy } from '../network/route-table.js';
import {
  expectedServiceName,
  matchesService,
  regionFromServiceNames,
} from '../network/service-name.js';
import type { AccountView } from '../sources/view.js';
import { type ChangeContext, defineRule } from './rule.js';

const SUBNETS_NAMED = 3;

const listSubnets = (ids: readonly string[]): string => {
  const named = ids.slice(0, SUBNETS_NAMED).join(', ');
  return ids.length > SUBNETS_NAMED ? `${named} and ${ids.length - SUBNETS_NAMED} more` : named;
};

/**
 * Names a private NAT gateway as such: it does not reach the internet itself, but the traffic still
 * leaves the VPC without passing an endpoint policy.
 */
const describeHop = async (hop: Hop, table: RouteTable, view: AccountView): Promise<string> => {
  if (hop.hopClass !== 'nat-gateway') return hop.label;
  const nat = (await view.natGatewaysOfVpc(table.vpcId)).find((n) => n.id === hop.target.id);
  return nat?.connectivityType === 'private' ? `private ${hop.label}` : hop.label;
};

const describeReach = (service: string, reach: GatewayReach): string =>
  reach.via === 'association'
    ? `${service} through ${reach.endpoint.id}`
    : `${service} through ${reach.endpoint.id} (route ${reach.prefixListId} → ${reach.endpoint.id})`;

/** Why the service has no Gateway path: the usual causes, so the reader knows what to fix. */
const missingHint = (
  table: RouteTable,
  service: string,
  endpoints: readonly VpcEndpoint[],
  orphanRoutes: readonly string[],
): string => {
  const ofService = endpoints.filter(
    (endpoint) => endpoint.vpcId === table.vpcId && matchesService(endpoint.serviceName, service),
  );
  const gateway = ofService.find((endpoint) => endpoint.endpointType === 'Gateway');
  if (gateway) {
    return isLiveEndpoint(gateway)
      ? `${gateway.id} exists but is not associated with this table`
      : `${gateway.id} exists but is ${gateway.state}`;
  }
  const other = ofService[0];
  if (other) {
    return `${other.endpointType} endpoint ${other.id} exists, but only a Gateway endpoint takes the route off the NAT path`;
  }
  return orphanRoutes.length > 0
    ? `route(s) ${orphanRoutes.join(', ')} point at endpoints not found in ${table.vpcId}`
    : '';
};

const privateSubnetGatewayEndpoints = defineRule({
  id: 'private-subnet-gateway-endpoints',
  title: 'Route tables of private subnets should send S3 and DynamoDB traffic to Gateway endpoints',
  description:
    'Evaluates each route table that serves at least one subnet (explicitly, or as the main table of its VPC) and whose default route (0.0.0.0/0, or broader routes that together cover it, such as 0.0.0.0/1 + 128.0.0.0/1) leaves through a NAT gateway, a NAT instance, a transit gateway or another hop that is not an internet gateway. The table is compliant when, for every service in gatewayServices, it routes to a Gateway endpoint of that service in the same VPC, seen either as the endpoint associated with the table or as a pl-… → vpce-… route. Public tables (default route to an internet gateway), tables without a default route and tables serving no subnet are not applicable.',
  rationale:
    'Without a Gateway endpoint, S3 and DynamoDB requests from private subnets follow the default route through the NAT hop to the public service endpoints. They bypass the endpoint policy and every aws:SourceVpce condition, so data can be copied to buckets or tables in any account, and the path cannot be restricted to the organisation.',
  severity: 'medium',
  resourceType: 'AWS::EC2::RouteTable',
  triggerTypes: ['AWS::EC2::VPCEndpoint', 'AWS::EC2::Subnet'],
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
  },
  remediation:
    'Create a Gateway endpoint for each listed service in the VPC and associate it with the route table (or add the route table to an existing endpoint). AWS then installs a pl-… → vpce-… route that takes precedence over the default route for that service.',
  remediationExample:
    'aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0123456789abcdef0 --add-route-table-ids rtb-0123456789abcdef0\n' +
    'aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id vpc-0123456789abcdef0 --service-name com.amazonaws.us-east-1.dynamodb --route-table-ids rtb-0123456789abcdef0',
  iamActions: [
    'ec2:DescribeRouteTables',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcEndpoints',
    'ec2:DescribeNatGateways',
  ],
  async evaluate(table, view, params) {
    // Only the main table needs the VPC's other tables and subnets (to find the subnets nobody
    // claims); an explicitly associated table is judged from itself plus the VPC's endpoints.
    const [tables, subnets] = isMainTable(table)
      ? await Promise.all([view.routeTablesOfVpc(table.vpcId), view.subnetsOfVpc(table.vpcId)])
      : [[], []];
    const served = subnetsServedBy(table, tables, subnets).map((s) => s.subnetId);
    if (served.length === 0) {
      const why = !isMainTable(table)
        ? ' and is not the main table'
        : subnets.some((subnet) => subnet.vpcId === table.vpcId)
          ? ` and every subnet of ${table.vpcId} has its own route table`
          : ` and ${table.vpcId} has no subnets (where AWS Config does not record AWS::EC2::Subnet, record it, or the subnets this main table serves stay unknown)`;
      return notApplicable(
        `${table.id} serves no subnet: it has no explicit subnet association${why}.`,
      );
    }
    const route = defaultRouteOf(table);
    if (route.kind === 'none') {
      return notApplicable(
        `${table.id} has no default route (0.0.0.0/0), so traffic from ${listSubnets(served)} cannot reach S3 or DynamoDB through a NAT path.`,
      );
    }
    if (route.kind === 'blackhole') {
      return notApplicable(
        `${table.id} has no usable default route: 0.0.0.0/0 → ${route.route.target.id} is a blackhole.`,
      );
    }
    if (route.hop.hopClass === 'internet-gateway') {
      return notApplicable(
        `${table.id} is a public route table: its default route (${route.route.destinationCidr}) goes to ${route.hop.label}.`,
      );
    }

    const endpoints = (await view.endpointsOfVpc(table.vpcId)).filter(
      (endpoint) => endpoint.vpcId === table.vpcId,
    );
    const serviceNames = endpoints.map((endpoint) => endpoint.serviceName);
    const region = table.region ?? regionFromServiceNames(serviceNames);
    const knownIds = new Set(endpoints.map((endpoint) => endpoint.id));
    const orphanRoutes = endpointRoutesOf(table)
      .filter((r) => !knownIds.has(r.endpointId))
      .map((r) => `${r.prefixListId} → ${r.endpointId}`);

    const reached: string[] = [];
    const missing: string[] = [];
    for (const service of params.gatewayServices) {
      const reach = gatewayEndpointReach(table, service, endpoints);
      if (reach) reached.push(describeReach(service, reach));
      else missing.push(service);
    }
    if (missing.length > 0) {
      // The key facts first (Config shows 256 characters): which services, which subnets, which hop.
      // The NAT gateway lookup only sharpens this message, so compliant tables never pay for it.
      const hop = await describeHop(route.hop, table, view);
      const expected = missing.map((service) => expectedServiceName(service, region, serviceNames));
      const hints = missing.flatMap((service) => {
        const hint = missingHint(table, service, endpoints, orphanRoutes);
        return hint ? [` ${service}: ${hint}.`] : [];
      });
      return nonCompliant(
        `${table.id} has no Gateway endpoint for ${missing.join(', ')}: traffic from ${listSubnets(served)} to ${missing.length === 1 ? 'it' : 'them'} leaves through ${hop} (${route.route.destinationCidr}). Associate a Gateway endpoint (${expected.join(', ')}) with this table.${hints.join('')}`,
      );
    }
    return compliant(
      `${table.id} (default route via ${route.hop.label}) sends ${reached.join(', ')} for ${listSubnets(served)}.`,
    );
  },
  async dependents(
    changed: Resource,
    view: AccountView,
    change?: ChangeContext,
  ): Promise<ResourceRef[]> {
    const tablesOf = async (vpcId: string, extra: readonly string[] = []) => {
      const ids = new Set([...(await view.routeTablesOfVpc(vpcId)).map((t) => t.id), ...extra]);
      return [...ids].map((id): ResourceRef => ({ type: 'AWS::EC2::RouteTable', id }));
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
        return [changed, ...main].map(
          (t): ResourceRef => ({ type: 'AWS::EC2::RouteTable', id: t.id }),
        );
      }
      default:
        return [];
    }
  },
});

export { privateSubnetGatewayEndpoints };

import {
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  type Filter,
  paginateDescribeNatGateways,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpointServiceConfigurations,
  paginateDescribeVpcEndpointServicePermissions,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcs,
  type ServiceConfiguration,
} from '@aws-sdk/client-ec2';
import type {
  Resource,
  ResourceType,
  SecurityGroup,
  VpcEndpointService,
} from '../../model/resources.js';
import { chunk, mapLimit } from '../../util/concurrency.js';
import {
  endpointServiceFromSdk,
  type NormaliseMeta,
  natGatewayFromSdk,
  routeTableFromSdk,
  securityGroupFromSdk,
  subnetFromSdk,
  vpcEndpointFromSdk,
  vpcFromSdk,
} from './normalise.js';
import type { ReadContext } from './read-context.js';
import { isDenied, isMissing, readFailure } from './read-errors.js';

/** The EC2 half of the live view: paginated Describe calls, filtered by VPC or id at the API. */

// Largest page each Describe accepts (DescribeRouteTables caps at 100).
const PAGE_SIZE = 1000;
const ROUTE_TABLE_PAGE_SIZE = 100;
const FILTER_VALUES = 200;

const vpcFilter = (vpcId: string): Filter[] => [{ Name: 'vpc-id', Values: [vpcId] }];

/** Endpoints and NAT gateways stay listed for a while after deletion; Config reports them deleted. */
const isLive = (resource: { state?: string | undefined }): boolean => resource.state !== 'deleted';

/** Drains a paginator and normalises every item; a failure names the IAM action. */
const collect = async <P, S, R>(
  context: ReadContext,
  action: string,
  pages: () => AsyncIterable<P>,
  itemsOf: (page: P) => S[] | undefined,
  normalise: (item: S, meta: NormaliseMeta) => R,
): Promise<R[]> => {
  const meta = await context.meta();
  const results: R[] = [];
  try {
    for await (const page of pages()) {
      for (const item of itemsOf(page) ?? []) results.push(normalise(item, meta));
    }
  } catch (error) {
    throw readFailure(action, error);
  }
  return results;
};

/** The types with a `vpc-id` filter, for one VPC or (no VPC) the whole region. */
const fetchVpcScoped = async (
  context: ReadContext,
  type: ResourceType,
  vpcId: string | undefined,
): Promise<Resource[]> => {
  const client = context.clients.ec2;
  const Filters = vpcId ? vpcFilter(vpcId) : undefined;
  switch (type) {
    case 'AWS::EC2::Subnet':
      return collect(
        context,
        'ec2:DescribeSubnets',
        () => paginateDescribeSubnets({ client, pageSize: PAGE_SIZE }, { Filters }),
        (page) => page.Subnets,
        subnetFromSdk,
      );
    case 'AWS::EC2::RouteTable':
      return collect(
        context,
        'ec2:DescribeRouteTables',
        () => paginateDescribeRouteTables({ client, pageSize: ROUTE_TABLE_PAGE_SIZE }, { Filters }),
        (page) => page.RouteTables,
        routeTableFromSdk,
      );
    case 'AWS::EC2::VPCEndpoint':
      return (
        await collect(
          context,
          'ec2:DescribeVpcEndpoints',
          () => paginateDescribeVpcEndpoints({ client, pageSize: PAGE_SIZE }, { Filters }),
          (page) => page.VpcEndpoints,
          vpcEndpointFromSdk,
        )
      ).filter(isLive);
    case 'AWS::EC2::NatGateway':
      return (
        await collect(
          context,
          'ec2:DescribeNatGateways',
          // The one Describe whose request field is `Filter`, not `Filters`.
          () => paginateDescribeNatGateways({ client, pageSize: PAGE_SIZE }, { Filter: Filters }),
          (page) => page.NatGateways,
          natGatewayFromSdk,
        )
      ).filter(isLive);
    case 'AWS::EC2::SecurityGroup':
      return collect(
        context,
        'ec2:DescribeSecurityGroups',
        () => paginateDescribeSecurityGroups({ client, pageSize: PAGE_SIZE }, { Filters }),
        (page) => page.SecurityGroups,
        securityGroupFromSdk,
      );
    default:
      throw new TypeError(`${type} cannot be listed by VPC`);
  }
};

/** Security groups by id, 200 ids a call; a `group-id` filter (unlike GroupIds) tolerates gone ids. */
const fetchSecurityGroups = async (
  context: ReadContext,
  ids: readonly string[],
): Promise<SecurityGroup[]> => {
  const groups: SecurityGroup[] = [];
  for (const batch of chunk(ids, FILTER_VALUES)) {
    const found = await collect(
      context,
      'ec2:DescribeSecurityGroups',
      () =>
        paginateDescribeSecurityGroups(
          { client: context.clients.ec2, pageSize: PAGE_SIZE },
          { Filters: [{ Name: 'group-id', Values: batch }] },
        ),
      (page) => page.SecurityGroups,
      securityGroupFromSdk,
    );
    for (const group of found) groups.push(group);
  }
  return groups;
};

/** A service configuration with its allowed principals (`undefined` when that read is denied). */
const endpointServiceWithPermissions = async (
  context: ReadContext,
  service: ServiceConfiguration,
  meta: NormaliseMeta,
): Promise<VpcEndpointService> => {
  let principals: string[] | undefined = [];
  try {
    for await (const page of paginateDescribeVpcEndpointServicePermissions(
      { client: context.clients.ec2 },
      { ServiceId: service.ServiceId },
    )) {
      for (const allowed of page.AllowedPrincipals ?? []) {
        if (allowed.Principal) principals.push(allowed.Principal);
      }
    }
  } catch (error) {
    if (!isDenied(error)) throw readFailure('ec2:DescribeVpcEndpointServicePermissions', error);
    principals = undefined;
    context.warnings.push(
      `Allowed principals of ${service.ServiceId} unknown: ec2:DescribeVpcEndpointServicePermissions was denied`,
    );
  }
  return endpointServiceFromSdk(service, principals, meta);
};

const fetchEndpointServices = async (context: ReadContext): Promise<VpcEndpointService[]> => {
  const meta = await context.meta();
  const services = await collect(
    context,
    'ec2:DescribeVpcEndpointServiceConfigurations',
    () =>
      paginateDescribeVpcEndpointServiceConfigurations(
        { client: context.clients.ec2, pageSize: PAGE_SIZE },
        {},
      ),
    (page) => page.ServiceConfigurations,
    (service) => service,
  );
  return mapLimit(services, context.concurrency, (service) =>
    endpointServiceWithPermissions(context, service, meta),
  );
};

/** Every resource of one EC2 type in the region. */
const fetchAllEc2 = (context: ReadContext, type: ResourceType): Promise<Resource[]> => {
  switch (type) {
    case 'AWS::EC2::VPCEndpointService':
      return fetchEndpointServices(context);
    case 'AWS::EC2::SecurityGroup':
      return collect(
        context,
        'ec2:DescribeSecurityGroups',
        () =>
          paginateDescribeSecurityGroups({ client: context.clients.ec2, pageSize: PAGE_SIZE }, {}),
        (page) => page.SecurityGroups,
        securityGroupFromSdk,
      );
    case 'AWS::EC2::VPC':
      return collect(
        context,
        'ec2:DescribeVpcs',
        () => paginateDescribeVpcs({ client: context.clients.ec2, pageSize: PAGE_SIZE }, {}),
        (page) => page.Vpcs,
        vpcFromSdk,
      );
    default:
      return fetchVpcScoped(context, type, undefined);
  }
};

/** One EC2 resource by id; ids the account does not have (or malformed ones) give `undefined`. */
const fetchEc2ById = async (
  context: ReadContext,
  type: ResourceType,
  id: string,
): Promise<Resource | undefined> => {
  const client = context.clients.ec2;
  const meta = await context.meta();
  const byId = async <R>(action: string, read: () => Promise<R | undefined>) => {
    try {
      return await read();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw readFailure(action, error);
    }
  };
  switch (type) {
    case 'AWS::EC2::SecurityGroup':
      return (await fetchSecurityGroups(context, [id]))[0];
    case 'AWS::EC2::VPC':
      return byId('ec2:DescribeVpcs', async () => {
        const { Vpcs } = await client.send(new DescribeVpcsCommand({ VpcIds: [id] }));
        return Vpcs?.[0] && vpcFromSdk(Vpcs[0], meta);
      });
    case 'AWS::EC2::Subnet':
      return byId('ec2:DescribeSubnets', async () => {
        const { Subnets } = await client.send(new DescribeSubnetsCommand({ SubnetIds: [id] }));
        return Subnets?.[0] && subnetFromSdk(Subnets[0], meta);
      });
    case 'AWS::EC2::RouteTable':
      return byId('ec2:DescribeRouteTables', async () => {
        const { RouteTables } = await client.send(
          new DescribeRouteTablesCommand({ RouteTableIds: [id] }),
        );
        return RouteTables?.[0] && routeTableFromSdk(RouteTables[0], meta);
      });
    case 'AWS::EC2::VPCEndpoint':
      return byId('ec2:DescribeVpcEndpoints', async () => {
        const { VpcEndpoints } = await client.send(
          new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }),
        );
        const endpoint = VpcEndpoints?.[0] && vpcEndpointFromSdk(VpcEndpoints[0], meta);
        return endpoint && isLive(endpoint) ? endpoint : undefined;
      });
    case 'AWS::EC2::NatGateway':
      return byId('ec2:DescribeNatGateways', async () => {
        const { NatGateways } = await client.send(
          new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }),
        );
        const gateway = NatGateways?.[0] && natGatewayFromSdk(NatGateways[0], meta);
        return gateway && isLive(gateway) ? gateway : undefined;
      });
    case 'AWS::EC2::VPCEndpointService':
      return byId('ec2:DescribeVpcEndpointServiceConfigurations', async () => {
        const { ServiceConfigurations } = await client.send(
          new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [id] }),
        );
        const service = ServiceConfigurations?.[0];
        return service && endpointServiceWithPermissions(context, service, meta);
      });
    default:
      throw new TypeError(`${type} is not an EC2 resource`);
  }
};

export { fetchAllEc2, fetchEc2ById, fetchSecurityGroups, fetchVpcScoped };

import type {
  NatGateway,
  Route,
  RouteTable,
  RouteTableAssociation,
  RouteTargetKind,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Vpc,
  VpcEndpoint,
  VpcEndpointService,
} from '../../src/model/resources.js';

/**
 * Builders of model resources for unit tests of the network module and the network rules. Only the
 * fields a test cares about are passed; the rest take the values a fresh AWS resource would have.
 */

const vpc = (id: string, cidrBlocks: string[], extra: Partial<Vpc> = {}): Vpc => ({
  type: 'AWS::EC2::VPC',
  id,
  tags: {},
  cidrBlocks,
  ipv6CidrBlocks: [],
  isDefault: false,
  state: 'available',
  ...extra,
});

const subnet = (id: string, vpcId: string, extra: Partial<Subnet> = {}): Subnet => ({
  type: 'AWS::EC2::Subnet',
  id,
  tags: {},
  vpcId,
  ipv6CidrBlocks: [],
  mapPublicIpOnLaunch: false,
  ...extra,
});

const route = (
  destination: string,
  kind: RouteTargetKind,
  targetId: string,
  state: Route['state'] = 'active',
): Route => {
  const target = { kind, id: targetId };
  if (destination.startsWith('pl-')) return { destinationPrefixListId: destination, target, state };
  if (destination.includes(':')) return { destinationIpv6Cidr: destination, target, state };
  return { destinationCidr: destination, target, state };
};

const localRoute = (cidr: string): Route => route(cidr, 'local', 'local');

const explicit = (subnetId: string): RouteTableAssociation => ({ subnetId, main: false });
const main: RouteTableAssociation = { main: true };

const routeTable = (
  id: string,
  vpcId: string,
  routes: Route[],
  associations: RouteTableAssociation[],
  extra: Partial<RouteTable> = {},
): RouteTable => ({
  type: 'AWS::EC2::RouteTable',
  id,
  tags: {},
  vpcId,
  routes,
  associations,
  ...extra,
});

const endpoint = (
  id: string,
  vpcId: string,
  serviceName: string,
  extra: Partial<VpcEndpoint> = {},
): VpcEndpoint => ({
  type: 'AWS::EC2::VPCEndpoint',
  id,
  tags: {},
  vpcId,
  serviceName,
  endpointType: 'Gateway',
  state: 'available',
  policy: { kind: 'absent' },
  routeTableIds: [],
  subnetIds: [],
  securityGroupIds: [],
  privateDnsEnabled: false,
  ...extra,
});

const ingress = (extra: Partial<SecurityGroupRule> = {}): SecurityGroupRule => ({
  protocol: 'tcp',
  fromPort: 443,
  toPort: 443,
  ipv4Ranges: [],
  ipv6Ranges: [],
  prefixListIds: [],
  groupRefs: [],
  ...extra,
});

const securityGroup = (
  id: string,
  rules: SecurityGroupRule[],
  extra: Partial<SecurityGroup> = {},
): SecurityGroup => ({
  type: 'AWS::EC2::SecurityGroup',
  id,
  tags: {},
  groupName: `${id}-name`,
  ingress: rules,
  egress: [],
  ...extra,
});

const natGateway = (id: string, vpcId: string, extra: Partial<NatGateway> = {}): NatGateway => ({
  type: 'AWS::EC2::NatGateway',
  id,
  tags: {},
  vpcId,
  state: 'available',
  connectivityType: 'public',
  ...extra,
});

const endpointService = (
  id: string,
  extra: Partial<VpcEndpointService> = {},
): VpcEndpointService => ({
  type: 'AWS::EC2::VPCEndpointService',
  id,
  tags: {},
  serviceName: `com.amazonaws.vpce.us-east-1.${id}`,
  acceptanceRequired: true,
  allowedPrincipals: [],
  state: 'available',
  ...extra,
});

export {
  endpoint,
  endpointService,
  explicit,
  ingress,
  localRoute,
  main,
  natGateway,
  route,
  routeTable,
  securityGroup,
  subnet,
  vpc,
};

/**
 * The one normalised model of the AWS resources vpce-guard reasons about. Adapters (Config items in
 * either serialisation, EC2/S3 describe output) produce these; rules never see SDK or Config shapes.
 */

const RESOURCE_TYPES = [
  'AWS::S3::Bucket',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::NatGateway',
  'AWS::EC2::VPCEndpointService',
] as const;

type ResourceType = (typeof RESOURCE_TYPES)[number];

/**
 * Managed prefix lists are read for route analysis, never evaluated: not a `ResourceType`, but a
 * type whose changes may re-evaluate the route tables that route to a list.
 */
const PREFIX_LIST_TYPE = 'AWS::EC2::PrefixList';

/** A type whose Config changes re-trigger a rule: a model type, or a managed prefix list. */
type TriggerType = ResourceType | typeof PREFIX_LIST_TYPE;

const isResourceType = (value: unknown): value is ResourceType =>
  typeof value === 'string' && (RESOURCE_TYPES as readonly string[]).includes(value);

interface ResourceRef {
  type: ResourceType;
  id: string;
}

interface ResourceBase extends ResourceRef {
  accountId?: string | undefined;
  region?: string | undefined;
  arn?: string | undefined;
  tags: Record<string, string>;
}

/**
 * A policy as found on a resource. `unreadable` means the scanner was denied the read (for example a
 * bucket whose own VPCE-only policy blocks the scanner): a rule must report that as unverified, not
 * as a violation.
 */
type PolicySource =
  | { kind: 'absent' }
  | { kind: 'present'; text: string }
  | { kind: 'unreadable'; reason: string };

interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

interface Bucket extends ResourceBase {
  type: 'AWS::S3::Bucket';
  name: string;
  policy: PolicySource;
  /** Why the tags could not be read (denied); `tags` is then empty but not known to be. */
  tagsUnreadable?: string | undefined;
  publicAccessBlock?: PublicAccessBlock | undefined;
}

interface Vpc extends ResourceBase {
  type: 'AWS::EC2::VPC';
  cidrBlocks: string[];
  ipv6CidrBlocks: string[];
  isDefault: boolean;
  state?: string | undefined;
}

interface Subnet extends ResourceBase {
  type: 'AWS::EC2::Subnet';
  vpcId: string;
  cidrBlock?: string | undefined;
  ipv6CidrBlocks: string[];
  availabilityZone?: string | undefined;
  mapPublicIpOnLaunch: boolean;
  /** An IPv6-only subnet: no IPv4 block, so only IPv6 routes carry its traffic. */
  ipv6Native?: boolean | undefined;
  /** DNS64: IPv4-only names resolve to `64:ff9b::/96` addresses, which reach IPv4 through NAT64. */
  enableDns64?: boolean | undefined;
}

/** Where a route sends traffic. `kind` is derived from the target field/id prefix once, here. */
type RouteTargetKind =
  | 'local'
  | 'internet-gateway'
  | 'egress-only-internet-gateway'
  | 'nat-gateway'
  | 'instance'
  | 'network-interface'
  | 'transit-gateway'
  | 'vpc-peering'
  /** A `vpce-` target: a Gateway endpoint (prefix-list route) or a Gateway Load Balancer endpoint. */
  | 'vpc-endpoint'
  | 'virtual-private-gateway'
  | 'carrier-gateway'
  | 'local-gateway'
  | 'core-network'
  /** An Oracle Database@AWS ODB network (`odbNetworkArn`). */
  | 'odb-network'
  | 'unknown';

interface RouteTarget {
  kind: RouteTargetKind;
  id: string;
}

/**
 * How a route got into the table (`Origin` in DescribeRouteTables): `CreateRouteTable` for the local
 * route, `CreateRoute` for static routes (and the routes of Gateway endpoints),
 * `EnableVgwRoutePropagation` for routes a virtual private gateway propagates.
 */
type RouteOrigin = 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation';

interface Route {
  destinationCidr?: string | undefined;
  destinationIpv6Cidr?: string | undefined;
  destinationPrefixListId?: string | undefined;
  target: RouteTarget;
  /** `blackhole` routes carry no traffic. */
  state: 'active' | 'blackhole';
  /** Undefined when the source did not record it (then the route counts as static). */
  origin?: RouteOrigin | undefined;
}

interface RouteTableAssociation {
  subnetId?: string | undefined;
  gatewayId?: string | undefined;
  main: boolean;
}

interface RouteTable extends ResourceBase {
  type: 'AWS::EC2::RouteTable';
  vpcId: string;
  routes: Route[];
  associations: RouteTableAssociation[];
}

type VpcEndpointType =
  | 'Gateway'
  | 'Interface'
  | 'GatewayLoadBalancer'
  | 'Resource'
  | 'ServiceNetwork';

interface VpcEndpoint extends ResourceBase {
  type: 'AWS::EC2::VPCEndpoint';
  vpcId: string;
  serviceName: string;
  endpointType: VpcEndpointType;
  /** Lower-case state (`available`, `pending`, `deleted`, ...). */
  state: string;
  policy: PolicySource;
  routeTableIds: string[];
  subnetIds: string[];
  securityGroupIds: string[];
  privateDnsEnabled: boolean;
  ownerId?: string | undefined;
  /**
   * Which address families the endpoint carries (`IpAddressType`). Gateway endpoints are `ipv4`
   * (the default, also when a source leaves it out) or `dualstack`; Interface endpoints may be
   * `ipv6` too.
   */
  ipAddressType?: EndpointIpAddressType | undefined;
  /**
   * `DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint` (S3 Interface endpoints; on by default
   * when the VPC also has an S3 Gateway endpoint): private DNS answers only queries that arrive
   * through inbound Resolver endpoints, so clients inside the VPC still resolve the public names.
   */
  privateDnsOnlyForInboundResolverEndpoint?: boolean | undefined;
}

type EndpointIpAddressType = 'ipv4' | 'dualstack' | 'ipv6';

/**
 * A managed prefix list (`AWS::EC2::PrefixList`, or DescribeManagedPrefixLists +
 * GetManagedPrefixListEntries). AWS-managed lists are named after their service
 * (`com.amazonaws.us-east-1.s3`); their entries are the service's public address ranges, which is
 * what a Gateway endpoint's `pl-… → vpce-…` route matches. Not a `Resource`: no rule evaluates it.
 */
interface PrefixList {
  id: string;
  name?: string | undefined;
  addressFamily?: 'IPv4' | 'IPv6' | undefined;
  ownerId?: string | undefined;
  cidrs: string[];
}

/** What DescribeVpcEndpointServices says about a service an endpoint connects to. */
interface EndpointServiceDetails {
  serviceName: string;
  /** `VpcEndpointPolicySupported`: false for services whose endpoints take no policy. */
  policySupported?: boolean | undefined;
  /** `amazon` for AWS services; an account id for customer (PrivateLink) services. */
  owner?: string | undefined;
}

interface SecurityGroupRef {
  groupId: string;
  userId?: string | undefined;
  vpcId?: string | undefined;
  vpcPeeringConnectionId?: string | undefined;
}

interface SecurityGroupRule {
  /** `-1` for all protocols; otherwise lower-case name (`tcp`, `udp`, `icmp`) or a protocol number. */
  protocol: string;
  fromPort?: number | undefined;
  toPort?: number | undefined;
  ipv4Ranges: { cidr: string; description?: string | undefined }[];
  ipv6Ranges: { cidr: string; description?: string | undefined }[];
  prefixListIds: string[];
  /**
   * Source security groups. A pair naming `vpcId` or `vpcPeeringConnectionId` references a group in
   * another VPC (peering, or a transit gateway with security-group referencing).
   */
  groupRefs: SecurityGroupRef[];
}

interface SecurityGroup extends ResourceBase {
  type: 'AWS::EC2::SecurityGroup';
  vpcId?: string | undefined;
  groupName: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
}

interface NatGateway extends ResourceBase {
  type: 'AWS::EC2::NatGateway';
  vpcId: string;
  subnetId?: string | undefined;
  state?: string | undefined;
  connectivityType: 'public' | 'private';
}

interface VpcEndpointService extends ResourceBase {
  type: 'AWS::EC2::VPCEndpointService';
  serviceName?: string | undefined;
  acceptanceRequired: boolean;
  /** Principals allowed to create endpoints; `undefined` when the source did not say. */
  allowedPrincipals?: string[] | undefined;
  state?: string | undefined;
}

type Resource =
  | Bucket
  | Vpc
  | Subnet
  | RouteTable
  | VpcEndpoint
  | SecurityGroup
  | NatGateway
  | VpcEndpointService;

type ResourceOf<T extends ResourceType> = Extract<Resource, { type: T }>;

const refOf = (resource: ResourceRef): ResourceRef => ({ type: resource.type, id: resource.id });
const refKey = (ref: ResourceRef): string => `${ref.type}|${ref.id}`;

export type {
  Bucket,
  EndpointIpAddressType,
  EndpointServiceDetails,
  NatGateway,
  PolicySource,
  PrefixList,
  PublicAccessBlock,
  Resource,
  ResourceOf,
  ResourceRef,
  ResourceType,
  Route,
  RouteOrigin,
  RouteTable,
  RouteTableAssociation,
  RouteTarget,
  RouteTargetKind,
  SecurityGroup,
  SecurityGroupRef,
  SecurityGroupRule,
  Subnet,
  TriggerType,
  Vpc,
  VpcEndpoint,
  VpcEndpointService,
  VpcEndpointType,
};
export { isResourceType, PREFIX_LIST_TYPE, RESOURCE_TYPES, refKey, refOf };

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
  | 'vpc-endpoint'
  | 'virtual-private-gateway'
  | 'carrier-gateway'
  | 'local-gateway'
  | 'core-network'
  | 'unknown';

interface RouteTarget {
  kind: RouteTargetKind;
  id: string;
}

interface Route {
  destinationCidr?: string | undefined;
  destinationIpv6Cidr?: string | undefined;
  destinationPrefixListId?: string | undefined;
  target: RouteTarget;
  /** `blackhole` routes carry no traffic. */
  state: 'active' | 'blackhole';
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
}

interface SecurityGroupRule {
  /** `-1` for all protocols; otherwise lower-case name (`tcp`, `udp`, `icmp`) or a protocol number. */
  protocol: string;
  fromPort?: number | undefined;
  toPort?: number | undefined;
  ipv4Ranges: { cidr: string; description?: string | undefined }[];
  ipv6Ranges: { cidr: string; description?: string | undefined }[];
  prefixListIds: string[];
  groupRefs: { groupId: string; userId?: string | undefined }[];
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
  NatGateway,
  PolicySource,
  PublicAccessBlock,
  Resource,
  ResourceOf,
  ResourceRef,
  ResourceType,
  Route,
  RouteTable,
  RouteTableAssociation,
  RouteTarget,
  RouteTargetKind,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Vpc,
  VpcEndpoint,
  VpcEndpointService,
  VpcEndpointType,
};
export { isResourceType, RESOURCE_TYPES, refKey, refOf };

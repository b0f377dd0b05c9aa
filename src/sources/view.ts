import type {
  Bucket,
  NatGateway,
  ResourceOf,
  ResourceType,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpoint,
} from '../model/resources.js';

/**
 * The only way a rule reads resources other than the one it evaluates. Two implementations: over a
 * Config snapshot (in memory, indexed) and over the live AWS APIs (paginated, filtered by VPC or id,
 * cached per invocation). Everything is async so both fit behind the same calls.
 */
interface AccountView {
  /** One resource by type and id, or `undefined` when the account has none. */
  get<T extends ResourceType>(type: T, id: string): Promise<ResourceOf<T> | undefined>;
  /** Every resource of a type in the account/region the view covers. */
  list<T extends ResourceType>(type: T): Promise<ResourceOf<T>[]>;
  vpc(vpcId: string): Promise<Vpc | undefined>;
  subnetsOfVpc(vpcId: string): Promise<Subnet[]>;
  routeTablesOfVpc(vpcId: string): Promise<RouteTable[]>;
  endpointsOfVpc(vpcId: string): Promise<VpcEndpoint[]>;
  natGatewaysOfVpc(vpcId: string): Promise<NatGateway[]>;
  /** Security groups by id; ids the account does not have are simply missing from the result. */
  securityGroups(groupIds: readonly string[]): Promise<SecurityGroup[]>;
  /** Interface endpoints that use a security group (for re-evaluation when the group changes). */
  endpointsUsingSecurityGroup(groupId: string): Promise<VpcEndpoint[]>;
  bucket(name: string): Promise<Bucket | undefined>;
}

export type { AccountView };

import type {
  Bucket,
  EndpointServiceDetails,
  NatGateway,
  PrefixList,
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
  /**
   * Resources of a type that `list` left out because reading them failed (live views only): each
   * still ends with one evaluation (permanent) or is named as unjudged (transient).
   */
  readFailures?(type: ResourceType): readonly ResourceReadFailure[];
  /**
   * One slice of a periodic sweep (live views): the resources of a type whose id sorts at or after
   * `fromId`, read until `deadline`. Views without it are read whole with `list`.
   */
  listFrom?<T extends ResourceType>(type: T, range: SweepRange): Promise<SweepSlice<T>>;
  /**
   * Managed prefix lists by id or by name (`com.amazonaws.us-east-1.s3`), with their entries.
   * Lists the source does not know are missing from the result. Optional: a view without it knows
   * no list, and route analysis reports what it could not verify.
   */
  prefixLists?(selector: PrefixListSelector): Promise<PrefixList[]>;
  /**
   * Route tables with a route whose target is `targetId` (a `vpce-…`, `nat-…`, ...), so a deleted
   * target whose last configuration is unknown still re-evaluates the tables that route to it.
   */
  routeTablesRoutingTo?(targetId: string): Promise<RouteTable[]>;
  /** What the service behind an endpoint supports (DescribeVpcEndpointServices); undefined: unknown. */
  endpointServiceDetails?(serviceName: string): Promise<EndpointServiceDetails | undefined>;
}

/**
 * The reads of an AccountView whose account is held in memory, answered synchronously: what a rule's
 * `evaluateSync` reads, so a scan of a snapshot spends no promise per resource. Arrays returned are
 * shared and must not be changed; the same VPC gives the same array for the whole scan, so rules
 * may key per-VPC facts on it.
 */
interface MemoryReads {
  get<T extends ResourceType>(type: T, id: string): ResourceOf<T> | undefined;
  vpc(vpcId: string): Vpc | undefined;
  subnetsOfVpc(vpcId: string): readonly Subnet[];
  routeTablesOfVpc(vpcId: string): readonly RouteTable[];
  endpointsOfVpc(vpcId: string): readonly VpcEndpoint[];
  natGatewaysOfVpc(vpcId: string): readonly NatGateway[];
  /** Security groups by id; ids the account does not have are missing from the result. */
  securityGroups(groupIds: readonly string[]): SecurityGroup[];
  /**
   * Absent when the source's prefix lists are not held in memory: a rule that needs them then
   * declines the synchronous path and is evaluated through the view.
   */
  prefixLists?(selector: PrefixListSelector): PrefixList[];
}

interface PrefixListSelector {
  ids?: readonly string[] | undefined;
  names?: readonly string[] | undefined;
}

interface SweepRange {
  /** Ids compared as plain strings (code units), the order a sweep cursor relies on. */
  fromId?: string | undefined;
  /** Epoch ms: no per-resource read starts after it. */
  deadline?: number | undefined;
}

interface SweepSlice<T extends ResourceType> {
  /** Read in time, ids ascending. */
  resources: ResourceOf<T>[];
  /** Every id of the type the listing showed, in or out of the slice (stale-result cleanup). */
  ids: string[];
  /** The first id at or after `fromId` not read before the deadline; absent when all were. */
  nextId?: string | undefined;
}

/** One resource a view listed but could not read. */
interface ResourceReadFailure {
  type: ResourceType;
  id: string;
  /** Why, naming the IAM action (`s3:GetBucketPolicy on bucket b failed (InvalidRequest: …)`). */
  reason: string;
  /** Throttling, 5xx or transport errors that outlived the retries: a later run may succeed. */
  transient: boolean;
}

export type {
  AccountView,
  MemoryReads,
  PrefixListSelector,
  ResourceReadFailure,
  SweepRange,
  SweepSlice,
};

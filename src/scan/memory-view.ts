import type {
  NatGateway,
  Resource,
  ResourceOf,
  ResourceType,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpoint,
} from '../model/resources.js';
import type { VpcScopedType } from '../sources/snapshot.js';
import type { MemoryReads } from '../sources/view.js';

/** A view that holds every resource of the account in memory, indexed by VPC (the snapshot view). */
interface HeldResources {
  all<T extends ResourceType>(type: T): ResourceOf<T>[];
  byVpc<T extends VpcScopedType>(type: T): ReadonlyMap<string, readonly ResourceOf<T>[]>;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Synchronous reads over resources held in memory: by type and id (indexed on first use), and the
 * view's own per-VPC lists. Each VPC's list is one array for the whole scan (rules key per-VPC
 * facts on it), and no read copies.
 */
class MemoryView implements MemoryReads {
  // Built on first use: a scan of some rules needs only some types indexed.
  private readonly byId = new Map<ResourceType, Map<string, Resource>>();

  constructor(private readonly source: HeldResources) {}

  private idsOf(type: ResourceType): Map<string, Resource> {
    let ids = this.byId.get(type);
    if (!ids) {
      ids = new Map();
      for (const resource of this.source.all(type)) ids.set(resource.id, resource);
      this.byId.set(type, ids);
    }
    return ids;
  }

  get<T extends ResourceType>(type: T, id: string): ResourceOf<T> | undefined {
    return this.idsOf(type).get(id) as ResourceOf<T> | undefined;
  }

  vpc(vpcId: string): Vpc | undefined {
    return this.get('AWS::EC2::VPC', vpcId);
  }

  subnetsOfVpc(vpcId: string): readonly Subnet[] {
    return this.source.byVpc('AWS::EC2::Subnet').get(vpcId) ?? NONE;
  }

  routeTablesOfVpc(vpcId: string): readonly RouteTable[] {
    return this.source.byVpc('AWS::EC2::RouteTable').get(vpcId) ?? NONE;
  }

  endpointsOfVpc(vpcId: string): readonly VpcEndpoint[] {
    return this.source.byVpc('AWS::EC2::VPCEndpoint').get(vpcId) ?? NONE;
  }

  natGatewaysOfVpc(vpcId: string): readonly NatGateway[] {
    return this.source.byVpc('AWS::EC2::NatGateway').get(vpcId) ?? NONE;
  }

  securityGroups(groupIds: readonly string[]): SecurityGroup[] {
    const groups: SecurityGroup[] = [];
    for (const id of groupIds) {
      const group = this.get('AWS::EC2::SecurityGroup', id);
      if (group) groups.push(group);
    }
    return groups;
  }
}

// One index per view, for as long as the view lives: every rule of a scan shares it.
const indexes = new WeakMap<object, MemoryView>();

/** The in-memory reads of a view that holds its resources, built on first use. */
const memoryReadsOf = (source: HeldResources): MemoryReads => {
  let reads = indexes.get(source);
  if (!reads) {
    reads = new MemoryView(source);
    indexes.set(source, reads);
  }
  return reads;
};

export type { HeldResources };
export { memoryReadsOf };

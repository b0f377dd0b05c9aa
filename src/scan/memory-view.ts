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
import type { MemoryReads } from '../sources/view.js';

/** A view that holds every resource of the account in memory (the snapshot view). */
interface HeldResources {
  all<T extends ResourceType>(type: T): ResourceOf<T>[];
}

const NONE: readonly never[] = Object.freeze([]);

const groupByVpc = <T extends { vpcId?: string | undefined }>(
  items: readonly T[],
): Map<string, T[]> => {
  const index = new Map<string, T[]>();
  for (const item of items) {
    if (!item.vpcId) continue;
    const list = index.get(item.vpcId);
    if (list) list.push(item);
    else index.set(item.vpcId, [item]);
  }
  return index;
};

/**
 * Synchronous reads over resources held in memory, indexed once per scan: by type and id, and the
 * per-VPC lists rules ask for. Each VPC's list is one array for the whole scan (rules key per-VPC
 * facts on it), and no read copies.
 */
class MemoryView implements MemoryReads {
  // Built on first use: a scan of some rules needs only some types indexed.
  private readonly byId = new Map<ResourceType, Map<string, Resource>>();
  private subnets: Map<string, Subnet[]> | undefined;
  private tables: Map<string, RouteTable[]> | undefined;
  private endpoints: Map<string, VpcEndpoint[]> | undefined;
  private nats: Map<string, NatGateway[]> | undefined;

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
    this.subnets ??= groupByVpc(this.source.all('AWS::EC2::Subnet'));
    return this.subnets.get(vpcId) ?? NONE;
  }

  routeTablesOfVpc(vpcId: string): readonly RouteTable[] {
    this.tables ??= groupByVpc(this.source.all('AWS::EC2::RouteTable'));
    return this.tables.get(vpcId) ?? NONE;
  }

  endpointsOfVpc(vpcId: string): readonly VpcEndpoint[] {
    this.endpoints ??= groupByVpc(this.source.all('AWS::EC2::VPCEndpoint'));
    return this.endpoints.get(vpcId) ?? NONE;
  }

  natGatewaysOfVpc(vpcId: string): readonly NatGateway[] {
    this.nats ??= groupByVpc(this.source.all('AWS::EC2::NatGateway'));
    return this.nats.get(vpcId) ?? NONE;
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

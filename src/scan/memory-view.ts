import {
  type NatGateway,
  RESOURCE_TYPES,
  type Resource,
  type ResourceOf,
  type ResourceType,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
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
  private readonly byId = new Map<ResourceType, Map<string, Resource>>();
  private readonly subnets: Map<string, Subnet[]>;
  private readonly tables: Map<string, RouteTable[]>;
  private readonly endpoints: Map<string, VpcEndpoint[]>;
  private readonly nats: Map<string, NatGateway[]>;

  constructor(source: HeldResources) {
    for (const type of RESOURCE_TYPES) {
      const ids = new Map<string, Resource>();
      for (const resource of source.all(type)) ids.set(resource.id, resource);
      this.byId.set(type, ids);
    }
    this.subnets = groupByVpc(source.all('AWS::EC2::Subnet'));
    this.tables = groupByVpc(source.all('AWS::EC2::RouteTable'));
    this.endpoints = groupByVpc(source.all('AWS::EC2::VPCEndpoint'));
    this.nats = groupByVpc(source.all('AWS::EC2::NatGateway'));
  }

  get<T extends ResourceType>(type: T, id: string): ResourceOf<T> | undefined {
    return this.byId.get(type)?.get(id) as ResourceOf<T> | undefined;
  }

  vpc(vpcId: string): Vpc | undefined {
    return this.get('AWS::EC2::VPC', vpcId);
  }

  subnetsOfVpc(vpcId: string): readonly Subnet[] {
    return this.subnets.get(vpcId) ?? NONE;
  }

  routeTablesOfVpc(vpcId: string): readonly RouteTable[] {
    return this.tables.get(vpcId) ?? NONE;
  }

  endpointsOfVpc(vpcId: string): readonly VpcEndpoint[] {
    return this.endpoints.get(vpcId) ?? NONE;
  }

  natGatewaysOfVpc(vpcId: string): readonly NatGateway[] {
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

import {
  type Bucket,
  type EndpointServiceDetails,
  type NatGateway,
  type PrefixList,
  type Resource,
  type ResourceOf,
  type ResourceType,
  type RouteTable,
  refKey,
  type SecurityGroup,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
} from '../../model/resources.js';
import { byCodeUnits } from '../../util/order.js';
import type {
  AccountView,
  PrefixListSelector,
  ResourceReadFailure,
  SweepRange,
  SweepSlice,
} from '../view.js';
import { type AwsClientOptions, type AwsClients, createClients } from './clients.js';
import { ConfigBucketReader } from './config-reads.js';
import type { ApiCallCounter } from './counter.js';
import { fetchAllEc2, fetchEc2ById, fetchSecurityGroups, fetchVpcScoped } from './ec2-reads.js';
import type { NormaliseMeta } from './normalise.js';
import { PrefixListReader } from './prefix-lists.js';
import type { ReadContext } from './read-context.js';
import { resourceFailure } from './read-errors.js';
import { EndpointServiceReader, routeTablesRoutingTo } from './route-target-reads.js';
import { type BucketReadOptions, fetchBucket, fetchBuckets } from './s3-reads.js';

interface LiveViewOptions extends AwsClientOptions {
  /** Reuse clients (and their counter); otherwise built from the other options. */
  clients?: AwsClients | undefined;
  /** The scanned account, for resources whose describe output has no owner (NAT gateways, buckets). */
  accountId?: string | undefined;
  /**
   * Where bucket policies come from. `auto`: from AWS Config (100 buckets per call) when a recorder
   * is recording, otherwise (or for buckets Config does not hold) from S3, one bucket at a time.
   */
  bucketSource?: 'auto' | 's3' | undefined;
  /**
   * Serve per-VPC queries from one account-wide list per type. Right for a sweep over every
   * resource (the CLI scan, scheduled evaluations); wrong for one change-triggered evaluation.
   */
  wholeLists?: boolean | undefined;
  /**
   * Read each bucket's public access block from S3 (one GetPublicAccessBlock per bucket; default
   * true). No rule needs it today; turning it off saves a third of the S3 calls of a sweep.
   */
  readPublicAccessBlock?: boolean | undefined;
  /**
   * Read each bucket's tags from S3 (one GetBucketTagging per bucket; default true). Only rules
   * scoped by tag need them: pass `bucketTagsNeeded(params)` to save a call per bucket otherwise.
   */
  readBucketTags?: boolean | undefined;
  /** Parallel per-resource reads (bucket policies, endpoint service permissions). */
  concurrency?: number | undefined;
}

/**
 * The live AccountView: EC2, S3 and Config reads, paginated, filtered at the API (by VPC or id) and
 * cached for the life of the view, which is one evaluation or one scan. Nothing is asked twice: a
 * whole-type list answers every later per-VPC and by-id question, and concurrent identical
 * questions share one call.
 */
class LiveAccountView implements AccountView, ReadContext {
  readonly clients: AwsClients;
  readonly warnings: string[] = [];
  readonly concurrency: number;
  private readonly options: LiveViewOptions;
  private readonly configBuckets: ConfigBucketReader;
  private readonly prefixListReader: PrefixListReader;
  private readonly endpointServiceReader: EndpointServiceReader;
  private readonly bucketOptions: BucketReadOptions;
  private regionPromise: Promise<string> | undefined;
  private readonly whole = new Map<ResourceType, Promise<Resource[]>>();
  private readonly perVpc = new Map<string, Promise<Resource[]>>();
  private readonly byId = new Map<string, Promise<Resource | undefined>>();
  private readonly known = new Map<string, Resource>();
  private readonly failures = new Map<string, ResourceReadFailure>();

  constructor(clients: AwsClients, options: LiveViewOptions = {}) {
    this.clients = clients;
    this.options = options;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.configBuckets = new ConfigBucketReader(this, options.bucketSource !== 's3');
    this.prefixListReader = new PrefixListReader(this);
    this.endpointServiceReader = new EndpointServiceReader(this);
    this.bucketOptions = {
      readPublicAccessBlock: options.readPublicAccessBlock !== false,
      readTags: options.readBucketTags !== false,
    };
  }

  get counter(): ApiCallCounter {
    return this.clients.counter;
  }

  get accountId(): string | undefined {
    return this.options.accountId;
  }

  async get<T extends ResourceType>(type: T, id: string): Promise<ResourceOf<T> | undefined> {
    const key = refKey({ type, id });
    const seen = this.known.get(key);
    if (seen) return seen as ResourceOf<T>;
    const whole = this.whole.get(type);
    if (whole || this.options.wholeLists) {
      const all = await this.list(type);
      return all.find((resource) => resource.id === id);
    }
    if (type === 'AWS::EC2::SecurityGroup') {
      const [group] = await this.securityGroups([id]);
      return group as ResourceOf<T> | undefined;
    }
    let pending = this.byId.get(key);
    if (!pending) {
      pending = this.fetchById(type, id).then((resource) => this.remember(resource));
      this.byId.set(key, pending);
    }
    return (await pending) as ResourceOf<T> | undefined;
  }

  async list<T extends ResourceType>(type: T): Promise<ResourceOf<T>[]> {
    let pending = this.whole.get(type);
    if (!pending) {
      pending = this.fetchAll(type).then((resources) => {
        for (const resource of resources) this.remember(resource);
        return resources;
      });
      this.whole.set(type, pending);
    }
    return [...(await pending)] as ResourceOf<T>[];
  }

  async listFrom<T extends ResourceType>(type: T, range: SweepRange): Promise<SweepSlice<T>> {
    if (type === 'AWS::S3::Bucket' && !this.whole.has(type)) {
      // Per-bucket reads are what a sweep spends its time on: read only the slice, in order.
      const slice = await fetchBuckets(this, this.configBuckets, this.bucketOptions, range);
      for (const bucket of slice.resources) this.remember(bucket);
      return slice as unknown as SweepSlice<T>;
    }
    const all = await this.list(type);
    const from = range.fromId;
    const ids = all.map((resource) => resource.id).sort(byCodeUnits);
    const resources = all
      .filter((resource) => from === undefined || resource.id >= from)
      .sort((a, b) => byCodeUnits(a.id, b.id));
    return { resources, ids };
  }

  /** Loads whole-type lists up front, e.g. the scope of the rules a scan is about to run. */
  async prefetch(types: readonly ResourceType[]): Promise<void> {
    await Promise.all([...new Set(types)].map((type) => this.list(type)));
  }

  vpc(vpcId: string): Promise<Vpc | undefined> {
    return this.get('AWS::EC2::VPC', vpcId);
  }

  subnetsOfVpc(vpcId: string): Promise<Subnet[]> {
    return this.ofVpc('AWS::EC2::Subnet', vpcId);
  }

  routeTablesOfVpc(vpcId: string): Promise<RouteTable[]> {
    return this.ofVpc('AWS::EC2::RouteTable', vpcId);
  }

  endpointsOfVpc(vpcId: string): Promise<VpcEndpoint[]> {
    return this.ofVpc('AWS::EC2::VPCEndpoint', vpcId);
  }

  natGatewaysOfVpc(vpcId: string): Promise<NatGateway[]> {
    return this.ofVpc('AWS::EC2::NatGateway', vpcId);
  }

  async securityGroups(groupIds: readonly string[]): Promise<SecurityGroup[]> {
    const type = 'AWS::EC2::SecurityGroup';
    const ids = [...new Set(groupIds)];
    if (this.whole.has(type) || this.options.wholeLists) {
      const all = await this.list(type);
      return ids.flatMap((id) => all.filter((group) => group.id === id));
    }
    const missing = ids.filter(
      (id) => !this.known.has(refKey({ type, id })) && !this.byId.has(refKey({ type, id })),
    );
    if (missing.length > 0) {
      // One DescribeSecurityGroups for every group not yet seen.
      const batch = fetchSecurityGroups(this, missing).then((groups) =>
        groups.map((group) => this.remember(group)),
      );
      for (const id of missing) {
        this.byId.set(
          refKey({ type, id }),
          batch.then((groups) => groups.find((group) => group.id === id)),
        );
      }
    }
    const found = await Promise.all(
      ids.map((id) => this.known.get(refKey({ type, id })) ?? this.byId.get(refKey({ type, id }))),
    );
    return found.filter((group): group is SecurityGroup => group?.type === type);
  }

  async endpointsUsingSecurityGroup(groupId: string): Promise<VpcEndpoint[]> {
    const usesGroup = (endpoint: VpcEndpoint) => endpoint.securityGroupIds.includes(groupId);
    // DescribeVpcEndpoints has no security-group filter; the group's VPC narrows the query instead.
    if (!this.whole.has('AWS::EC2::VPCEndpoint') && !this.options.wholeLists) {
      const [group] = await this.securityGroups([groupId]);
      if (group?.vpcId) return (await this.endpointsOfVpc(group.vpcId)).filter(usesGroup);
    }
    return (await this.list('AWS::EC2::VPCEndpoint')).filter(usesGroup);
  }

  async bucket(name: string): Promise<Bucket | undefined> {
    return this.get('AWS::S3::Bucket', name);
  }

  prefixLists(selector: PrefixListSelector): Promise<PrefixList[]> {
    return this.prefixListReader.read(selector);
  }

  routeTablesRoutingTo(targetId: string): Promise<RouteTable[]> {
    return routeTablesRoutingTo(this, targetId);
  }

  endpointServiceDetails(serviceName: string): Promise<EndpointServiceDetails | undefined> {
    return this.endpointServiceReader.read(serviceName);
  }

  readFailures(type: ResourceType): ResourceReadFailure[] {
    const found: ResourceReadFailure[] = [];
    for (const failure of this.failures.values()) if (failure.type === type) found.push(failure);
    return found;
  }

  recordFailure(type: ResourceType, id: string, error: unknown): void {
    this.failures.set(refKey({ type, id }), resourceFailure(type, id, error));
  }

  region(): Promise<string> {
    this.regionPromise ??= this.options.region
      ? Promise.resolve(this.options.region)
      : this.clients.config.config.region();
    return this.regionPromise;
  }

  async meta(): Promise<NormaliseMeta> {
    return { region: await this.region(), accountId: this.options.accountId };
  }

  private remember<R extends Resource | undefined>(resource: R): R {
    if (resource) this.known.set(refKey(resource), resource);
    return resource;
  }

  private async ofVpc<
    T extends
      | 'AWS::EC2::Subnet'
      | 'AWS::EC2::RouteTable'
      | 'AWS::EC2::VPCEndpoint'
      | 'AWS::EC2::NatGateway',
  >(type: T, vpcId: string): Promise<ResourceOf<T>[]> {
    if (this.whole.has(type) || this.options.wholeLists) {
      const all: (Subnet | RouteTable | VpcEndpoint | NatGateway)[] = await this.list(type);
      return all.filter((resource) => resource.vpcId === vpcId) as ResourceOf<T>[];
    }
    const key = `${type}|${vpcId}`;
    let pending = this.perVpc.get(key);
    if (!pending) {
      pending = fetchVpcScoped(this, type, vpcId).then((resources) => {
        for (const resource of resources) this.remember(resource);
        return resources;
      });
      this.perVpc.set(key, pending);
    }
    return [...(await pending)] as ResourceOf<T>[];
  }

  private fetchAll(type: ResourceType): Promise<Resource[]> {
    return type === 'AWS::S3::Bucket'
      ? fetchBuckets(this, this.configBuckets, this.bucketOptions).then((slice) => slice.resources)
      : fetchAllEc2(this, type);
  }

  private fetchById(type: ResourceType, id: string): Promise<Resource | undefined> {
    return type === 'AWS::S3::Bucket'
      ? fetchBucket(this, this.configBuckets, id, this.bucketOptions)
      : fetchEc2ById(this, type, id);
  }
}

/**
 * Whether any rule's parsed parameters scope it by bucket tag (`bucketTagKey`, see
 * src/rules/bucket-scope.ts): only then does a live view need to read bucket tags.
 */
const bucketTagsNeeded = (params: Iterable<unknown>): boolean => {
  for (const value of params) {
    const key = (value as { bucketTagKey?: unknown } | null | undefined)?.bucketTagKey;
    if (typeof key === 'string') return true;
  }
  return false;
};

/** A live view over fresh clients (or `options.clients`), one per evaluation or scan. */
const createLiveView = (options: LiveViewOptions = {}): LiveAccountView =>
  new LiveAccountView(options.clients ?? createClients(options), options);

export type { LiveViewOptions };
export { bucketTagsNeeded, createLiveView, LiveAccountView };

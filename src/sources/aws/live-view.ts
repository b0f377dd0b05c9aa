import {
  type BaseConfigurationItem,
  BatchGetResourceConfigCommand,
  DescribeConfigurationRecorderStatusCommand,
  paginateListDiscoveredResources,
} from '@aws-sdk/client-config-service';
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
import {
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  paginateListBuckets,
} from '@aws-sdk/client-s3';
import { AwsReadError, ConfigItemParseError } from '../../errors.js';
import {
  type Bucket,
  type NatGateway,
  type PolicySource,
  type PublicAccessBlock,
  type Resource,
  type ResourceOf,
  type ResourceType,
  type RouteTable,
  refKey,
  type SecurityGroup,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
  type VpcEndpointService,
} from '../../model/resources.js';
import { chunk, mapLimit } from '../../util/concurrency.js';
import { parseConfigurationItem } from '../config-item.js';
import type { AccountView } from '../view.js';
import { type AwsClientOptions, type AwsClients, createClients } from './clients.js';
import type { ApiCallCounter } from './counter.js';
import {
  bucketFromReads,
  endpointServiceFromSdk,
  type NormaliseMeta,
  natGatewayFromSdk,
  routeTableFromSdk,
  securityGroupFromSdk,
  subnetFromSdk,
  vpcEndpointFromSdk,
  vpcFromSdk,
} from './normalise.js';

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
  /** Parallel per-resource reads (bucket policies, endpoint service permissions). */
  concurrency?: number | undefined;
}

type Json = Record<string, unknown>;

const DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AllAccessDisabled',
  'Forbidden',
]);
const MISSING_CODES = new Set(['NatGatewayNotFound', 'NoSuchBucket', 'NotFound']);

const errorCode = (error: unknown): string => {
  const candidate = error as { Code?: unknown; name?: unknown } | undefined;
  if (typeof candidate?.Code === 'string') return candidate.Code;
  return typeof candidate?.name === 'string' ? candidate.name : 'Error';
};

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

// A 403 with an empty body (what a bucket's own Deny returns) surfaces with the name `Unknown`.
const isDenied = (error: unknown): boolean =>
  DENIED_CODES.has(errorCode(error)) || httpStatus(error) === 403;

const isMissing = (error: unknown): boolean => {
  const code = errorCode(error);
  return MISSING_CODES.has(code) || /\.(NotFound|Malformed)$/.test(code);
};

/** A failed read the scan cannot work around: name the permission so the fix is obvious. */
const readFailure = (action: string, error: unknown): AwsReadError => {
  if (error instanceof AwsReadError) return error;
  const detail = `${errorCode(error)}: ${errorMessage(error)}`;
  return isDenied(error)
    ? new AwsReadError(
        `Access denied to ${action}; grant it to the scanning role (read-only) and run again (${detail})`,
        { cause: error, denied: true },
      )
    : new AwsReadError(`${action} failed (${detail})`, { cause: error });
};

/** A bucket's tags, or why they could not be read. */
interface TagsRead {
  tags: Record<string, string>;
  unreadable?: string;
}

/** ListBuckets page size: S3's maximum. */
const LIST_BUCKETS_PAGE = 10_000;

const vpcFilter = (vpcId: string): Filter[] => [{ Name: 'vpc-id', Values: [vpcId] }];

/** Endpoints and NAT gateways stay listed for a while after deletion; Config reports them deleted. */
const isLive = (resource: { state?: string | undefined }): boolean => resource.state !== 'deleted';

// Largest page each Describe accepts (DescribeRouteTables caps at 100). ListBuckets gets none: moto
// truncates without a continuation token when MaxBuckets is set, and AWS pages only above 10,000.
const PAGE_SIZE = 1000;
const ROUTE_TABLE_PAGE_SIZE = 100;
const CONFIG_BATCH = 100;
const FILTER_VALUES = 200;

/**
 * The live AccountView: EC2, S3 and Config reads, paginated, filtered at the API (by VPC or id) and
 * cached for the life of the view, which is one evaluation or one scan. Nothing is asked twice: a
 * whole-type list answers every later per-VPC and by-id question, and concurrent identical
 * questions share one call.
 */
class LiveAccountView implements AccountView {
  readonly clients: AwsClients;
  /** Reads that were denied or skipped without failing the scan (tags, public access blocks, ...). */
  readonly warnings: string[] = [];
  private readonly options: LiveViewOptions;
  private readonly concurrency: number;
  private regionPromise: Promise<string> | undefined;
  private configRecordingPromise: Promise<boolean> | undefined;
  private readonly whole = new Map<ResourceType, Promise<Resource[]>>();
  private readonly perVpc = new Map<string, Promise<Resource[]>>();
  private readonly byId = new Map<string, Promise<Resource | undefined>>();
  private readonly known = new Map<string, Resource>();

  constructor(clients: AwsClients, options: LiveViewOptions = {}) {
    this.clients = clients;
    this.options = options;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
  }

  get counter(): ApiCallCounter {
    return this.clients.counter;
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
      // One DescribeSecurityGroups for every group not yet seen; a `group-id` filter (unlike
      // GroupIds) tolerates ids that no longer exist.
      const batch = this.fetchSecurityGroups(missing);
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

  private remember<R extends Resource | undefined>(resource: R): R {
    if (resource) this.known.set(refKey(resource), resource);
    return resource;
  }

  private region(): Promise<string> {
    this.regionPromise ??= this.options.region
      ? Promise.resolve(this.options.region)
      : this.clients.ec2.config.region();
    return this.regionPromise;
  }

  private async meta(): Promise<NormaliseMeta> {
    return { region: await this.region(), accountId: this.options.accountId };
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
      pending = this.fetchVpcScoped(type, vpcId).then((resources) => {
        for (const resource of resources) this.remember(resource);
        return resources;
      });
      this.perVpc.set(key, pending);
    }
    return [...(await pending)] as ResourceOf<T>[];
  }

  /** Drains a paginator and normalises every item; a failure names the IAM action. */
  private async collect<P, S, R>(
    action: string,
    pages: () => AsyncIterable<P>,
    itemsOf: (page: P) => S[] | undefined,
    normalise: (item: S, meta: NormaliseMeta) => R,
  ): Promise<R[]> {
    const meta = await this.meta();
    const results: R[] = [];
    try {
      for await (const page of pages()) {
        for (const item of itemsOf(page) ?? []) results.push(normalise(item, meta));
      }
    } catch (error) {
      throw readFailure(action, error);
    }
    return results;
  }

  private fetchAll(type: ResourceType): Promise<Resource[]> {
    switch (type) {
      case 'AWS::S3::Bucket':
        return this.fetchBuckets();
      case 'AWS::EC2::VPCEndpointService':
        return this.fetchEndpointServices();
      case 'AWS::EC2::SecurityGroup':
        return this.collect(
          'ec2:DescribeSecurityGroups',
          () =>
            paginateDescribeSecurityGroups({ client: this.clients.ec2, pageSize: PAGE_SIZE }, {}),
          (page) => page.SecurityGroups,
          securityGroupFromSdk,
        );
      case 'AWS::EC2::VPC':
        return this.collect(
          'ec2:DescribeVpcs',
          () => paginateDescribeVpcs({ client: this.clients.ec2, pageSize: PAGE_SIZE }, {}),
          (page) => page.Vpcs,
          vpcFromSdk,
        );
      default:
        return this.fetchVpcScoped(type, undefined);
    }
  }

  /** The four types with a `vpc-id` filter, for one VPC or (no VPC) the whole region. */
  private async fetchVpcScoped(type: ResourceType, vpcId: string | undefined): Promise<Resource[]> {
    const client = this.clients.ec2;
    const Filters = vpcId ? vpcFilter(vpcId) : undefined;
    switch (type) {
      case 'AWS::EC2::Subnet':
        return this.collect(
          'ec2:DescribeSubnets',
          () => paginateDescribeSubnets({ client, pageSize: PAGE_SIZE }, { Filters }),
          (page) => page.Subnets,
          subnetFromSdk,
        );
      case 'AWS::EC2::RouteTable':
        return this.collect(
          'ec2:DescribeRouteTables',
          () =>
            paginateDescribeRouteTables({ client, pageSize: ROUTE_TABLE_PAGE_SIZE }, { Filters }),
          (page) => page.RouteTables,
          routeTableFromSdk,
        );
      case 'AWS::EC2::VPCEndpoint':
        return (
          await this.collect(
            'ec2:DescribeVpcEndpoints',
            () => paginateDescribeVpcEndpoints({ client, pageSize: PAGE_SIZE }, { Filters }),
            (page) => page.VpcEndpoints,
            vpcEndpointFromSdk,
          )
        ).filter(isLive);
      case 'AWS::EC2::NatGateway':
        return (
          await this.collect(
            'ec2:DescribeNatGateways',
            // The one Describe whose request field is `Filter`, not `Filters`.
            () => paginateDescribeNatGateways({ client, pageSize: PAGE_SIZE }, { Filter: Filters }),
            (page) => page.NatGateways,
            natGatewayFromSdk,
          )
        ).filter(isLive);
      case 'AWS::EC2::SecurityGroup':
        return this.collect(
          'ec2:DescribeSecurityGroups',
          () => paginateDescribeSecurityGroups({ client, pageSize: PAGE_SIZE }, { Filters }),
          (page) => page.SecurityGroups,
          securityGroupFromSdk,
        );
      default:
        throw new TypeError(`${type} cannot be listed by VPC`);
    }
  }

  /** One resource by id; ids the account does not have (or malformed ones) give `undefined`. */
  private async fetchById(type: ResourceType, id: string): Promise<Resource | undefined> {
    const client = this.clients.ec2;
    const meta = await this.meta();
    const byId = async <R>(action: string, read: () => Promise<R | undefined>) => {
      try {
        return await read();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw readFailure(action, error);
      }
    };
    switch (type) {
      case 'AWS::S3::Bucket':
        return this.fetchBucket(id);
      case 'AWS::EC2::SecurityGroup':
        return (await this.fetchSecurityGroups([id]))[0];
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
          return service && this.endpointServiceWithPermissions(service, meta);
        });
    }
  }

  private async fetchSecurityGroups(ids: readonly string[]): Promise<SecurityGroup[]> {
    const groups: SecurityGroup[] = [];
    for (const batch of chunk(ids, FILTER_VALUES)) {
      const found = await this.collect(
        'ec2:DescribeSecurityGroups',
        () =>
          paginateDescribeSecurityGroups(
            { client: this.clients.ec2, pageSize: PAGE_SIZE },
            { Filters: [{ Name: 'group-id', Values: batch }] },
          ),
        (page) => page.SecurityGroups,
        securityGroupFromSdk,
      );
      for (const group of found) groups.push(this.remember(group));
    }
    return groups;
  }

  private async fetchEndpointServices(): Promise<VpcEndpointService[]> {
    const meta = await this.meta();
    const services = await this.collect(
      'ec2:DescribeVpcEndpointServiceConfigurations',
      () =>
        paginateDescribeVpcEndpointServiceConfigurations(
          { client: this.clients.ec2, pageSize: PAGE_SIZE },
          {},
        ),
      (page) => page.ServiceConfigurations,
      (service) => service,
    );
    return mapLimit(services, this.concurrency, (service) =>
      this.endpointServiceWithPermissions(service, meta),
    );
  }

  private async endpointServiceWithPermissions(
    service: ServiceConfiguration,
    meta: NormaliseMeta,
  ): Promise<VpcEndpointService> {
    let principals: string[] | undefined = [];
    try {
      for await (const page of paginateDescribeVpcEndpointServicePermissions(
        { client: this.clients.ec2 },
        { ServiceId: service.ServiceId },
      )) {
        for (const allowed of page.AllowedPrincipals ?? []) {
          if (allowed.Principal) principals.push(allowed.Principal);
        }
      }
    } catch (error) {
      if (!isDenied(error)) throw readFailure('ec2:DescribeVpcEndpointServicePermissions', error);
      principals = undefined;
      this.warnings.push(
        `Allowed principals of ${service.ServiceId} unknown: ec2:DescribeVpcEndpointServicePermissions was denied`,
      );
    }
    return endpointServiceFromSdk(service, principals, meta);
  }

  // ---------------------------------------------------------------- buckets

  private async fetchBuckets(): Promise<Bucket[]> {
    const region = await this.region();
    const all: { name: string; region: string | undefined }[] = [];
    try {
      // The region filter runs in S3 and makes S3 name each bucket's region; S3 pages above
      // 10,000 buckets and rejects an unpaginated list for accounts allowed more than that.
      for await (const page of paginateListBuckets(
        { client: this.clients.s3, pageSize: LIST_BUCKETS_PAGE },
        { BucketRegion: region },
      )) {
        for (const bucket of page.Buckets ?? []) {
          if (bucket.Name)
            all.push({ name: bucket.Name, region: bucket.BucketRegion || undefined });
        }
      }
    } catch (error) {
      throw readFailure('s3:ListAllMyBuckets', error);
    }
    // A regional view judges its own region's buckets, so a multi-region scan reports each bucket
    // once. S3-compatible APIs (moto) may ignore the filter and leave the region out; then
    // GetBucketLocation says where each bucket lives.
    const located = await mapLimit(all, this.concurrency, async (bucket) => ({
      name: bucket.name,
      region: bucket.region ?? (await this.bucketLocation(bucket.name, region)),
    }));
    const listed = located.filter((bucket) => bucket.region === region);
    const fromConfig = await this.bucketsFromConfig(listed.map((bucket) => bucket.name));
    const buckets = await mapLimit(
      listed,
      this.concurrency,
      async (bucket) =>
        fromConfig.get(bucket.name) ?? this.bucketFromS3(bucket.name, bucket.region),
    );
    return buckets.filter((bucket): bucket is Bucket => bucket !== undefined);
  }

  /** The region of a bucket; a denied read counts as this view's region so the bucket is judged. */
  private async bucketLocation(name: string, fallback: string): Promise<string> {
    try {
      const { LocationConstraint } = await this.clients.s3.send(
        new GetBucketLocationCommand({ Bucket: name }),
      );
      // An empty constraint is us-east-1; `EU` is the legacy name of eu-west-1.
      if (!LocationConstraint) return 'us-east-1';
      return LocationConstraint === 'EU' ? 'eu-west-1' : LocationConstraint;
    } catch (error) {
      if (!isDenied(error)) throw readFailure(`s3:GetBucketLocation on bucket ${name}`, error);
      this.warnings.push(
        `Region of bucket ${name} unknown (s3:GetBucketLocation denied); judged in ${fallback}`,
      );
      return fallback;
    }
  }

  private async fetchBucket(name: string): Promise<Bucket | undefined> {
    const fromConfig = await this.bucketsFromConfig([name], { alreadyDiscovered: true });
    return fromConfig.get(name) ?? this.bucketFromS3(name, await this.region());
  }

  /** Whether Config is recording right now; a stopped recorder's items may be long stale. */
  private configRecording(): Promise<boolean> {
    this.configRecordingPromise ??= (async () => {
      if (this.options.bucketSource === 's3') return false;
      try {
        const { ConfigurationRecordersStatus } = await this.clients.config.send(
          new DescribeConfigurationRecorderStatusCommand({}),
        );
        return (ConfigurationRecordersStatus ?? []).some((status) => status.recording === true);
      } catch (error) {
        if (errorCode(error) !== 'NoSuchConfigurationRecorderException') {
          this.warnings.push(
            `AWS Config not used for bucket policies, reading them from S3 instead (${errorCode(error)}: ${errorMessage(error)})`,
          );
        }
        return false;
      }
    })();
    return this.configRecordingPromise;
  }

  /**
   * Bucket policies from AWS Config: ListDiscoveredResources, then BatchGetResourceConfig 100 keys
   * a call. Buckets Config does not hold are simply absent from the result (read from S3 instead);
   * any Config failure falls back to S3 for all of them, with a warning.
   */
  private async bucketsFromConfig(
    names: readonly string[],
    { alreadyDiscovered = false }: { alreadyDiscovered?: boolean } = {},
  ): Promise<Map<string, Bucket>> {
    const result = new Map<string, Bucket>();
    if (names.length === 0 || !(await this.configRecording())) return result;
    const type = 'AWS::S3::Bucket';
    try {
      let keys = [...names];
      if (!alreadyDiscovered) {
        const discovered = new Set<string>();
        for await (const page of paginateListDiscoveredResources(
          { client: this.clients.config, pageSize: CONFIG_BATCH },
          { resourceType: type },
        )) {
          for (const identifier of page.resourceIdentifiers ?? []) {
            if (identifier.resourceId) discovered.add(identifier.resourceId);
          }
        }
        keys = keys.filter((name) => discovered.has(name));
      }
      for (const batch of chunk(keys, CONFIG_BATCH)) {
        let pending = batch.map((resourceId) => ({ resourceType: type, resourceId }) as const);
        // Unprocessed keys are retried twice; what is still left is read from S3.
        for (let round = 0; round < 3 && pending.length > 0; round++) {
          const response = await this.clients.config.send(
            new BatchGetResourceConfigCommand({ resourceKeys: pending }),
          );
          for (const item of response.baseConfigurationItems ?? []) {
            const bucket = this.bucketFromConfigItem(item);
            if (bucket) result.set(bucket.name, bucket);
          }
          pending = (response.unprocessedResourceKeys ?? []).flatMap((key) =>
            key.resourceId ? [{ resourceType: type, resourceId: key.resourceId } as const] : [],
          );
        }
      }
    } catch (error) {
      this.warnings.push(
        `AWS Config could not provide bucket policies, reading them from S3 instead (${errorCode(error)}: ${errorMessage(error)})`,
      );
      this.configRecordingPromise = Promise.resolve(false);
      result.clear();
    }
    return result;
  }

  private bucketFromConfigItem(item: BaseConfigurationItem): Bucket | undefined {
    try {
      const parsed = parseConfigurationItem(item as Json);
      return parsed.resource?.type === 'AWS::S3::Bucket' ? parsed.resource : undefined;
    } catch (error) {
      if (!(error instanceof ConfigItemParseError)) throw error;
      this.warnings.push(`${error.message}; reading that bucket from S3 instead`);
      return undefined;
    }
  }

  /** The three S3 reads for one bucket; `undefined` when the bucket no longer exists. */
  private async bucketFromS3(name: string, region: string): Promise<Bucket | undefined> {
    const s3 = this.clients.s3;
    const gone = Symbol('gone');
    const read = async <R>(
      action: string,
      call: () => Promise<R>,
      onError: (error: unknown) => R,
    ): Promise<R | typeof gone> => {
      try {
        return await call();
      } catch (error) {
        if (errorCode(error) === 'NoSuchBucket') return gone;
        const handled = onError(error);
        if (handled !== undefined) return handled;
        throw readFailure(`${action} on bucket ${name}`, error);
      }
    };
    const denied = (action: string, error: unknown) =>
      `${action} was denied (${errorCode(error)}${errorMessage(error) && errorMessage(error) !== 'UnknownError' ? `: ${errorMessage(error)}` : ''})`;

    const [policy, tags, publicAccessBlock] = await Promise.all([
      read<PolicySource | undefined>(
        's3:GetBucketPolicy',
        async () => {
          const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: name }));
          return Policy ? { kind: 'present', text: Policy } : { kind: 'absent' };
        },
        (error) => {
          if (errorCode(error) === 'NoSuchBucketPolicy') return { kind: 'absent' };
          return isDenied(error)
            ? { kind: 'unreadable', reason: denied('s3:GetBucketPolicy', error) }
            : undefined;
        },
      ),
      read<TagsRead | undefined>(
        's3:GetBucketTagging',
        async () => {
          const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: name }));
          const tags: Record<string, string> = {};
          for (const tag of TagSet ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
          return { tags };
        },
        (error) => {
          if (errorCode(error) === 'NoSuchTagSet') return { tags: {} };
          if (!isDenied(error)) return undefined;
          const reason = denied('s3:GetBucketTagging', error);
          this.warnings.push(`Tags of bucket ${name} unknown: ${reason}`);
          return { tags: {}, unreadable: reason };
        },
      ),
      read<PublicAccessBlock | null | undefined>(
        's3:GetPublicAccessBlock',
        async () => {
          if (this.options.readPublicAccessBlock === false) return null;
          const { PublicAccessBlockConfiguration: block } = await s3.send(
            new GetPublicAccessBlockCommand({ Bucket: name }),
          );
          return block
            ? {
                blockPublicAcls: block.BlockPublicAcls === true,
                ignorePublicAcls: block.IgnorePublicAcls === true,
                blockPublicPolicy: block.BlockPublicPolicy === true,
                restrictPublicBuckets: block.RestrictPublicBuckets === true,
              }
            : null;
        },
        // `null` means "known: none"; `undefined` would mean "unhandled error".
        (error) => {
          if (errorCode(error) === 'NoSuchPublicAccessBlockConfiguration') return null;
          if (!isDenied(error)) return undefined;
          this.warnings.push(
            `Public access block of bucket ${name} unknown: ${denied('s3:GetPublicAccessBlock', error)}`,
          );
          return null;
        },
      ),
    ]);
    if (policy === gone || tags === gone || publicAccessBlock === gone) return undefined;
    return bucketFromReads({
      name,
      region,
      accountId: this.options.accountId,
      policy: policy ?? { kind: 'absent' },
      tags: tags?.tags ?? {},
      tagsUnreadable: tags?.unreadable,
      publicAccessBlock: publicAccessBlock ?? undefined,
    });
  }
}

/** A live view over fresh clients (or `options.clients`), one per evaluation or scan. */
const createLiveView = (options: LiveViewOptions = {}): LiveAccountView =>
  new LiveAccountView(options.clients ?? createClients(options), options);

export type { LiveViewOptions };
export { createLiveView, LiveAccountView };

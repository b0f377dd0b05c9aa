/**
 * A deterministic synthetic AWS Config snapshot with a known mix, and the NON_COMPLIANT count each
 * rule must report on it (default parameters). The counts come from how each resource is built,
 * never from running the engine, so a benchmark of the engine also checks its answers.
 */
import { RULES } from '../../src/rules/index.js';
import {
  ACCOUNT,
  bucket,
  DEFAULT_ENDPOINT_POLICY,
  endpoint,
  endpointService,
  type Item,
  local,
  natGateway,
  ORG,
  policy,
  REGION,
  routeTable,
  sg,
  subnet,
  vpc,
} from './config-items.js';
import { BUCKET_SHAPES } from './synth-buckets.js';
import { createRng, type Rng } from './synth-rng.js';

type Profile = 'mixed' | 'buckets';

interface SynthOptions {
  /** Exact number of configuration items. */
  resources: number;
  seed: number;
  /** `mixed`: networks and buckets; `buckets`: only buckets, every policy different. */
  profile?: Profile;
}

interface Expectations {
  generator: string;
  seed: number;
  profile: Profile;
  resources: number;
  itemsByType: Record<string, number>;
  /** One evaluation per resource of the rule's type. */
  evaluations: Record<string, number>;
  nonCompliant: Record<string, number>;
  /** How many resources of each constructed shape, e.g. `bucket:vpce-wildcard`. */
  shapes: Record<string, number>;
}

const BUCKET_SHARE = 0.4;
const S3_PREFIX_LIST = 'pl-63a5400a';
const DYNAMODB_PREFIX_LIST = 'pl-02cd2c6b';
const INTERFACE_SERVICES = ['ssm', 'sts', 'logs', 'ecr.api', 'ecr.dkr', 'kms', 'secretsmanager'];

const VPCE_ONLY = 's3-bucket-policy-vpce-only';
const TLS_ONLY = 's3-bucket-policy-tls-only';
const GATEWAY_ROUTES = 'private-subnet-gateway-endpoints';
const REQUIRED = 'vpc-required-endpoints';
const ENDPOINT_POLICY = 'vpc-endpoint-policy-restricted';
const PRIVATE_DNS = 'interface-endpoint-private-dns';
const ENDPOINT_SG = 'interface-endpoint-sg-restricted';
const SERVICE_ACCEPTANCE = 'endpoint-service-acceptance-required';

/** Ingress of an Interface endpoint's group, and whether it breaks "TCP 443 from inside the VPC". */
const GROUP_SHAPES: readonly {
  id: string;
  bad: boolean;
  ingress: (cidr: string, peerGroup: string) => Parameters<typeof sg>[3];
}[] = [
  {
    id: 'https-from-vpc',
    bad: false,
    ingress: (cidr) => [{ protocol: 'tcp', from: 443, cidrs: [cidr] }],
  },
  {
    id: 'https-from-group',
    bad: false,
    ingress: (_cidr, peer) => [{ protocol: 'tcp', from: 443, groups: [peer] }],
  },
  { id: 'all-from-world', bad: true, ingress: () => [{ protocol: '-1', cidrs: ['0.0.0.0/0'] }] },
  {
    id: 'https-from-world',
    bad: true,
    ingress: () => [{ protocol: 'tcp', from: 443, cidrs: ['0.0.0.0/0'] }],
  },
  {
    id: 'all-tcp-from-vpc',
    bad: true,
    ingress: (cidr) => [{ protocol: 'tcp', from: 0, to: 65535, cidrs: [cidr] }],
  },
  {
    id: 'ssh-and-https-from-vpc',
    bad: true,
    ingress: (cidr) => [
      { protocol: 'tcp', from: 443, cidrs: [cidr] },
      { protocol: 'tcp', from: 22, cidrs: [cidr] },
    ],
  },
];

/** Only principals of the organisation: not the full-access default. */
const orgOnlyPolicy = (service: string) =>
  policy([
    {
      Effect: 'Allow',
      Principal: '*',
      Action: `${service.split('.')[0]}:*`,
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    },
  ]);

class Synthesizer {
  readonly expected: Expectations;
  private readonly rng: Rng;
  private readonly prefix: string;
  private readonly counters = new Map<string, number>();
  /** S3 Gateway endpoints and VPCs so far: bucket policies name real ones. */
  private readonly s3Endpoints: string[] = [];
  private readonly vpcIds: string[] = [];

  constructor(private readonly options: Required<SynthOptions>) {
    this.rng = createRng(options.seed);
    this.prefix = (options.seed >>> 0).toString(16).padStart(8, '0');
    this.expected = {
      generator: 'vpce-guard synth 1',
      seed: options.seed,
      profile: options.profile,
      resources: options.resources,
      itemsByType: {},
      evaluations: Object.fromEntries(RULES.map((rule) => [rule.id, 0])),
      nonCompliant: Object.fromEntries(RULES.map((rule) => [rule.id, 0])),
      shapes: {},
    };
  }

  /** Ids in AWS's long format (17 hex digits), unique per type within one account. */
  private id(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return `${prefix}-${this.prefix}${n.toString(16).padStart(9, '0')}`;
  }

  run(emit: (item: Item) => void): Expectations {
    const { resources } = this.options;
    const networkBudget =
      this.options.profile === 'mixed' ? Math.round(resources * (1 - BUCKET_SHARE)) : 0;
    let count = 0;
    let vpcIndex = 0;
    while (count < networkBudget) {
      const block = this.vpcBlock(vpcIndex++);
      // A block that would overshoot is dropped, uncounted: buckets fill the rest exactly.
      if (count + block.items.length > networkBudget) break;
      this.commit(block);
      for (const item of block.items) emit(item);
      count += block.items.length;
    }
    for (let index = 0; count < resources; index++, count++) emit(this.bucketItem(index));
    for (const rule of RULES) {
      this.expected.evaluations[rule.id] = this.expected.itemsByType[rule.resourceType] ?? 0;
    }
    return this.expected;
  }

  private commit(block: Block): void {
    for (const item of block.items) this.countType(item.resourceType as string);
    for (const [rule, n] of Object.entries(block.nonCompliant)) this.addNonCompliant(rule, n);
    for (const [name, n] of Object.entries(block.shapes)) this.addShape(name, n);
    this.s3Endpoints.push(...block.s3Endpoints);
    this.vpcIds.push(block.vpcId);
  }

  private countType(type: string): void {
    this.expected.itemsByType[type] = (this.expected.itemsByType[type] ?? 0) + 1;
  }

  private addNonCompliant(rule: string, n = 1): void {
    this.expected.nonCompliant[rule] = (this.expected.nonCompliant[rule] ?? 0) + n;
  }

  private addShape(name: string, n = 1): void {
    this.expected.shapes[name] = (this.expected.shapes[name] ?? 0) + n;
  }

  private bucketItem(index: number): Item {
    const rng = this.rng;
    const shape = BUCKET_SHAPES[index % BUCKET_SHAPES.length] ?? BUCKET_SHAPES[0];
    if (!shape) throw new Error('no bucket shapes');
    const name = `synth-${this.prefix}-${index}-${rng.hex(6)}`;
    const vpces =
      this.s3Endpoints.length > 0
        ? [...new Set(Array.from({ length: rng.between(1, 3) }, () => rng.pick(this.s3Endpoints)))]
        : Array.from({ length: rng.between(1, 2) }, () => `vpce-${rng.hex(17)}`);
    const vpcId = this.vpcIds.length > 0 ? rng.pick(this.vpcIds) : `vpc-${rng.hex(17)}`;
    const document = shape.build({ bucket: name, vpces, vpcId, account: ACCOUNT, rng });
    const tags: Record<string, string> = rng.chance(0.3)
      ? { 'data-class': rng.pick(['pci', 'internal', 'public']), team: `team-${rng.int(40)}` }
      : {};
    this.countType('AWS::S3::Bucket');
    this.addShape(`bucket:${shape.id}`);
    if (shape.vpceNonCompliant) this.addNonCompliant(VPCE_ONLY);
    if (shape.tlsNonCompliant) this.addNonCompliant(TLS_ONLY);
    return bucket(name, document ? JSON.stringify(document) : null, tags);
  }

  /**
   * One VPC as teams build them: public subnets on an internet gateway, private subnets on a NAT
   * gateway or NAT instance (explicit tables, or the main table for subnets nobody associated),
   * isolated subnets with no default route, Gateway endpoints for S3 (not on every table) and
   * sometimes DynamoDB, Interface endpoints behind their own groups, and now and then a PrivateLink
   * service the account provides.
   */
  private vpcBlock(index: number): Block {
    const rng = this.rng;
    const block = new BlockBuilder();
    const vpcId = this.id('vpc');
    block.vpcId = vpcId;
    const octet = index % 256;
    const cidr = `10.${octet}.0.0/16`;
    block.add(vpc(vpcId, cidr, `synth-${index}`));
    let subnetNo = 0;
    const newSubnet = (name: string, isPublic: boolean) => {
      const id = this.id('subnet');
      const az = `${REGION}${'abc'[subnetNo % 3]}`;
      block.add(subnet(id, vpcId, `10.${octet}.${subnetNo++}.0/24`, az, name, isPublic));
      return id;
    };
    const publicSubnets = Array.from({ length: rng.between(1, 2) }, (_, i) =>
      newSubnet(`public-${i}`, true),
    );
    const privateSubnets = Array.from({ length: rng.between(1, 4) }, (_, i) =>
      newSubnet(`private-${i}`, false),
    );
    const isolatedSubnets = Array.from({ length: rng.between(0, 2) }, (_, i) =>
      newSubnet(`isolated-${i}`, false),
    );
    // Subnets without an explicit association use the main table.
    const implicitSubnets = Array.from({ length: rng.int(2) }, (_, i) =>
      newSubnet(`unassociated-${i}`, false),
    );

    const natInstance = rng.chance(0.2);
    let natRoute: Record<string, unknown>;
    if (natInstance) {
      natRoute = {
        destinationCidrBlock: '0.0.0.0/0',
        instanceId: this.id('i'),
        instanceOwnerId: ACCOUNT,
        networkInterfaceId: this.id('eni'),
        origin: 'CreateRoute',
        state: 'active',
      };
      block.shape('nat:instance');
    } else {
      const natId = this.id('nat');
      block.add(natGateway(natId, vpcId, publicSubnets[0] as string));
      natRoute = {
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: natId,
        origin: 'CreateRoute',
        state: 'active',
      };
      block.shape('nat:gateway');
    }

    const hasS3 = rng.chance(0.75);
    const hasDynamo = rng.chance(0.3);
    const s3Id = hasS3 ? this.id('vpce') : undefined;
    const dynamoId = hasDynamo ? this.id('vpce') : undefined;
    if (!hasS3) block.fail(REQUIRED);
    block.shape(hasS3 ? 'vpc:s3-endpoint' : 'vpc:no-s3-endpoint');
    const s3Tables: string[] = [];
    const dynamoTables: string[] = [];

    // Routes a table gets from the Gateway endpoints associated with it, as EC2 installs them.
    const endpointRoutes = (withS3: boolean, withDynamo: boolean) => [
      ...(withS3 && s3Id
        ? [
            {
              destinationPrefixListId: S3_PREFIX_LIST,
              gatewayId: s3Id,
              origin: 'CreateRoute',
              state: 'active',
            },
          ]
        : []),
      ...(withDynamo && dynamoId
        ? [
            {
              destinationPrefixListId: DYNAMODB_PREFIX_LIST,
              gatewayId: dynamoId,
              origin: 'CreateRoute',
              state: 'active',
            },
          ]
        : []),
    ];
    const table = (
      name: string,
      routes: Record<string, unknown>[],
      associations: { subnetId?: string; main?: boolean }[],
      opts: { s3: boolean; dynamo: boolean },
    ) => {
      const id = this.id('rtb');
      if (opts.s3 && s3Id) s3Tables.push(id);
      if (opts.dynamo && dynamoId) dynamoTables.push(id);
      block.add(
        routeTable(
          id,
          vpcId,
          name,
          [local(cidr), ...routes, ...endpointRoutes(opts.s3, opts.dynamo)],
          associations,
        ),
      );
    };

    // The main table: on the NAT path when subnets rely on it, otherwise sometimes left local-only.
    const mainOnNat = implicitSubnets.length > 0 || rng.chance(0.5);
    const mainWithS3 = hasS3 && rng.chance(0.5);
    table('main', mainOnNat ? [natRoute] : [], [{ main: true }], {
      s3: mainWithS3,
      dynamo: hasDynamo,
    });
    if (implicitSubnets.length > 0) {
      block.shape(mainWithS3 ? 'rtb:main-nat-with-s3' : 'rtb:main-nat-without-s3');
      if (!mainWithS3) block.fail(GATEWAY_ROUTES);
    } else {
      block.shape('rtb:main-serving-nothing');
    }

    const igw = this.id('igw');
    table(
      'public',
      [
        {
          destinationCidrBlock: '0.0.0.0/0',
          gatewayId: igw,
          origin: 'CreateRoute',
          state: 'active',
        },
      ],
      publicSubnets.map((subnetId) => ({ subnetId })),
      { s3: false, dynamo: false },
    );
    block.shape('rtb:public');

    for (const [i, subnetId] of privateSubnets.entries()) {
      const withS3 = hasS3 && rng.chance(0.7);
      table(`private-${i}`, [natRoute], [{ subnetId }], { s3: withS3, dynamo: hasDynamo });
      block.shape(withS3 ? 'rtb:private-with-s3' : 'rtb:private-without-s3');
      if (!withS3) block.fail(GATEWAY_ROUTES);
    }
    if (isolatedSubnets.length > 0) {
      table(
        'isolated',
        [],
        isolatedSubnets.map((subnetId) => ({ subnetId })),
        {
          s3: hasS3 && rng.chance(0.5),
          dynamo: false,
        },
      );
      block.shape('rtb:isolated');
    }
    if (rng.chance(0.2)) {
      // Created for a subnet that was later moved: serves nothing.
      table('spare', [natRoute], [], { s3: false, dynamo: false });
      block.shape('rtb:spare');
    }

    const endpointPolicy = (service: string): string => {
      const open = rng.chance(0.5);
      if (open) block.fail(ENDPOINT_POLICY);
      block.shape(open ? 'vpce:policy-full-access' : 'vpce:policy-org-only');
      return open ? DEFAULT_ENDPOINT_POLICY : orgOnlyPolicy(service);
    };
    if (s3Id) {
      block.add(
        endpoint(s3Id, vpcId, 's3', 'Gateway', {
          routeTableIds: s3Tables,
          policy: endpointPolicy('s3'),
        }),
      );
      block.s3Endpoints.push(s3Id);
    }
    if (dynamoId) {
      block.add(
        endpoint(dynamoId, vpcId, 'dynamodb', 'Gateway', {
          routeTableIds: dynamoTables,
          policy: endpointPolicy('dynamodb'),
        }),
      );
    }

    const appGroup = this.id('sg');
    block.add(
      sg(appGroup, vpcId, `app-${index}`, [{ protocol: 'tcp', from: 8080, cidrs: [cidr] }]),
    );
    const services = [...INTERFACE_SERVICES];
    for (let n = rng.int(4); n > 0; n--) {
      const service = services.splice(rng.int(services.length), 1)[0] as string;
      const groupShape = rng.pick(GROUP_SHAPES);
      const groupId = this.id('sg');
      block.add(
        sg(groupId, vpcId, `${service}-endpoint-${index}`, groupShape.ingress(cidr, appGroup)),
      );
      if (groupShape.bad) block.fail(ENDPOINT_SG);
      block.shape(`sg:${groupShape.id}`);
      const privateDns = rng.chance(0.8);
      if (!privateDns) block.fail(PRIVATE_DNS);
      block.shape(privateDns ? 'vpce:private-dns' : 'vpce:no-private-dns');
      block.add(
        endpoint(this.id('vpce'), vpcId, service, 'Interface', {
          subnetIds: privateSubnets.slice(0, 2),
          groups: [groupId],
          privateDns,
          policy: endpointPolicy(service),
        }),
      );
    }

    if (rng.chance(0.1)) {
      const kind = rng.pick(['acceptance-and-named', 'auto-accept', 'star-principal'] as const);
      const serviceId = this.id('vpce-svc');
      block.add(
        endpointService(
          serviceId,
          kind !== 'auto-accept',
          kind === 'star-principal' ? ['*'] : [`arn:aws:iam::${ACCOUNT}:root`],
        ),
      );
      if (kind !== 'acceptance-and-named') block.fail(SERVICE_ACCEPTANCE);
      block.shape(`service:${kind}`);
    }
    return block;
  }
}

interface Block {
  vpcId: string;
  items: Item[];
  nonCompliant: Record<string, number>;
  shapes: Record<string, number>;
  s3Endpoints: string[];
}

class BlockBuilder implements Block {
  vpcId = '';
  items: Item[] = [];
  nonCompliant: Record<string, number> = {};
  shapes: Record<string, number> = {};
  s3Endpoints: string[] = [];

  add(item: Item): void {
    this.items.push(item);
  }

  fail(rule: string): void {
    this.nonCompliant[rule] = (this.nonCompliant[rule] ?? 0) + 1;
  }

  shape(name: string): void {
    this.shapes[name] = (this.shapes[name] ?? 0) + 1;
  }
}

/** Streams the items to `emit` in snapshot order and returns what the rules must find. */
const synthesize = (options: SynthOptions, emit: (item: Item) => void): Expectations => {
  if (!Number.isInteger(options.resources) || options.resources < 0) {
    throw new RangeError(`resources must be a whole number, got ${options.resources}`);
  }
  return new Synthesizer({ profile: 'mixed', ...options }).run(emit);
};

/** The whole snapshot in memory, for tests and small benchmarks. */
const synthesizeSnapshot = (
  options: SynthOptions,
): { snapshot: { fileVersion: string; configurationItems: Item[] }; expected: Expectations } => {
  const configurationItems: Item[] = [];
  const expected = synthesize(options, (item) => configurationItems.push(item));
  return { snapshot: { fileVersion: '1.0', configurationItems }, expected };
};

export type { Expectations, Profile, SynthOptions };
export { synthesize, synthesizeSnapshot };

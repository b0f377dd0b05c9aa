/**
 * The network half of the synthetic accounts: one VPC block at a time, each with the findings its
 * construction implies for the network rules (default parameters).
 */
import {
  ACCOUNT,
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
import type { Rng } from './synth-rng.js';

const S3_PREFIX_LIST = 'pl-63a5400a';
const DYNAMODB_PREFIX_LIST = 'pl-02cd2c6b';
const INTERFACE_SERVICES = ['ssm', 'sts', 'logs', 'ecr.api', 'ecr.dkr', 'kms', 'secretsmanager'];

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

interface Block {
  vpcId: string;
  items: Item[];
  nonCompliant: Record<string, number>;
  shapes: Record<string, number>;
  s3Endpoints: string[];
}

/** A VPC and everything in it, kept apart until it is known to fit the size asked for. */
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

/**
 * One VPC as teams build them: public subnets on an internet gateway, private subnets on a NAT
 * gateway or NAT instance (explicit tables, or the main table for subnets nobody associated),
 * isolated subnets with no default route, Gateway endpoints for S3 (not on every table) and
 * sometimes DynamoDB, Interface endpoints behind their own groups, and now and then a PrivateLink
 * service the account provides.
 */
const vpcBlock = (index: number, rng: Rng, newId: (prefix: string) => string): Block => {
  const block = new BlockBuilder();
  const vpcId = newId('vpc');
  block.vpcId = vpcId;
  const octet = index % 256;
  const cidr = `10.${octet}.0.0/16`;
  block.add(vpc(vpcId, cidr, `synth-${index}`));
  let subnetNo = 0;
  const newSubnet = (name: string, isPublic: boolean) => {
    const id = newId('subnet');
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
      instanceId: newId('i'),
      instanceOwnerId: ACCOUNT,
      networkInterfaceId: newId('eni'),
      origin: 'CreateRoute',
      state: 'active',
    };
    block.shape('nat:instance');
  } else {
    const natId = newId('nat');
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
  const s3Id = hasS3 ? newId('vpce') : undefined;
  const dynamoId = hasDynamo ? newId('vpce') : undefined;
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
    const id = newId('rtb');
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
  const privateWithS3 = privateSubnets.map(() => hasS3 && rng.chance(0.7));
  // An S3 endpoint on no table at all carries no traffic: whether the VPC "has" it is a matter of
  // definition, so the generator never builds one. It serves at least one private table.
  if (hasS3 && !privateWithS3.includes(true)) privateWithS3[0] = true;
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

  const igw = newId('igw');
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
    const withS3 = privateWithS3[i] === true;
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

  const appGroup = newId('sg');
  block.add(sg(appGroup, vpcId, `app-${index}`, [{ protocol: 'tcp', from: 8080, cidrs: [cidr] }]));
  const services = [...INTERFACE_SERVICES];
  for (let n = rng.int(4); n > 0; n--) {
    const service = services.splice(rng.int(services.length), 1)[0] as string;
    const groupShape = rng.pick(GROUP_SHAPES);
    const groupId = newId('sg');
    block.add(
      sg(groupId, vpcId, `${service}-endpoint-${index}`, groupShape.ingress(cidr, appGroup)),
    );
    if (groupShape.bad) block.fail(ENDPOINT_SG);
    block.shape(`sg:${groupShape.id}`);
    const privateDns = rng.chance(0.8);
    if (!privateDns) block.fail(PRIVATE_DNS);
    block.shape(privateDns ? 'vpce:private-dns' : 'vpce:no-private-dns');
    block.add(
      endpoint(newId('vpce'), vpcId, service, 'Interface', {
        subnetIds: privateSubnets.slice(0, 2),
        groups: [groupId],
        privateDns,
        policy: endpointPolicy(service),
      }),
    );
  }

  if (rng.chance(0.1)) {
    const kind = rng.pick(['acceptance-and-named', 'auto-accept', 'star-principal'] as const);
    const serviceId = newId('vpce-svc');
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
};

export type { Block };
export { vpcBlock };

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  Bucket,
  Resource,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpoint,
  VpcEndpointService,
} from '../../src/model/resources.js';
import { RULES } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import { scan } from '../../src/scan/scan.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

// Small id pools so generated resources refer to each other (tables to subnets, endpoints to groups).
const vpcId = fc.constantFrom('vpc-1', 'vpc-2');
const subnetId = fc.constantFrom('subnet-a', 'subnet-b', 'subnet-c');
const groupId = fc.constantFrom('sg-1', 'sg-2', 'sg-missing');
const cidr = fc.oneof(
  fc.constantFrom(
    '0.0.0.0/0',
    '::/0',
    '10.0.0.0/16',
    '10.0.1.0/24',
    '2600:1f18::/56',
    '0.0.0.0/1',
    '128.0.0.0/1',
  ),
  fc.ipV4().map((ip) => `${ip}/${ip.length % 33}`),
  fc.string(),
);
const targetKind = fc.constantFrom(
  'local',
  'internet-gateway',
  'nat-gateway',
  'instance',
  'network-interface',
  'transit-gateway',
  'vpc-peering',
  'vpc-endpoint',
  'unknown',
) as fc.Arbitrary<RouteTable['routes'][number]['target']['kind']>;
const policyText = fc.oneof(
  fc.json(),
  fc.constant('{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'),
  fc.string(),
);
const policy = fc.oneof(
  fc.constant({ kind: 'absent' as const }),
  policyText.map((text) => ({ kind: 'present' as const, text })),
  fc.constant({ kind: 'unreadable' as const, reason: 'denied' }),
);
const serviceName = fc.oneof(
  fc.constantFrom(
    'com.amazonaws.us-east-1.s3',
    'com.amazonaws.us-east-1.dynamodb',
    'com.amazonaws.vpce.us-east-1.vpce-svc-1',
    'cn.com.amazonaws.cn-north-1.s3',
  ),
  fc.string(),
);

const vpc: fc.Arbitrary<Vpc> = fc.record({
  type: fc.constant('AWS::EC2::VPC' as const),
  id: vpcId,
  tags: fc.dictionary(fc.string(), fc.string()),
  cidrBlocks: fc.array(cidr, { maxLength: 2 }),
  ipv6CidrBlocks: fc.array(cidr, { maxLength: 1 }),
  isDefault: fc.boolean(),
});
const subnet: fc.Arbitrary<Subnet> = fc.record({
  type: fc.constant('AWS::EC2::Subnet' as const),
  id: subnetId,
  tags: fc.constant({}),
  vpcId,
  ipv6CidrBlocks: fc.constant([]),
  mapPublicIpOnLaunch: fc.boolean(),
});
const routeTable: fc.Arbitrary<RouteTable> = fc.record({
  type: fc.constant('AWS::EC2::RouteTable' as const),
  id: fc.constantFrom('rtb-1', 'rtb-2', 'rtb-3'),
  tags: fc.constant({}),
  region: fc.option(fc.constant('us-east-1'), { nil: undefined }),
  vpcId,
  routes: fc.array(
    fc.record({
      destinationCidr: fc.option(cidr, { nil: undefined }),
      destinationPrefixListId: fc.option(fc.constantFrom('pl-63a5400a', 'pl-x'), {
        nil: undefined,
      }),
      target: fc.record({
        kind: targetKind,
        id: fc.constantFrom('nat-1', 'vpce-1', 'igw-1', 'i-1', ''),
      }),
      state: fc.constantFrom('active' as const, 'blackhole' as const),
    }),
    { maxLength: 5 },
  ),
  associations: fc.array(
    fc.record({ subnetId: fc.option(subnetId, { nil: undefined }), main: fc.boolean() }),
    { maxLength: 3 },
  ),
});
const endpoint: fc.Arbitrary<VpcEndpoint> = fc.record({
  type: fc.constant('AWS::EC2::VPCEndpoint' as const),
  id: fc.constantFrom('vpce-1', 'vpce-2', 'vpce-3'),
  tags: fc.constant({}),
  vpcId,
  serviceName,
  endpointType: fc.constantFrom(
    'Gateway',
    'Interface',
    'GatewayLoadBalancer',
    'Resource',
  ) as fc.Arbitrary<VpcEndpoint['endpointType']>,
  state: fc.constantFrom('available', 'pending', 'deleted', 'Available', ''),
  policy,
  routeTableIds: fc.array(fc.constantFrom('rtb-1', 'rtb-2'), { maxLength: 2 }),
  subnetIds: fc.array(subnetId, { maxLength: 2 }),
  securityGroupIds: fc.array(groupId, { maxLength: 2 }),
  privateDnsEnabled: fc.boolean(),
});
const securityGroup: fc.Arbitrary<SecurityGroup> = fc.record({
  type: fc.constant('AWS::EC2::SecurityGroup' as const),
  id: fc.constantFrom('sg-1', 'sg-2'),
  tags: fc.constant({}),
  accountId: fc.option(fc.constant('111122223333'), { nil: undefined }),
  vpcId: fc.option(vpcId, { nil: undefined }),
  groupName: fc.string(),
  ingress: fc.array(
    fc.record({
      protocol: fc.constantFrom('-1', 'tcp', 'udp', 'icmp', '6', '50'),
      fromPort: fc.option(fc.integer({ min: -1, max: 70000 }), { nil: undefined }),
      toPort: fc.option(fc.integer({ min: -1, max: 70000 }), { nil: undefined }),
      ipv4Ranges: fc.array(fc.record({ cidr }), { maxLength: 2 }),
      ipv6Ranges: fc.array(fc.record({ cidr }), { maxLength: 1 }),
      prefixListIds: fc.array(fc.constantFrom('pl-1'), { maxLength: 1 }),
      groupRefs: fc.array(
        fc.record({
          groupId,
          userId: fc.option(fc.constantFrom('111122223333', '999988887777'), { nil: undefined }),
        }),
        { maxLength: 1 },
      ),
    }),
    { maxLength: 3 },
  ),
  egress: fc.constant([]),
});
const bucket: fc.Arbitrary<Bucket> = fc.record({
  type: fc.constant('AWS::S3::Bucket' as const),
  id: fc.constantFrom('bucket-a', 'bucket-b'),
  name: fc.constantFrom('bucket-a', 'bucket-b'),
  tags: fc.dictionary(fc.constantFrom('DataClass', 'x'), fc.string()),
  policy,
});
const service: fc.Arbitrary<VpcEndpointService> = fc.record({
  type: fc.constant('AWS::EC2::VPCEndpointService' as const),
  id: fc.constantFrom('vpce-svc-1'),
  tags: fc.constant({}),
  acceptanceRequired: fc.boolean(),
  allowedPrincipals: fc.option(fc.array(fc.string(), { maxLength: 2 }), { nil: undefined }),
  state: fc.option(fc.constantFrom('available', 'deleted', 'Failed'), { nil: undefined }),
});

const account = fc.array(
  fc.oneof(
    vpc,
    subnet,
    routeTable,
    endpoint,
    securityGroup,
    bucket,
    service,
  ) as fc.Arbitrary<Resource>,
  { maxLength: 14 },
);

const defaults = new Map(RULES.map((rule) => [rule.id, parseParams(rule.id, rule.parameters, {})]));

describe('rules on arbitrary (odd but well-typed) accounts', () => {
  it('always give a verdict of their own, never "Evaluation failed"', async () => {
    await fc.assert(
      fc.asyncProperty(account, async (resources) => {
        const view = SnapshotView.fromResources(resources);
        const evaluations = await scan({ rules: RULES, view, params: defaults, concurrency: 1 });
        for (const evaluation of evaluations) {
          expect(
            evaluation.annotation,
            `${evaluation.ruleId} ${evaluation.resource.id}`,
          ).not.toMatch(/^Evaluation failed/);
          expect(evaluation.annotation.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });
});

/**
 * Writes examples/demo-snapshot.json: a realistic AWS Config snapshot of one account (us-east-1)
 * with several VPCs and buckets, built to show every rule both ways. Deterministic, so the committed
 * file only changes when this script does (a test checks that it is current).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ACCOUNT,
  bucket,
  DEFAULT_ENDPOINT_POLICY,
  endpoint,
  endpointService,
  local,
  natGateway,
  ORG,
  policy,
  REGION,
  routeTable,
  sg,
  subnet,
  tlsDeny,
  vpc,
  vpceOnlyDeny,
} from './lib/config-items.js';

// --- VPC 1: payments (PCI CDE). Everything configured as it should be.
const PAY = 'vpc-0a1b2c3d4e5f60001';
const PAY_S3 = 'vpce-0a1b2c3d4e5f61001';
const PAY_DDB = 'vpce-0a1b2c3d4e5f61002';
const payments = [
  vpc(PAY, '10.10.0.0/16', 'payments-prod'),
  subnet('subnet-0a1b2c3d4e5f62001', PAY, '10.10.0.0/24', 'us-east-1a', 'payments-public-a', true),
  subnet('subnet-0a1b2c3d4e5f62002', PAY, '10.10.10.0/24', 'us-east-1a', 'payments-app-a', false),
  subnet('subnet-0a1b2c3d4e5f62003', PAY, '10.10.11.0/24', 'us-east-1b', 'payments-app-b', false),
  natGateway('nat-0a1b2c3d4e5f63001', PAY, 'subnet-0a1b2c3d4e5f62001'),
  routeTable(
    'rtb-0a1b2c3d4e5f64001',
    PAY,
    'payments-public',
    [
      local('10.10.0.0/16'),
      {
        destinationCidrBlock: '0.0.0.0/0',
        gatewayId: 'igw-0a1b2c3d4e5f65001',
        origin: 'CreateRoute',
        state: 'active',
      },
    ],
    [{ main: true }, { subnetId: 'subnet-0a1b2c3d4e5f62001' }],
  ),
  routeTable(
    'rtb-0a1b2c3d4e5f64002',
    PAY,
    'payments-private',
    [
      local('10.10.0.0/16'),
      {
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: 'nat-0a1b2c3d4e5f63001',
        origin: 'CreateRoute',
        state: 'active',
      },
      {
        destinationPrefixListId: 'pl-63a5400a',
        gatewayId: PAY_S3,
        origin: 'CreateRoute',
        state: 'active',
      },
      {
        destinationPrefixListId: 'pl-02cd2c6b',
        gatewayId: PAY_DDB,
        origin: 'CreateRoute',
        state: 'active',
      },
    ],
    [{ subnetId: 'subnet-0a1b2c3d4e5f62002' }, { subnetId: 'subnet-0a1b2c3d4e5f62003' }],
  ),
  endpoint(PAY_S3, PAY, 's3', 'Gateway', {
    routeTableIds: ['rtb-0a1b2c3d4e5f64002'],
    policy: policy([
      {
        Sid: 'OrgOnly',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG, 'aws:ResourceOrgID': ORG } },
      },
    ]),
  }),
  endpoint(PAY_DDB, PAY, 'dynamodb', 'Gateway', {
    routeTableIds: ['rtb-0a1b2c3d4e5f64002'],
    policy: policy([
      {
        Sid: 'LedgerTablesOnly',
        Effect: 'Allow',
        Principal: '*',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/ledger-*`,
        Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
      },
    ]),
  }),
  sg('sg-0a1b2c3d4e5f66001', PAY, 'payments-endpoints', [
    { protocol: 'tcp', from: 443, cidrs: ['10.10.0.0/16'] },
    { protocol: 'tcp', from: 443, groups: ['sg-0a1b2c3d4e5f66002'] },
  ]),
  sg('sg-0a1b2c3d4e5f66002', PAY, 'payments-app', [
    { protocol: 'tcp', from: 8443, cidrs: ['10.10.0.0/24'] },
  ]),
  endpoint('vpce-0a1b2c3d4e5f61003', PAY, 'kms', 'Interface', {
    subnetIds: ['subnet-0a1b2c3d4e5f62002', 'subnet-0a1b2c3d4e5f62003'],
    groups: ['sg-0a1b2c3d4e5f66001'],
    policy: policy([
      {
        Effect: 'Allow',
        Principal: '*',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    ]),
  }),
  endpoint('vpce-0a1b2c3d4e5f61004', PAY, 'secretsmanager', 'Interface', {
    subnetIds: ['subnet-0a1b2c3d4e5f62002', 'subnet-0a1b2c3d4e5f62003'],
    groups: ['sg-0a1b2c3d4e5f66001'],
    policy: policy([
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:payments/*`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    ]),
  }),
];

// --- VPC 2: analytics. Private subnets leave through a NAT instance; endpoints are sloppy.
const ANA = 'vpc-0b1c2d3e4f5a60002';
const analytics = [
  vpc(ANA, '10.20.0.0/16', 'analytics'),
  subnet(
    'subnet-0b1c2d3e4f5a62001',
    ANA,
    '10.20.1.0/24',
    'us-east-1a',
    'analytics-private-a',
    false,
  ),
  subnet(
    'subnet-0b1c2d3e4f5a62002',
    ANA,
    '10.20.2.0/24',
    'us-east-1b',
    'analytics-private-b',
    false,
  ),
  subnet('subnet-0b1c2d3e4f5a62003', ANA, '10.20.0.0/24', 'us-east-1a', 'analytics-public-a', true),
  routeTable(
    'rtb-0b1c2d3e4f5a64001',
    ANA,
    'analytics-main',
    [
      local('10.20.0.0/16'),
      {
        destinationCidrBlock: '0.0.0.0/0',
        instanceId: 'i-0b1c2d3e4f5a67001',
        instanceOwnerId: ACCOUNT,
        networkInterfaceId: 'eni-0b1c2d3e4f5a68001',
        origin: 'CreateRoute',
        state: 'active',
      },
    ],
    [{ main: true }],
  ),
  routeTable(
    'rtb-0b1c2d3e4f5a64002',
    ANA,
    'analytics-public',
    [
      local('10.20.0.0/16'),
      {
        destinationCidrBlock: '0.0.0.0/0',
        gatewayId: 'igw-0b1c2d3e4f5a65001',
        origin: 'CreateRoute',
        state: 'active',
      },
    ],
    [{ subnetId: 'subnet-0b1c2d3e4f5a62003' }],
  ),
  sg('sg-0b1c2d3e4f5a66001', ANA, 'analytics-endpoints-open', [
    { protocol: '-1', cidrs: ['0.0.0.0/0'] },
  ]),
  endpoint('vpce-0b1c2d3e4f5a61001', ANA, 'sts', 'Interface', {
    subnetIds: ['subnet-0b1c2d3e4f5a62001'],
    groups: ['sg-0b1c2d3e4f5a66001'],
    privateDns: false,
  }),
  endpoint('vpce-0b1c2d3e4f5a61002', ANA, 'logs', 'Interface', {
    subnetIds: ['subnet-0b1c2d3e4f5a62001', 'subnet-0b1c2d3e4f5a62002'],
    groups: ['sg-0b1c2d3e4f5a66404'],
  }),
];

// --- VPC 3: shared services behind a transit gateway, IPv6 enabled; S3 reached only by pl- route.
const SHR = 'vpc-0c1d2e3f4a5b60003';
const SHR_S3 = 'vpce-0c1d2e3f4a5b61001';
const shared = [
  vpc(SHR, '10.30.0.0/16', 'shared-services', { ipv6: '2600:1f18:4a3:6e00::/56' }),
  subnet('subnet-0c1d2e3f4a5b62001', SHR, '10.30.1.0/24', 'us-east-1a', 'shared-private-a', false),
  subnet('subnet-0c1d2e3f4a5b62002', SHR, '10.30.2.0/24', 'us-east-1b', 'shared-private-b', false),
  routeTable(
    'rtb-0c1d2e3f4a5b64001',
    SHR,
    'shared-main',
    [local('10.30.0.0/16')],
    [{ main: true }],
  ),
  routeTable(
    'rtb-0c1d2e3f4a5b64002',
    SHR,
    'shared-private',
    [
      local('10.30.0.0/16'),
      {
        destinationCidrBlock: '0.0.0.0/0',
        transitGatewayId: 'tgw-0c1d2e3f4a5b69001',
        origin: 'CreateRoute',
        state: 'active',
      },
      {
        destinationPrefixListId: 'pl-63a5400a',
        gatewayId: SHR_S3,
        origin: 'CreateRoute',
        state: 'active',
      },
    ],
    [{ subnetId: 'subnet-0c1d2e3f4a5b62001' }, { subnetId: 'subnet-0c1d2e3f4a5b62002' }],
  ),
  endpoint(SHR_S3, SHR, 's3', 'Gateway', { policy: DEFAULT_ENDPOINT_POLICY }),
  sg('sg-0c1d2e3f4a5b66001', SHR, 'shared-endpoints', [
    { protocol: 'tcp', from: 443, cidrs: ['10.30.0.0/16'], ipv6: ['2600:1f18:4a3:6e00::/56'] },
    { protocol: 'tcp', from: 443, ipv6: ['::/0'] },
  ]),
  endpoint('vpce-0c1d2e3f4a5b61002', SHR, 'ssm', 'Interface', {
    subnetIds: ['subnet-0c1d2e3f4a5b62001', 'subnet-0c1d2e3f4a5b62002'],
    groups: ['sg-0c1d2e3f4a5b66001'],
    policy: policy([
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 'ssm:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    ]),
  }),
  endpointService('vpce-svc-0c1d2e3f4a5b6a001', true, [`arn:aws:iam::444455556666:root`]),
  endpointService('vpce-svc-0c1d2e3f4a5b6a002', false, ['*']),
];

// --- The default VPC, still present and public only.
const DEF = 'vpc-0d1e2f3a4b5c60004';
const defaults = [
  vpc(DEF, '172.31.0.0/16', 'default', { isDefault: true }),
  subnet('subnet-0d1e2f3a4b5c62001', DEF, '172.31.0.0/20', 'us-east-1a', 'default-a', true),
  routeTable(
    'rtb-0d1e2f3a4b5c64001',
    DEF,
    'default-main',
    [
      local('172.31.0.0/16'),
      {
        destinationCidrBlock: '0.0.0.0/0',
        gatewayId: 'igw-0d1e2f3a4b5c65001',
        origin: 'CreateRoute',
        state: 'active',
      },
    ],
    [{ main: true }],
  ),
];

const buckets = [
  bucket(
    'payments-cardholder-data-111122223333',
    policy([
      vpceOnlyDeny('payments-cardholder-data-111122223333', [PAY_S3]),
      tlsDeny('payments-cardholder-data-111122223333'),
    ]),
    { DataClass: 'pci' },
  ),
  bucket(
    'phi-claims-archive-111122223333',
    policy([
      {
        Sid: 'DenyBucketOutsideVpc',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::phi-claims-archive-111122223333',
        Condition: { StringNotEqualsIfExists: { 'aws:sourceVpce': [PAY_S3, SHR_S3] } },
      },
      {
        Sid: 'DenyObjectsOutsideVpc',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::phi-claims-archive-111122223333/*',
        Condition: {
          StringNotEqualsIfExists: { 'aws:sourceVpce': [PAY_S3, SHR_S3] },
          ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/break-glass-*` },
        },
      },
      tlsDeny('phi-claims-archive-111122223333'),
    ]),
    { DataClass: 'phi' },
  ),
  bucket(
    'analytics-raw-events-111122223333',
    policy([
      {
        Sid: 'AllowFromVpce',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/etl` },
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::analytics-raw-events-111122223333/*',
        Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0b1c2d3e4f5a61001' } },
      },
    ]),
    { DataClass: 'internal' },
  ),
  bucket(
    'audit-logs-111122223333',
    policy([
      {
        Sid: 'DenyObjectReadsOutsideVpc',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::audit-logs-111122223333/*',
        Condition: { StringNotEquals: { 'aws:SourceVpc': PAY } },
      },
      tlsDeny('audit-logs-111122223333'),
    ]),
    { DataClass: 'audit' },
  ),
  bucket('marketing-site-assets-111122223333', null, { DataClass: 'public' }),
];

const snapshot = {
  fileVersion: '1.0',
  configSnapshotId: '7f3e1c2a-4b5d-4e6f-8a9b-0c1d2e3f4a5b',
  configurationItems: [...payments, ...analytics, ...shared, ...defaults, ...buckets],
};

const target = fileURLToPath(new URL('../examples/demo-snapshot.json', import.meta.url));
const text = `${JSON.stringify(snapshot, null, 2)}\n`;
if (process.argv.includes('--check')) {
  const { readFileSync } = await import('node:fs');
  if (readFileSync(target, 'utf8') !== text) {
    console.error('examples/demo-snapshot.json is out of date: run npm run demo:build');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${snapshot.configurationItems.length} items)`);
}

export { snapshot };

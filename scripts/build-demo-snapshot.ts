/**
 * Writes examples/demo-snapshot.json: a realistic AWS Config snapshot of one account (us-east-1)
 * with several VPCs and buckets, built to show every rule both ways. Deterministic, so the committed
 * file only changes when this script does (a test checks that it is current).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const CAPTURE = '2026-11-20T09:15:00.000Z';
const ORG = 'o-a1b2c3d4e5';

type Item = Record<string, unknown>;

const item = (
  resourceType: string,
  resourceId: string,
  configuration: Record<string, unknown>,
  extra: {
    name?: string;
    tags?: Record<string, string>;
    supplementary?: Record<string, unknown>;
    arn?: string;
  } = {},
): Item => ({
  version: '1.3',
  accountId: ACCOUNT,
  configurationItemCaptureTime: CAPTURE,
  configurationItemStatus: 'OK',
  configurationStateId: '1763630100000',
  configurationItemMD5Hash: '',
  arn:
    extra.arn ??
    (resourceType === 'AWS::S3::Bucket'
      ? `arn:aws:s3:::${resourceId}`
      : `arn:aws:ec2:${REGION}:${ACCOUNT}:${resourceType.split('::')[2]?.toLowerCase()}/${resourceId}`),
  resourceType,
  resourceId,
  resourceName: extra.name ?? null,
  awsRegion: REGION,
  availabilityZone: resourceType === 'AWS::S3::Bucket' ? 'Regional' : 'Multiple Availability Zones',
  tags: extra.tags ?? {},
  relatedEvents: [],
  relationships: [],
  configuration,
  supplementaryConfiguration: extra.supplementary ?? {},
});

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

const vpc = (
  id: string,
  cidr: string,
  name: string,
  opts: { ipv6?: string; isDefault?: boolean } = {},
) => {
  const tags = { Name: name };
  return item(
    'AWS::EC2::VPC',
    id,
    {
      cidrBlock: cidr,
      dhcpOptionsId: 'dopt-0f1e2d3c',
      state: 'available',
      vpcId: id,
      ownerId: ACCOUNT,
      instanceTenancy: 'default',
      ipv6CidrBlockAssociationSet: opts.ipv6
        ? [
            {
              associationId: `vpc-cidr-assoc-${id.slice(4, 12)}`,
              ipv6CidrBlock: opts.ipv6,
              ipv6CidrBlockState: { state: 'associated' },
            },
          ]
        : [],
      cidrBlockAssociationSet: [
        {
          associationId: `vpc-cidr-assoc-${id.slice(-8)}`,
          cidrBlock: cidr,
          cidrBlockState: { state: 'associated' },
        },
      ],
      isDefault: opts.isDefault ?? false,
      tags: tagList(tags),
    },
    { tags },
  );
};

const subnet = (
  id: string,
  vpcId: string,
  cidr: string,
  az: string,
  name: string,
  isPublic: boolean,
) => {
  const tags = { Name: name, Tier: isPublic ? 'public' : 'private' };
  return item(
    'AWS::EC2::Subnet',
    id,
    {
      availabilityZone: az,
      availableIpAddressCount: 4091,
      cidrBlock: cidr,
      defaultForAz: false,
      mapPublicIpOnLaunch: isPublic,
      state: 'available',
      subnetId: id,
      vpcId,
      ownerId: ACCOUNT,
      assignIpv6AddressOnCreation: false,
      ipv6CidrBlockAssociationSet: [],
      tags: tagList(tags),
      subnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${id}`,
    },
    { tags },
  );
};

const local = (cidr: string) => ({
  destinationCidrBlock: cidr,
  gatewayId: 'local',
  origin: 'CreateRouteTable',
  state: 'active',
});

const routeTable = (
  id: string,
  vpcId: string,
  name: string,
  routes: Record<string, unknown>[],
  associations: { subnetId?: string; main?: boolean }[],
) => {
  const tags = { Name: name };
  return item(
    'AWS::EC2::RouteTable',
    id,
    {
      associations: associations.map((assoc, index) => ({
        main: assoc.main ?? false,
        routeTableAssociationId: `rtbassoc-${id.slice(4, 12)}${index}`,
        routeTableId: id,
        subnetId: assoc.subnetId ?? null,
        associationState: { state: 'associated' },
      })),
      propagatingVgws: [],
      routeTableId: id,
      routes,
      tags: tagList(tags),
      vpcId,
      ownerId: ACCOUNT,
    },
    { tags },
  );
};

const natGateway = (id: string, vpcId: string, subnetId: string) =>
  item('AWS::EC2::NatGateway', id, {
    natGatewayId: id,
    subnetId,
    vpcId,
    state: 'available',
    connectivityType: 'public',
    createTime: '2025-03-02T10:00:00.000Z',
    natGatewayAddresses: [
      {
        allocationId: `eipalloc-${id.slice(4)}`,
        networkInterfaceId: `eni-${id.slice(4)}`,
        privateIp: '10.0.0.10',
        publicIp: '203.0.113.10',
      },
    ],
    tags: [],
  });

const policy = (statements: Record<string, unknown>[], version = '2012-10-17') =>
  JSON.stringify({ Version: version, Statement: statements });

const DEFAULT_ENDPOINT_POLICY =
  '{\n  "Statement": [\n    {\n      "Action": "*",\n      "Effect": "Allow",\n      "Resource": "*",\n      "Principal": "*"\n    }\n  ]\n}';

const endpoint = (
  id: string,
  vpcId: string,
  service: string,
  type: 'Gateway' | 'Interface',
  opts: {
    routeTableIds?: string[];
    subnetIds?: string[];
    groups?: string[];
    privateDns?: boolean;
    policy?: string;
    name?: string;
  },
) => {
  const tags = { Name: opts.name ?? `${service}-endpoint` };
  return item(
    'AWS::EC2::VPCEndpoint',
    id,
    {
      vpcEndpointId: id,
      vpcEndpointType: type,
      vpcId,
      serviceName: `com.amazonaws.${REGION}.${service}`,
      state: 'available',
      policyDocument: opts.policy ?? DEFAULT_ENDPOINT_POLICY,
      routeTableIds: opts.routeTableIds ?? [],
      subnetIds: opts.subnetIds ?? [],
      groups: (opts.groups ?? []).map((groupId) => ({
        groupId,
        groupName: groupId.replace('sg-', 'endpoint-'),
      })),
      privateDnsEnabled: type === 'Interface' ? (opts.privateDns ?? true) : false,
      requesterManaged: false,
      networkInterfaceIds:
        type === 'Interface'
          ? (opts.subnetIds ?? []).map((s) => `eni-${s.slice(7)}${id.slice(-4)}`)
          : [],
      dnsEntries: [],
      creationTimestamp: '2025-03-02T10:05:00.000Z',
      ownerId: ACCOUNT,
      tags: tagList(tags),
    },
    { tags },
  );
};

const sg = (
  id: string,
  vpcId: string,
  name: string,
  ingress: {
    protocol: string;
    from?: number;
    to?: number;
    cidrs?: string[];
    ipv6?: string[];
    groups?: string[];
  }[],
) =>
  item('AWS::EC2::SecurityGroup', id, {
    description: name,
    groupName: name,
    groupId: id,
    ownerId: ACCOUNT,
    vpcId,
    tags: [],
    ipPermissions: ingress.map((rule) => ({
      ipProtocol: rule.protocol,
      ...(rule.from === undefined ? {} : { fromPort: rule.from, toPort: rule.to ?? rule.from }),
      ipv4Ranges: (rule.cidrs ?? []).map((cidrIp) => ({ cidrIp })),
      ipRanges: rule.cidrs ?? [],
      ipv6Ranges: (rule.ipv6 ?? []).map((cidrIpv6) => ({ cidrIpv6 })),
      prefixListIds: [],
      userIdGroupPairs: (rule.groups ?? []).map((groupId) => ({ groupId, userId: ACCOUNT })),
    })),
    ipPermissionsEgress: [
      {
        ipProtocol: '-1',
        ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
        ipRanges: ['0.0.0.0/0'],
        ipv6Ranges: [],
        prefixListIds: [],
        userIdGroupPairs: [],
      },
    ],
  });

const bucket = (name: string, policyText: string | null, tags: Record<string, string> = {}) =>
  item(
    'AWS::S3::Bucket',
    name,
    {
      name,
      owner: {
        displayName: null,
        id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
      },
      creationDate: '2024-06-01T08:00:00.000Z',
    },
    {
      name,
      tags,
      supplementary: {
        BucketPolicy: { policyText },
        PublicAccessBlockConfiguration: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
        ServerSideEncryptionConfiguration: {
          rules: [
            {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyID: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1b2c3d4e-0000-4000-8000-123456789abc`,
              },
            },
          ],
        },
        BucketVersioningConfiguration: { status: 'Enabled', isMfaDeleteEnabled: null },
        ...(Object.keys(tags).length > 0
          ? { BucketTaggingConfiguration: { tagSets: [{ tags }] } }
          : {}),
        IsRequesterPaysEnabled: false,
      },
    },
  );

const endpointService = (id: string, acceptanceRequired: boolean, allowedPrincipals: string[]) =>
  item('AWS::EC2::VPCEndpointService', id, {
    serviceId: id,
    serviceName: `com.amazonaws.vpce.${REGION}.${id}`,
    serviceType: [{ serviceType: 'Interface' }],
    serviceState: 'Available',
    acceptanceRequired,
    managesVpcEndpoints: false,
    networkLoadBalancerArns: [
      `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/partner-api/50dc6c495c0c9188`,
    ],
    allowedPrincipals,
  });

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

const vpceOnlyDeny = (bucketName: string, vpces: string[], sid = 'DenyOutsideVpce') => ({
  Sid: sid,
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
  Condition: { StringNotEquals: { 'aws:SourceVpce': vpces.length === 1 ? vpces[0] : vpces } },
});
const tlsDeny = (bucketName: string) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

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

/**
 * Builders for real-shaped AWS Config items (event/snapshot format), shared by the demo snapshot
 * and the synthetic accounts used in benchmarks.
 */
import { tlsOnlyStatement, vpceOnlyStatement } from '../../src/rules/example-policies.js';

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

// AWS Config does not record a service's allowed principals; vpce-guard's live reader adds them
// (DescribeVpcEndpointServicePermissions) as a supplementary entry, and the demo does the same.
const endpointService = (id: string, acceptanceRequired: boolean, allowedPrincipals: string[]) =>
  item(
    'AWS::EC2::VPCEndpointService',
    id,
    {
      serviceId: id,
      serviceName: `com.amazonaws.vpce.${REGION}.${id}`,
      serviceType: [{ serviceType: 'Interface' }],
      serviceState: 'Available',
      acceptanceRequired,
      managesVpcEndpoints: false,
      networkLoadBalancerArns: [
        `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/partner-api/50dc6c495c0c9188`,
      ],
    },
    { supplementary: { allowedPrincipals } },
  );

const vpceOnlyDeny = (bucketName: string, vpces: string[]) => vpceOnlyStatement(bucketName, vpces);
// The demo writes the principal as {"AWS": "*"} to show that both spellings of "everyone" count.
const tlsDeny = (bucketName: string) => ({
  ...tlsOnlyStatement(bucketName),
  Principal: { AWS: '*' },
});

export type { Item };
export {
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
};

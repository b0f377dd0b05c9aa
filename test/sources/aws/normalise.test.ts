import { describe, expect, it } from 'vitest';
import {
  bucketFromReads,
  camelCased,
  endpointServiceFromSdk,
  natGatewayFromSdk,
  prefixListFromSdk,
  securityGroupFromSdk,
  subnetFromSdk,
  vpcFromSdk,
} from '../../../src/sources/aws/normalise.js';
import { parseConfigurationItem } from '../../../src/sources/config-item.js';

const META = { region: 'eu-west-1', accountId: '111122223333' };

/** The resource the Config-item adapter makes of an event-format item. */
const fromConfig = (
  resourceType: string,
  resourceId: string,
  configuration: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) =>
  parseConfigurationItem({
    configurationItemStatus: 'OK',
    resourceType,
    resourceId,
    awsRegion: META.region,
    awsAccountId: META.accountId,
    configuration,
    supplementaryConfiguration: {},
    ...extra,
  }).resource;

describe('camelCased', () => {
  it('camelCases keys at every depth and leaves values alone', () => {
    // Act
    const result = camelCased({
      RouteTableId: 'rtb-1',
      Routes: [{ GatewayId: 'igw-1', DestinationCidrBlock: '0.0.0.0/0' }],
      Tags: [{ Key: 'Name', Value: 'Prod' }],
      CreateTime: new Date('2026-01-01T00:00:00Z'),
      Missing: undefined,
    });

    // Assess
    expect(result).toEqual({
      routeTableId: 'rtb-1',
      routes: [{ gatewayId: 'igw-1', destinationCidrBlock: '0.0.0.0/0' }],
      tags: [{ key: 'Name', value: 'Prod' }],
      createTime: '2026-01-01T00:00:00.000Z',
    });
  });
});

describe('EC2 describe output → model', () => {
  it('maps a NAT gateway as its Config item does, with the account from the view', () => {
    // Prepare
    const sdk = {
      NatGatewayId: 'nat-1',
      VpcId: 'vpc-1',
      SubnetId: 'subnet-1',
      State: 'available' as const,
      ConnectivityType: 'private' as const,
      Tags: [{ Key: 'Name', Value: 'egress' }],
    };

    // Act
    const live = natGatewayFromSdk(sdk, META);

    // Assess
    expect(live).toMatchObject({
      type: 'AWS::EC2::NatGateway',
      connectivityType: 'private',
      state: 'available',
      tags: { Name: 'egress' },
      arn: 'arn:aws:ec2:eu-west-1:111122223333:natgateway/nat-1',
    });
    expect(live).toEqual(
      fromConfig(
        'AWS::EC2::NatGateway',
        'nat-1',
        {
          natGatewayId: 'nat-1',
          vpcId: 'vpc-1',
          subnetId: 'subnet-1',
          state: 'available',
          connectivityType: 'private',
          tags: [{ key: 'Name', value: 'egress' }],
        },
        { ARN: 'arn:aws:ec2:eu-west-1:111122223333:natgateway/nat-1' },
      ),
    );
  });

  it('keeps only associated IPv4 CIDRs of a VPC and takes the owner as the account', () => {
    // Prepare
    const sdk = {
      VpcId: 'vpc-1',
      OwnerId: '444455556666',
      CidrBlock: '10.0.0.0/16',
      CidrBlockAssociationSet: [
        { CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' as const } },
        { CidrBlock: '10.1.0.0/16', CidrBlockState: { State: 'disassociated' as const } },
        { CidrBlock: '10.2.0.0/16', CidrBlockState: { State: 'associated' as const } },
      ],
      Ipv6CidrBlockAssociationSet: [{ Ipv6CidrBlock: '2001:db8::/56' }],
      IsDefault: false,
      State: 'available' as const,
    };

    // Act
    const live = vpcFromSdk(sdk, META);

    // Assess
    expect(live).toMatchObject({
      cidrBlocks: ['10.0.0.0/16', '10.2.0.0/16'],
      ipv6CidrBlocks: ['2001:db8::/56'],
      accountId: '444455556666',
      arn: 'arn:aws:ec2:eu-west-1:444455556666:vpc/vpc-1',
    });
  });

  it('prefers the SubnetArn EC2 returns and maps the subnet as Config does', () => {
    // Prepare
    const sdk = {
      SubnetId: 'subnet-1',
      SubnetArn: 'arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-1',
      VpcId: 'vpc-1',
      OwnerId: META.accountId,
      CidrBlock: '10.0.1.0/24',
      AvailabilityZone: 'eu-west-1a',
      MapPublicIpOnLaunch: true,
      Ipv6CidrBlockAssociationSet: [],
    };

    // Act
    const live = subnetFromSdk(sdk, META);

    // Assess
    expect(live).toEqual(
      fromConfig(
        'AWS::EC2::Subnet',
        'subnet-1',
        {
          subnetId: 'subnet-1',
          subnetArn: sdk.SubnetArn,
          vpcId: 'vpc-1',
          ownerId: META.accountId,
          cidrBlock: '10.0.1.0/24',
          availabilityZone: 'eu-west-1a',
          mapPublicIpOnLaunch: true,
          ipv6CidrBlockAssociationSet: [],
        },
        { ARN: sdk.SubnetArn },
      ),
    );
  });

  it('maps security group rules: protocol numbers, IPv6, prefix lists and group references', () => {
    // Prepare
    const sdk = {
      GroupId: 'sg-1',
      GroupName: 'endpoints',
      VpcId: 'vpc-1',
      OwnerId: META.accountId,
      IpPermissions: [
        {
          IpProtocol: '6',
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'corp' }],
          Ipv6Ranges: [{ CidrIpv6: '::/0' }],
          PrefixListIds: [{ PrefixListId: 'pl-1' }],
          UserIdGroupPairs: [{ GroupId: 'sg-2', UserId: META.accountId }],
        },
      ],
      IpPermissionsEgress: [],
    };

    // Act
    const live = securityGroupFromSdk(sdk, META);

    // Assess
    expect(live.ingress).toEqual([
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        ipv4Ranges: [{ cidr: '10.0.0.0/8', description: 'corp' }],
        ipv6Ranges: [{ cidr: '::/0', description: undefined }],
        prefixListIds: ['pl-1'],
        groupRefs: [{ groupId: 'sg-2', userId: META.accountId }],
      },
    ]);
    expect(live.egress).toEqual([]);
  });

  it('takes endpoint service principals from the permissions read, or leaves them unknown', () => {
    // Prepare
    const sdk = {
      ServiceId: 'vpce-svc-1',
      ServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-1',
      ServiceState: 'Available' as const,
      AcceptanceRequired: false,
    };

    // Act
    const known = endpointServiceFromSdk(sdk, ['*'], META);
    const unknown = endpointServiceFromSdk(sdk, undefined, META);

    // Assess
    expect(known).toMatchObject({
      acceptanceRequired: false,
      allowedPrincipals: ['*'],
      state: 'available',
      arn: 'arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint-service/vpce-svc-1',
    });
    expect(unknown.allowedPrincipals).toBeUndefined();
  });
});

describe('bucketFromReads', () => {
  it('yields what the Config item of the same bucket yields', () => {
    // Prepare
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    const block = {
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: true,
    };

    // Act
    const live = bucketFromReads({
      name: 'data',
      region: META.region,
      accountId: META.accountId,
      policy: { kind: 'present', text: policy },
      tags: { team: 'data' },
      publicAccessBlock: block,
    });

    // Assess
    expect(live).toEqual(
      parseConfigurationItem({
        configurationItemStatus: 'OK',
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'data',
        resourceName: 'data',
        ARN: 'arn:aws:s3:::data',
        awsRegion: META.region,
        awsAccountId: META.accountId,
        tags: { team: 'data' },
        configuration: { name: 'data', owner: { id: 'abc' }, creationDate: '2026-01-01T00:00:00Z' },
        supplementaryConfiguration: {
          BucketPolicy: { policyText: policy },
          PublicAccessBlockConfiguration: block,
        },
      }).resource,
    );
  });

  it('keeps an unreadable policy unreadable, and uses the partition of the region', () => {
    // Act
    const live = bucketFromReads({
      name: 'locked',
      region: 'cn-north-1',
      policy: { kind: 'unreadable', reason: 's3:GetBucketPolicy was denied (AccessDenied)' },
      tags: {},
    });

    // Assess
    expect(live.policy).toEqual({
      kind: 'unreadable',
      reason: 's3:GetBucketPolicy was denied (AccessDenied)',
    });
    expect(live.arn).toBe('arn:aws-cn:s3:::locked');
    expect(live.publicAccessBlock).toBeUndefined();
  });
});

describe('prefixListFromSdk', () => {
  it('maps DescribeManagedPrefixLists plus GetManagedPrefixListEntries as the Config item does', () => {
    // Act
    const list = prefixListFromSdk(
      {
        PrefixListId: 'pl-63a5400a',
        PrefixListName: 'com.amazonaws.us-east-1.s3',
        AddressFamily: 'IPv4',
        OwnerId: 'AWS',
        State: 'create-complete',
      },
      [{ Cidr: '52.216.0.0/15' }, { Cidr: '3.5.0.0/19' }],
    );

    // Assess
    expect(list).toEqual({
      id: 'pl-63a5400a',
      name: 'com.amazonaws.us-east-1.s3',
      addressFamily: 'IPv4',
      ownerId: 'AWS',
      cidrs: ['52.216.0.0/15', '3.5.0.0/19'],
    });
  });
});

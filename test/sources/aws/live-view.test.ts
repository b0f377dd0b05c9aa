import {
  BatchGetResourceConfigCommand,
  ConfigServiceServiceException,
  DescribeConfigurationRecorderStatusCommand,
  ListDiscoveredResourcesCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointsCommand,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import {
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsReadError } from '../../../src/errors.js';
import { privateSubnetGatewayEndpoints } from '../../../src/rules/private-subnet-gateway-endpoints.js';
import { type AwsClients, createClients } from '../../../src/sources/aws/clients.js';
import { createLiveView, type LiveViewOptions } from '../../../src/sources/aws/live-view.js';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';

const ec2Error = (name: string, status: number, message = name) =>
  new EC2ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
const s3Error = (name: string, status: number, message = name) =>
  new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message,
  });
const configError = (name: string, status: number, message = name) =>
  new ConfigServiceServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message,
  });

const policyOf = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });

/** A bucket item as BatchGetResourceConfig returns it through the SDK (API format). */
const bucketItem = (bucket: string, policy: string | null) => ({
  version: '1.3',
  accountId: ACCOUNT,
  configurationItemCaptureTime: new Date('2026-11-28T10:00:00Z'),
  configurationItemStatus: 'OK' as const,
  arn: `arn:aws:s3:::${bucket}`,
  resourceType: 'AWS::S3::Bucket' as const,
  resourceId: bucket,
  resourceName: bucket,
  awsRegion: REGION,
  configuration: JSON.stringify({ name: bucket, owner: { id: 'abc' } }),
  supplementaryConfiguration: {
    BucketPolicy: JSON.stringify({ policyText: policy }),
    BucketTaggingConfiguration: JSON.stringify({ tagSets: [{ tags: { team: 'data' } }] }),
  },
});

describe('LiveAccountView', () => {
  let clients: AwsClients;
  let ec2: AwsClientStub<AwsClients['ec2']>;
  let s3: AwsClientStub<AwsClients['s3']>;
  let config: AwsClientStub<AwsClients['config']>;
  const view = (options: LiveViewOptions = {}) =>
    createLiveView({ clients, region: REGION, accountId: ACCOUNT, ...options });

  beforeEach(() => {
    clients = createClients({
      region: REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    ec2 = mockClient(clients.ec2);
    s3 = mockClient(clients.s3);
    config = mockClient(clients.config);
  });

  describe('EC2 reads', () => {
    it('pushes the vpc-id filter to the API, and uses `Filter` for NAT gateways', async () => {
      // Prepare
      ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
      ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });

      // Act
      await view().routeTablesOfVpc('vpc-1');
      await view().natGatewaysOfVpc('vpc-1');

      // Assess
      expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
        Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }],
        MaxResults: 100,
      });
      expect(ec2).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, {
        Filter: [{ Name: 'vpc-id', Values: ['vpc-1'] }],
      });
    });

    it('finds the route tables that route to a changed prefix list, whatever their target', async () => {
      // Prepare: one table routes the list to a transit gateway, one has only local routes.
      ec2.on(DescribeRouteTablesCommand).resolves({
        RouteTables: [
          {
            RouteTableId: 'rtb-listed',
            VpcId: 'vpc-1',
            Routes: [
              { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
              {
                DestinationPrefixListId: 'pl-0f1e2d3c4b5a69788',
                TransitGatewayId: 'tgw-1',
                State: 'active',
              },
            ],
            Associations: [],
          },
          {
            RouteTableId: 'rtb-local',
            VpcId: 'vpc-1',
            Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }],
            Associations: [],
          },
        ],
      });

      // Act: the route-table rule's lookup when the list changes, through the live view.
      const tables = await privateSubnetGatewayEndpoints.dependentsOfPrefixList?.(
        'pl-0f1e2d3c4b5a69788',
        view(),
      );

      // Assess
      expect(tables?.map((table) => table.id)).toEqual(['rtb-listed']);
    });

    it('follows NextToken through every page', async () => {
      // Prepare
      ec2
        .on(DescribeVpcEndpointsCommand)
        .resolvesOnce({
          VpcEndpoints: [
            {
              VpcEndpointId: 'vpce-1',
              VpcId: 'vpc-1',
              ServiceName: 's',
              VpcEndpointType: 'Gateway',
            },
          ],
          NextToken: 'page-2',
        })
        .resolvesOnce({
          VpcEndpoints: [
            {
              VpcEndpointId: 'vpce-2',
              VpcId: 'vpc-1',
              ServiceName: 's',
              VpcEndpointType: 'Gateway',
            },
          ],
        });

      // Act
      const endpoints = await view().list('AWS::EC2::VPCEndpoint');

      // Assess
      expect(endpoints.map((endpoint) => endpoint.id)).toEqual(['vpce-1', 'vpce-2']);
      expect(ec2).toHaveReceivedCommandTimes(DescribeVpcEndpointsCommand, 2);
      expect(ec2).toHaveReceivedNthCommandWith(DescribeVpcEndpointsCommand, 2, {
        NextToken: 'page-2',
      });
    });

    it('serves by-id and per-VPC questions from a whole-type list already read', async () => {
      // Prepare
      ec2.on(DescribeRouteTablesCommand).resolves({
        RouteTables: [
          { RouteTableId: 'rtb-1', VpcId: 'vpc-1', Routes: [], Associations: [] },
          { RouteTableId: 'rtb-2', VpcId: 'vpc-2', Routes: [], Associations: [] },
        ],
      });
      const live = view();

      // Act
      await live.list('AWS::EC2::RouteTable');
      const one = await live.get('AWS::EC2::RouteTable', 'rtb-2');
      const missing = await live.get('AWS::EC2::RouteTable', 'rtb-9');
      const ofVpc = await live.routeTablesOfVpc('vpc-1');

      // Assess
      expect(one?.vpcId).toBe('vpc-2');
      expect(missing).toBeUndefined();
      expect(ofVpc.map((table) => table.id)).toEqual(['rtb-1']);
      expect(ec2).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 1);
    });

    it('answers per-VPC questions from lists loaded by prefetch, without more calls', async () => {
      // Prepare
      ec2.on(DescribeRouteTablesCommand).resolves({
        RouteTables: [
          { RouteTableId: 'rtb-1', VpcId: 'vpc-1' },
          { RouteTableId: 'rtb-2', VpcId: 'vpc-2' },
        ],
      });
      const live = view();

      // Act
      await live.prefetch(['AWS::EC2::RouteTable', 'AWS::EC2::RouteTable']);
      const first = await live.routeTablesOfVpc('vpc-1');
      const second = await live.routeTablesOfVpc('vpc-2');

      // Assess
      expect([...first, ...second].map((table) => table.id)).toEqual(['rtb-1', 'rtb-2']);
      expect(ec2).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 1);
      expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, { Filters: undefined });
    });

    it('reads one resource by id and treats NotFound as absent', async () => {
      // Prepare
      ec2
        .on(DescribeRouteTablesCommand, { RouteTableIds: ['rtb-1'] })
        .resolves({ RouteTables: [{ RouteTableId: 'rtb-1', VpcId: 'vpc-1' }] })
        .on(DescribeRouteTablesCommand, { RouteTableIds: ['rtb-gone'] })
        .rejects(ec2Error('InvalidRouteTableID.NotFound', 400));
      const live = view();

      // Act
      const found = await live.get('AWS::EC2::RouteTable', 'rtb-1');
      const again = await live.get('AWS::EC2::RouteTable', 'rtb-1');
      const gone = await live.get('AWS::EC2::RouteTable', 'rtb-gone');

      // Assess
      expect(found).toBe(again);
      expect(found?.arn).toBe(`arn:aws:ec2:${REGION}:${ACCOUNT}:route-table/rtb-1`);
      expect(gone).toBeUndefined();
      expect(ec2).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 2);
    });

    it('asks for missing security groups in one filtered call', async () => {
      // Prepare
      ec2.on(DescribeSecurityGroupsCommand).resolves({
        SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'a', VpcId: 'vpc-1', OwnerId: ACCOUNT }],
      });
      const live = view();

      // Act
      const groups = await live.securityGroups(['sg-1', 'sg-2', 'sg-1']);
      const again = await live.securityGroups(['sg-2']);

      // Assess
      expect(groups.map((group) => group.id)).toEqual(['sg-1']);
      expect(again).toEqual([]);
      expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 1);
      expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, {
        Filters: [{ Name: 'group-id', Values: ['sg-1', 'sg-2'] }],
      });
    });

    it('raises AwsReadError naming the permission when a whole list is denied', async () => {
      // Prepare
      ec2
        .on(DescribeVpcEndpointsCommand)
        .rejects(ec2Error('UnauthorizedOperation', 403, 'You are not authorized'));

      // Act
      const read = view().endpointsOfVpc('vpc-1');

      // Assess
      await expect(read).rejects.toBeInstanceOf(AwsReadError);
      await expect(read).rejects.toThrow(/ec2:DescribeVpcEndpoints/);
    });

    it('keeps a throttling error as the cause so the engine can retry the invocation', async () => {
      // Prepare
      const throttled = ec2Error('RequestLimitExceeded', 503);
      ec2.on(DescribeRouteTablesCommand).rejects(throttled);

      // Act
      const error = await view()
        .list('AWS::EC2::RouteTable')
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(AwsReadError);
      expect((error as AwsReadError).cause).toBe(throttled);
    });

    it('leaves allowed principals unknown when DescribeVpcEndpointServicePermissions is denied', async () => {
      // Prepare
      ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({
        ServiceConfigurations: [
          {
            ServiceId: 'vpce-svc-1',
            ServiceName: 'com.amazonaws.vpce.x',
            AcceptanceRequired: true,
          },
        ],
      });
      ec2
        .on(DescribeVpcEndpointServicePermissionsCommand)
        .rejects(ec2Error('UnauthorizedOperation', 403));
      const live = view();

      // Act
      const [service] = await live.list('AWS::EC2::VPCEndpointService');

      // Assess
      expect(service?.acceptanceRequired).toBe(true);
      expect(service?.allowedPrincipals).toBeUndefined();
      expect(live.warnings.join('\n')).toContain('vpce-svc-1');
    });
  });

  describe('buckets from S3', () => {
    beforeEach(() => {
      config.on(DescribeConfigurationRecorderStatusCommand).resolves({
        ConfigurationRecordersStatus: [],
      });
      s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
      s3.on(GetPublicAccessBlockCommand).rejects(
        s3Error('NoSuchPublicAccessBlockConfiguration', 404),
      );
    });

    it('marks a policy the scanner may not read as unreadable, never absent', async () => {
      // Prepare
      s3.on(ListBucketsCommand).resolves({
        Buckets: [
          { Name: 'locked', BucketRegion: REGION },
          { Name: 'empty-403', BucketRegion: REGION },
        ],
      });
      s3.on(GetBucketPolicyCommand, { Bucket: 'locked' }).rejects(
        s3Error('AccessDenied', 403, 'Access Denied'),
      );
      // A bucket's own Deny answers 403 with an empty body, which the SDK names `Unknown`.
      s3.on(GetBucketPolicyCommand, { Bucket: 'empty-403' }).rejects(
        s3Error('Unknown', 403, 'UnknownError'),
      );
      const live = view();

      // Act
      const buckets = await live.list('AWS::S3::Bucket');

      // Assess
      expect(Object.fromEntries(buckets.map((bucket) => [bucket.name, bucket.policy]))).toEqual({
        locked: {
          kind: 'unreadable',
          reason: 's3:GetBucketPolicy was denied (AccessDenied: Access Denied)',
        },
        'empty-403': { kind: 'unreadable', reason: 's3:GetBucketPolicy was denied (Unknown)' },
      });
    });

    it('leaves tags and public access block unknown, with a warning, when those reads are denied', async () => {
      // Prepare
      s3.on(GetBucketPolicyCommand).resolves({ Policy: policyOf('b') });
      s3.on(GetBucketTaggingCommand).rejects(s3Error('AccessDenied', 403));
      s3.on(GetPublicAccessBlockCommand).rejects(s3Error('AccessDenied', 403));
      const live = view();

      // Act
      const bucket = await live.bucket('b');

      // Assess
      expect(bucket?.policy).toEqual({ kind: 'present', text: policyOf('b') });
      expect(bucket?.tags).toEqual({});
      expect(bucket?.tagsUnreadable).toMatch(/s3:GetBucketTagging was denied/);
      expect(bucket?.publicAccessBlock).toBeUndefined();
      expect(live.warnings).toHaveLength(2);
      expect(live.warnings.join('\n')).toMatch(/s3:GetBucketTagging[\s\S]*s3:GetPublicAccessBlock/);
    });

    it('skips GetPublicAccessBlock when told to', async () => {
      // Prepare
      s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));

      // Act
      const bucket = await view({ readPublicAccessBlock: false }).bucket('b');

      // Assess
      expect(bucket?.publicAccessBlock).toBeUndefined();
      expect(s3).not.toHaveReceivedCommand(GetPublicAccessBlockCommand);
      expect(s3).toHaveReceivedCommand(GetBucketTaggingCommand);
    });

    it('returns undefined for a bucket that does not exist', async () => {
      // Prepare
      s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucket', 404));
      s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchBucket', 404));

      // Act
      const bucket = await view().bucket('nope');

      // Assess
      expect(bucket).toBeUndefined();
    });

    it('places buckets from the policy read when ListBuckets does not name the region, with no GetBucketLocation', async () => {
      // Prepare: an API that leaves BucketRegion out (moto, older S3 APIs). S3 names the region
      // in the x-amz-bucket-region header of its error answers; a plain success is the client's.
      const named = <E extends Error>(error: E, region: string): E =>
        Object.assign(error, {
          $response: { statusCode: 404, headers: { 'x-amz-bucket-region': region } },
        });
      s3.on(ListBucketsCommand).resolves({
        Buckets: [
          { Name: 'local' },
          { Name: 'said-here' },
          { Name: 'virginia' },
          { Name: 'locked-there' },
        ],
      });
      s3.on(GetBucketPolicyCommand, { Bucket: 'local' }).resolves({ Policy: policyOf('local') });
      s3.on(GetBucketPolicyCommand, { Bucket: 'said-here' }).rejects(
        named(s3Error('NoSuchBucketPolicy', 404), REGION),
      );
      s3.on(GetBucketPolicyCommand, { Bucket: 'virginia' }).rejects(
        named(s3Error('NoSuchBucketPolicy', 404), 'us-east-1'),
      );
      s3.on(GetBucketPolicyCommand, { Bucket: 'locked-there' }).rejects(
        named(s3Error('AccessDenied', 403), 'us-east-1'),
      );

      // Act
      const buckets = await view().list('AWS::S3::Bucket');

      // Assess: the region filter was asked for (S3 applies it); each bucket belongs to exactly
      // one region, and another region's bucket cost its policy read only.
      expect(s3).toHaveReceivedCommandWith(ListBucketsCommand, {
        BucketRegion: REGION,
        MaxBuckets: 10_000,
      });
      expect(buckets.map((bucket) => [bucket.name, bucket.region, bucket.policy.kind])).toEqual([
        ['local', REGION, 'present'],
        ['said-here', REGION, 'absent'],
      ]);
      expect(s3).not.toHaveReceivedCommand(GetBucketLocationCommand);
      expect(s3).toHaveReceivedCommandTimes(GetBucketPolicyCommand, 4);
      expect(
        s3
          .commandCalls(GetBucketTaggingCommand)
          .map((call) => call.args[0].input.Bucket)
          .sort(),
      ).toEqual(['local', 'said-here']);
    });

    it('reads no tags when told to, and marks them unread so a tag-scoped rule cannot misjudge', async () => {
      // Prepare
      s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a', BucketRegion: REGION }] });
      s3.on(GetBucketPolicyCommand).resolves({ Policy: policyOf('a') });
      const live = view({ readBucketTags: false, readPublicAccessBlock: false });

      // Act
      const [bucket] = await live.list('AWS::S3::Bucket');

      // Assess
      expect(s3).not.toHaveReceivedCommand(GetBucketTaggingCommand);
      expect(s3).toHaveReceivedCommandTimes(GetBucketPolicyCommand, 1);
      expect(bucket?.tags).toEqual({});
      expect(bucket?.tagsUnreadable).toMatch(/tags were not read/);
      expect(live.warnings).toEqual([]);
    });

    it('judges only the buckets of its own region when S3 says where they are', async () => {
      // Prepare
      s3.on(ListBucketsCommand).resolves({
        Buckets: [
          { Name: 'here', BucketRegion: REGION },
          { Name: 'there', BucketRegion: 'us-east-1' },
        ],
      });
      s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));

      // Act
      const buckets = await view().list('AWS::S3::Bucket');

      // Assess
      expect(buckets.map((bucket) => [bucket.name, bucket.region, bucket.policy.kind])).toEqual([
        ['here', REGION, 'absent'],
      ]);
    });

    it('fails the scan with AwsReadError when listing buckets is denied', async () => {
      // Prepare
      s3.on(ListBucketsCommand).rejects(s3Error('AccessDenied', 403));

      // Act
      const read = view().list('AWS::S3::Bucket');

      // Assess
      await expect(read).rejects.toThrow(/s3:ListAllMyBuckets/);
    });
  });

  describe('buckets from AWS Config', () => {
    const names = Array.from({ length: 150 }, (_, index) => `bucket-${index}`);

    beforeEach(() => {
      config.on(DescribeConfigurationRecorderStatusCommand).resolves({
        ConfigurationRecordersStatus: [{ name: 'default', recording: true }],
      });
      s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
      s3.on(GetPublicAccessBlockCommand).rejects(
        s3Error('NoSuchPublicAccessBlockConfiguration', 404),
      );
    });

    it('reads recorded buckets 100 per BatchGetResourceConfig and only the rest from S3', async () => {
      // Prepare
      s3.on(ListBucketsCommand).resolves({
        Buckets: [...names, 'unrecorded'].map((Name) => ({ Name, BucketRegion: REGION })),
      });
      config
        .on(ListDiscoveredResourcesCommand)
        .resolvesOnce({
          resourceIdentifiers: names
            .slice(0, 100)
            .map((resourceId) => ({ resourceType: 'AWS::S3::Bucket', resourceId })),
          nextToken: 'more',
        })
        .resolvesOnce({
          resourceIdentifiers: names
            .slice(100)
            .map((resourceId) => ({ resourceType: 'AWS::S3::Bucket', resourceId })),
        });
      config.on(BatchGetResourceConfigCommand).callsFake((input) => ({
        baseConfigurationItems: input.resourceKeys.map((key: { resourceId: string }) =>
          bucketItem(
            key.resourceId,
            key.resourceId === 'bucket-0' ? null : policyOf(key.resourceId),
          ),
        ),
        unprocessedResourceKeys: [],
      }));
      s3.on(GetBucketPolicyCommand, { Bucket: 'unrecorded' }).resolves({
        Policy: policyOf('unrecorded'),
      });
      const live = view();

      // Act
      const buckets = await live.list('AWS::S3::Bucket');

      // Assess
      expect(buckets).toHaveLength(151);
      expect(config).toHaveReceivedCommandTimes(BatchGetResourceConfigCommand, 2);
      const sizes = config
        .commandCalls(BatchGetResourceConfigCommand)
        .map((call) => call.args[0].input.resourceKeys?.length);
      expect(sizes).toEqual([100, 50]);
      expect(s3).toHaveReceivedCommandTimes(GetBucketPolicyCommand, 1);
      const byName = new Map(buckets.map((bucket) => [bucket.name, bucket]));
      expect(byName.get('bucket-0')?.policy).toEqual({ kind: 'absent' });
      expect(byName.get('bucket-7')).toMatchObject({
        policy: { kind: 'present', text: policyOf('bucket-7') },
        tags: { team: 'data' },
        accountId: ACCOUNT,
        region: REGION,
      });
      expect(byName.get('unrecorded')?.policy).toEqual({
        kind: 'present',
        text: policyOf('unrecorded'),
      });
      expect(live.warnings).toEqual([]);
    });

    it('asks again for keys Config left unprocessed', async () => {
      // Prepare
      s3.on(ListBucketsCommand).resolves({
        Buckets: [
          { Name: 'a', BucketRegion: REGION },
          { Name: 'b', BucketRegion: REGION },
        ],
      });
      config.on(ListDiscoveredResourcesCommand).resolves({
        resourceIdentifiers: [
          { resourceType: 'AWS::S3::Bucket', resourceId: 'a' },
          { resourceType: 'AWS::S3::Bucket', resourceId: 'b' },
        ],
      });
      config
        .on(BatchGetResourceConfigCommand)
        .resolvesOnce({
          baseConfigurationItems: [bucketItem('a', policyOf('a'))],
          unprocessedResourceKeys: [{ resourceType: 'AWS::S3::Bucket', resourceId: 'b' }],
        })
        .resolvesOnce({ baseConfigurationItems: [bucketItem('b', policyOf('b'))] });

      // Act
      const buckets = await view().list('AWS::S3::Bucket');

      // Assess
      expect(buckets.map((bucket) => bucket.policy.kind)).toEqual(['present', 'present']);
      expect(config).toHaveReceivedNthCommandWith(BatchGetResourceConfigCommand, 2, {
        resourceKeys: [{ resourceType: 'AWS::S3::Bucket', resourceId: 'b' }],
      });
      expect(s3).not.toHaveReceivedCommand(GetBucketPolicyCommand);
    });

    it('reads one bucket with a single BatchGetResourceConfig and no listing', async () => {
      // Prepare
      config.on(BatchGetResourceConfigCommand).resolves({
        baseConfigurationItems: [bucketItem('solo', policyOf('solo'))],
      });

      // Act
      const bucket = await view().bucket('solo');

      // Assess
      expect(bucket?.policy).toEqual({ kind: 'present', text: policyOf('solo') });
      expect(config).toHaveReceivedCommandWith(BatchGetResourceConfigCommand, {
        resourceKeys: [{ resourceType: 'AWS::S3::Bucket', resourceId: 'solo' }],
      });
      expect(config).not.toHaveReceivedCommand(ListDiscoveredResourcesCommand);
      expect(s3).not.toHaveReceivedCommand(GetBucketPolicyCommand);
    });

    it('falls back to S3 with a warning when Config cannot serve the items', async () => {
      // Prepare
      s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a', BucketRegion: REGION }] });
      config.on(ListDiscoveredResourcesCommand).resolves({
        resourceIdentifiers: [{ resourceType: 'AWS::S3::Bucket', resourceId: 'a' }],
      });
      // What moto's string timestamps do to the SDK's deserialiser.
      config
        .on(BatchGetResourceConfigCommand)
        .rejects(new TypeError('Expected real number, got implicit NaN'));
      s3.on(GetBucketPolicyCommand).resolves({ Policy: policyOf('a') });
      const live = view();

      // Act
      const buckets = await live.list('AWS::S3::Bucket');

      // Assess
      expect(buckets.map((bucket) => bucket.policy.kind)).toEqual(['present']);
      expect(live.warnings.join('\n')).toContain('AWS Config could not provide bucket policies');
    });

    it('uses S3 quietly when no configuration recorder exists', async () => {
      // Prepare
      config
        .on(DescribeConfigurationRecorderStatusCommand)
        .rejects(configError('NoSuchConfigurationRecorderException', 400));
      s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a', BucketRegion: REGION }] });
      s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));
      const live = view();

      // Act
      const buckets = await live.list('AWS::S3::Bucket');

      // Assess
      expect(buckets.map((bucket) => bucket.policy.kind)).toEqual(['absent']);
      expect(config).not.toHaveReceivedCommand(ListDiscoveredResourcesCommand);
      expect(live.warnings).toEqual([]);
    });

    it('never asks Config when told to read buckets from S3', async () => {
      // Prepare
      s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a', BucketRegion: REGION }] });
      s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));

      // Act
      await view({ bucketSource: 's3' }).list('AWS::S3::Bucket');

      // Assess
      expect(config).not.toHaveReceivedAnyCommand();
    });
  });
});

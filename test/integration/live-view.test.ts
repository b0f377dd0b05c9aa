import { DeleteVpcEndpointsCommand, DescribePrefixListsCommand } from '@aws-sdk/client-ec2';
import { beforeAll, expect, it } from 'vitest';
import { type AwsClients, createClients, createLiveView } from '../../src/sources/aws/index.js';
import { parseConfigurationItem } from '../../src/sources/config-item.js';
import { describeWithMoto, motoClientOptions } from './moto.js';
import { REGION, type SeededAccount, seedAccount } from './seed-account.js';

const ACCOUNT = '123456789012';

describeWithMoto(
  'LiveAccountView over moto',
  (moto) => {
    let seeded: SeededAccount;
    let seedClients: AwsClients;
    const view = () => createLiveView({ ...motoClientOptions(moto.url), accountId: ACCOUNT });

    // One seed for the file: every test reads, and the one that deletes runs last.
    beforeAll(async () => {
      seedClients = createClients(motoClientOptions(moto.url));
      seeded = await seedAccount(seedClients, moto.url);
    });

    const prefixListOf = async (service: string): Promise<string> => {
      const { PrefixLists } = await seedClients.ec2.send(
        new DescribePrefixListsCommand({
          Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${REGION}.${service}`] }],
        }),
      );
      const id = PrefixLists?.[0]?.PrefixListId;
      if (!id) throw new Error(`no prefix list for ${service}`);
      return id;
    };

    it('returns route tables with NAT gateway, NAT instance, IGW and endpoint routes classified', async () => {
      // Prepare
      const live = view();

      // Act
      const tables = await live.routeTablesOfVpc(seeded.prod.vpcId);
      const legacy = await live.get('AWS::EC2::RouteTable', seeded.legacy.natInstanceTableId);

      // Assess
      const byId = new Map(tables.map((table) => [table.id, table]));
      expect([...byId.keys()].sort()).toEqual(
        [
          seeded.prod.mainTableId,
          seeded.prod.publicTableId,
          seeded.prod.privateTableId,
          seeded.prod.uncoveredTableId,
        ].sort(),
      );
      const targets = (id: string) => byId.get(id)?.routes.map((route) => route.target);
      expect(targets(seeded.prod.publicTableId)).toContainEqual({
        kind: 'internet-gateway',
        id: seeded.prod.igwId,
      });
      expect(targets(seeded.prod.privateTableId)).toEqual([
        { kind: 'local', id: 'local' },
        { kind: 'nat-gateway', id: seeded.prod.natGatewayId },
        { kind: 'vpc-endpoint', id: seeded.prod.s3EndpointId },
        { kind: 'vpc-endpoint', id: seeded.prod.dynamodbEndpointId },
      ]);
      expect(targets(seeded.prod.uncoveredTableId)).toEqual([
        { kind: 'local', id: 'local' },
        { kind: 'nat-gateway', id: seeded.prod.natGatewayId },
      ]);
      expect(byId.get(seeded.prod.mainTableId)?.associations).toEqual([
        { main: true, subnetId: undefined, gatewayId: undefined },
      ]);
      expect(legacy?.routes.find((route) => route.destinationCidr === '0.0.0.0/0')?.target).toEqual(
        {
          kind: 'instance',
          id: seeded.legacy.natInstanceId,
        },
      );
      expect(legacy?.associations).toEqual([
        { subnetId: seeded.legacy.privateSubnetId, main: false, gatewayId: undefined },
      ]);
    });

    it('returns Gateway and Interface endpoints with their tables, groups and private DNS', async () => {
      // Prepare
      const live = view();

      // Act
      const endpoints = await live.endpointsOfVpc(seeded.prod.vpcId);

      // Assess
      const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
      expect(byId.size).toBe(4);
      expect(byId.get(seeded.prod.s3EndpointId)).toMatchObject({
        endpointType: 'Gateway',
        serviceName: `com.amazonaws.${REGION}.s3`,
        routeTableIds: [seeded.prod.privateTableId],
        state: 'available',
        policy: { kind: 'present' },
      });
      expect(byId.get(seeded.prod.tightEndpointId)).toMatchObject({
        endpointType: 'Interface',
        serviceName: `com.amazonaws.${REGION}.ssm`,
        subnetIds: seeded.prod.privateSubnetIds,
        securityGroupIds: [seeded.prod.tightGroupId],
        privateDnsEnabled: true,
      });
      expect(byId.get(seeded.prod.openEndpointId)).toMatchObject({
        endpointType: 'Interface',
        securityGroupIds: [seeded.prod.openGroupId],
        privateDnsEnabled: false,
      });
    });

    it('returns security groups by id, skipping ids the account does not have', async () => {
      // Prepare
      const live = view();

      // Act
      const groups = await live.securityGroups([
        seeded.prod.openGroupId,
        'sg-0000000000000dead',
        seeded.prod.tightGroupId,
      ]);

      // Assess
      expect(groups.map((group) => group.id)).toEqual([
        seeded.prod.openGroupId,
        seeded.prod.tightGroupId,
      ]);
      expect(groups[0]?.ingress).toEqual([
        {
          protocol: '-1',
          fromPort: undefined,
          toPort: undefined,
          ipv4Ranges: [{ cidr: '0.0.0.0/0', description: undefined }],
          ipv6Ranges: [],
          prefixListIds: [],
          groupRefs: [],
        },
      ]);
      expect(groups[1]?.ingress[0]).toMatchObject({
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        ipv4Ranges: [{ cidr: '10.0.0.0/16' }],
      });
    });

    it('finds the interface endpoints that use a security group', async () => {
      // Prepare
      const live = view();

      // Act
      const users = await live.endpointsUsingSecurityGroup(seeded.prod.openGroupId);

      // Assess
      expect(users.map((endpoint) => endpoint.id)).toEqual([seeded.prod.openEndpointId]);
    });

    it('reads bucket policies, tags and public access blocks from S3 when Config is not recording', async () => {
      // Prepare
      const live = view();

      // Act
      const buckets = await live.list('AWS::S3::Bucket');

      // Assess
      const byName = new Map(buckets.map((bucket) => [bucket.name, bucket]));
      expect([...byName.keys()].sort()).toEqual(Object.values(seeded.buckets).sort());
      const vpceOnly = byName.get(seeded.buckets.vpceOnly);
      expect(vpceOnly?.policy.kind).toBe('present');
      expect(vpceOnly?.policy.kind === 'present' && JSON.parse(vpceOnly.policy.text)).toMatchObject(
        {
          Statement: [
            { Condition: { StringNotEquals: { 'aws:SourceVpce': seeded.prod.s3EndpointId } } },
            { Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          ],
        },
      );
      expect(vpceOnly?.tags).toEqual({ 'data-classification': 'cardholder' });
      expect(vpceOnly?.publicAccessBlock).toEqual({
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      });
      expect(byName.get(seeded.buckets.noPolicy)?.policy).toEqual({ kind: 'absent' });
      expect(byName.get(seeded.buckets.noPolicy)?.publicAccessBlock).toBeUndefined();
      expect(live.warnings).toEqual([]);
      expect(live.counter.count('config:DescribeConfigurationRecorderStatus')).toBe(1);
      expect(live.counter.count('config:BatchGetResourceConfig')).toBe(0);
    });

    it('returns undefined for a bucket, route table or endpoint that does not exist', async () => {
      // Prepare
      const live = view();

      // Act
      const results = await Promise.all([
        live.bucket('vg-no-such-bucket'),
        live.get('AWS::EC2::RouteTable', 'rtb-0000000000000dead'),
        live.get('AWS::EC2::VPCEndpoint', 'vpce-0000000000000dead'),
        live.get('AWS::EC2::NatGateway', 'nat-0000000000000dead'),
        live.vpc('vpc-0000000000000dead'),
      ]);

      // Assess
      expect(results).toEqual([undefined, undefined, undefined, undefined, undefined]);
    });

    it('returns endpoint services with their allowed principals', async () => {
      // Prepare
      const service = seeded.endpointService;
      if (!service) throw new Error('moto did not create the endpoint service');
      const live = view();

      // Act
      const services = await live.list('AWS::EC2::VPCEndpointService');

      // Assess
      expect(services).toEqual([
        expect.objectContaining({
          id: service.serviceId,
          acceptanceRequired: false,
          allowedPrincipals: ['*'],
          state: 'available',
        }),
      ]);
    });

    it('yields the same route table model as the Config item AWS Config records for it', async () => {
      // Prepare: the item as Config records it (aws-config-contract.md §3.3), written from the seed.
      const [s3List, dynamodbList] = await Promise.all([
        prefixListOf('s3'),
        prefixListOf('dynamodb'),
      ]);
      const tableId = seeded.prod.privateTableId;
      const item = {
        configurationItemVersion: '1.3',
        configurationItemCaptureTime: '2026-11-28T10:00:00.000Z',
        configurationItemStatus: 'OK',
        resourceType: 'AWS::EC2::RouteTable',
        resourceId: tableId,
        ARN: `arn:aws:ec2:${REGION}:${ACCOUNT}:route-table/${tableId}`,
        awsRegion: REGION,
        awsAccountId: ACCOUNT,
        tags: { Name: 'prod-private-a' },
        relationships: [{ resourceType: 'AWS::EC2::VPC', resourceId: seeded.prod.vpcId }],
        configuration: {
          routeTableId: tableId,
          vpcId: seeded.prod.vpcId,
          ownerId: ACCOUNT,
          routes: [
            {
              destinationCidrBlock: '10.0.0.0/16',
              gatewayId: 'local',
              origin: 'CreateRouteTable',
              state: 'active',
            },
            {
              destinationCidrBlock: '0.0.0.0/0',
              natGatewayId: seeded.prod.natGatewayId,
              origin: 'CreateRoute',
              state: 'active',
            },
            {
              destinationPrefixListId: s3List,
              gatewayId: seeded.prod.s3EndpointId,
              origin: 'CreateRoute',
              state: 'active',
            },
            {
              destinationPrefixListId: dynamodbList,
              gatewayId: seeded.prod.dynamodbEndpointId,
              origin: 'CreateRoute',
              state: 'active',
            },
          ],
          associations: [
            {
              routeTableId: tableId,
              subnetId: seeded.prod.privateSubnetIds[0],
              main: false,
              associationState: { state: 'associated' },
            },
          ],
          tags: [{ key: 'Name', value: 'prod-private-a' }],
          propagatingVgws: [],
        },
        supplementaryConfiguration: {},
      };

      // Act
      const fromConfig = parseConfigurationItem(item).resource;
      const fromLive = await view().get('AWS::EC2::RouteTable', tableId);

      // Assess
      expect(fromLive).toEqual(fromConfig);
    });

    it('yields the same interface endpoint and security group models as their Config items', async () => {
      // Prepare
      const endpointItem = {
        configurationItemStatus: 'ResourceDiscovered',
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: seeded.prod.tightEndpointId,
        ARN: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/${seeded.prod.tightEndpointId}`,
        awsRegion: REGION,
        accountId: ACCOUNT,
        // API format: configuration is a JSON string.
        configuration: JSON.stringify({
          vpcEndpointId: seeded.prod.tightEndpointId,
          vpcEndpointType: 'Interface',
          vpcId: seeded.prod.vpcId,
          serviceName: `com.amazonaws.${REGION}.ssm`,
          state: 'available',
          policyDocument:
            '{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}',
          routeTableIds: [],
          subnetIds: seeded.prod.privateSubnetIds,
          groups: [{ groupId: seeded.prod.tightGroupId, groupName: 'endpoints-tight' }],
          privateDnsEnabled: true,
          requesterManaged: false,
          ownerId: ACCOUNT,
          tags: [],
        }),
        supplementaryConfiguration: {},
      };
      const groupItem = {
        configurationItemStatus: 'OK',
        resourceType: 'AWS::EC2::SecurityGroup',
        resourceId: seeded.prod.tightGroupId,
        ARN: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${seeded.prod.tightGroupId}`,
        awsRegion: REGION,
        awsAccountId: ACCOUNT,
        tags: {},
        configuration: {
          description: 'endpoints-tight',
          groupName: 'endpoints-tight',
          groupId: seeded.prod.tightGroupId,
          ownerId: ACCOUNT,
          vpcId: seeded.prod.vpcId,
          ipPermissions: [
            {
              fromPort: 443,
              toPort: 443,
              ipProtocol: 'tcp',
              ipv6Ranges: [],
              prefixListIds: [],
              userIdGroupPairs: [],
              ipv4Ranges: [{ cidrIp: '10.0.0.0/16' }],
              ipRanges: ['10.0.0.0/16'],
            },
          ],
          ipPermissionsEgress: [
            {
              ipProtocol: '-1',
              ipv6Ranges: [],
              prefixListIds: [],
              userIdGroupPairs: [],
              ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
              ipRanges: ['0.0.0.0/0'],
            },
          ],
          tags: [],
        },
      };
      const live = view();

      // Act
      const [endpoint, group] = await Promise.all([
        live.get('AWS::EC2::VPCEndpoint', seeded.prod.tightEndpointId),
        live.get('AWS::EC2::SecurityGroup', seeded.prod.tightGroupId),
      ]);

      // Assess
      expect(endpoint).toEqual(parseConfigurationItem(endpointItem).resource);
      expect(group).toEqual(parseConfigurationItem(groupItem).resource);
    });
    it('leaves deleted endpoints out, as Config does', async () => {
      // Prepare
      await seedClients.ec2.send(
        new DeleteVpcEndpointsCommand({ VpcEndpointIds: [seeded.prod.openEndpointId] }),
      );
      const live = view();

      // Act
      const endpoints = await live.endpointsOfVpc(seeded.prod.vpcId);
      const deleted = await live.get('AWS::EC2::VPCEndpoint', seeded.prod.openEndpointId);

      // Assess
      expect(endpoints.map((endpoint) => endpoint.id)).not.toContain(seeded.prod.openEndpointId);
      expect(deleted).toBeUndefined();
    });
  },
  { resetEachTest: false },
);

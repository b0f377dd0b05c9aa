import { CreateRouteTableCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeAll, expect, it } from 'vitest';
import { findRule } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import { countCalls, createClients, createLiveView } from '../../src/sources/aws/index.js';
import { describeWithMoto, motoClientOptions } from './moto.js';
import { type SeededAccount, seedAccount } from './seed-account.js';

const EXTRA_TABLES = 60;
const EXTRA_BUCKETS = 20;
const FAR_REGION = 'eu-west-1';
const FAR_BUCKET = 'vg-far-away';

const ec2Calls = (byOperation: Record<string, number>): number =>
  Object.entries(byOperation)
    .filter(([key]) => key.startsWith('ec2:'))
    .reduce((sum, [, count]) => sum + count, 0);

/**
 * What the live view costs in API calls: a sweep is O(pages), not O(resources), and one targeted
 * evaluation asks one question per dependency type, once.
 */
describeWithMoto(
  'LiveAccountView API call counts',
  (moto) => {
    let seeded: SeededAccount;
    const view = (wholeLists = false) =>
      createLiveView({ ...motoClientOptions(moto.url), accountId: '123456789012', wholeLists });

    beforeAll(async () => {
      const clients = createClients(motoClientOptions(moto.url));
      seeded = await seedAccount(clients, moto.url);
      const { Vpc } = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
      for (let index = 0; index < EXTRA_TABLES; index++) {
        await clients.ec2.send(new CreateRouteTableCommand({ VpcId: Vpc?.VpcId }));
      }
      for (let index = 0; index < EXTRA_BUCKETS; index++) {
        await clients.s3.send(new CreateBucketCommand({ Bucket: `vg-bulk-${index}` }));
      }
      // Another region's bucket: judged by that region's view only, and costs this one nothing.
      await createClients({ ...motoClientOptions(moto.url), region: FAR_REGION }).s3.send(
        new CreateBucketCommand({
          Bucket: FAR_BUCKET,
          CreateBucketConfiguration: { LocationConstraint: FAR_REGION },
        }),
      );
    });

    it('lists every route table of the region in one or two DescribeRouteTables calls', async () => {
      // Prepare
      const live = view();

      // Act
      const { result: tables, calls } = await countCalls(live.counter, () =>
        live.list('AWS::EC2::RouteTable'),
      );

      // Assess
      expect(tables.length).toBeGreaterThan(EXTRA_TABLES);
      expect(calls.byOperation['ec2:DescribeRouteTables']).toBeGreaterThanOrEqual(1);
      expect(calls.byOperation['ec2:DescribeRouteTables']).toBeLessThanOrEqual(2);
      expect(calls.total).toBe(calls.byOperation['ec2:DescribeRouteTables']);
    });

    it('sweeps a rule over every route table with one call per resource type', async () => {
      // Prepare
      const live = view(true);
      const rule = findRule('private-subnet-gateway-endpoints');
      if (!rule) throw new Error('rule missing');
      const params = parseParams(rule.id, rule.parameters, {});

      // Act
      const { result: verdicts, calls } = await countCalls(live.counter, async () => {
        const tables = await live.list('AWS::EC2::RouteTable');
        return Promise.all(tables.map((table) => rule.evaluate(table, live, params)));
      });

      // Assess
      expect(verdicts.length).toBeGreaterThan(EXTRA_TABLES);
      for (const count of Object.values(calls.byOperation)) expect(count).toBe(1);
      expect(Object.keys(calls.byOperation).every((key) => key.startsWith('ec2:'))).toBe(true);
      expect(calls.total).toBeLessThanOrEqual(4);
    });

    it('judges a changed, explicitly associated route table with at most 2 EC2 calls', async () => {
      // Prepare: in the Lambda the table arrives in the Config event, so it is not read here.
      const table = await view().get('AWS::EC2::RouteTable', seeded.prod.uncoveredTableId);
      const sibling = await view().get('AWS::EC2::RouteTable', seeded.prod.privateTableId);
      if (!table || !sibling) throw new Error('seeded tables missing');
      const rule = findRule('private-subnet-gateway-endpoints');
      if (!rule) throw new Error('rule missing');
      const params = parseParams(rule.id, rule.parameters, {});
      const live = view();

      // Act
      const first = await countCalls(live.counter, () => rule.evaluate(table, live, params));
      const second = await countCalls(live.counter, () => rule.evaluate(sibling, live, params));

      // Assess: the VPC's endpoints, plus its NAT gateways only to name the hop of a failure.
      expect(first.result.compliance).toBe('NON_COMPLIANT');
      expect(first.calls.byOperation).toEqual({
        'ec2:DescribeVpcEndpoints': 1,
        'ec2:DescribeNatGateways': 1,
      });
      expect(ec2Calls(first.calls.byOperation)).toBeLessThanOrEqual(2);
      expect(second.result.compliance).toBe('COMPLIANT');
      expect(second.calls.total).toBe(0);
    });

    it('judges a main route table with one call per dependency type of its VPC', async () => {
      const tables = await view().routeTablesOfVpc(seeded.prod.vpcId);
      const main = tables.find((table) => table.associations.some((assoc) => assoc.main));
      if (!main) throw new Error('seeded VPC has no main table');
      const rule = findRule('private-subnet-gateway-endpoints');
      if (!rule) throw new Error('rule missing');
      const live = view();

      const { calls } = await countCalls(live.counter, () =>
        rule.evaluate(main, live, parseParams(rule.id, rule.parameters, {})),
      );

      for (const count of Object.values(calls.byOperation)) expect(count).toBe(1);
      expect(calls.byOperation['ec2:DescribeRouteTables']).toBe(1);
      expect(calls.byOperation['ec2:DescribeSubnets']).toBe(1);
      expect(ec2Calls(calls.byOperation)).toBeLessThanOrEqual(4);
    });

    it('reads buckets from S3 at one ListBuckets plus one GetBucketPolicy per bucket without Config', async () => {
      // Prepare: as the CLI and the rule Lambdas build it when no rule is scoped by tag.
      const live = createLiveView({
        ...motoClientOptions(moto.url),
        accountId: '123456789012',
        readBucketTags: false,
        readPublicAccessBlock: false,
      });

      // Act
      const { result: buckets, calls } = await countCalls(live.counter, () =>
        live.list('AWS::S3::Bucket'),
      );

      // Assess: moto's ListBuckets applies the region filter but leaves BucketRegion out (real S3
      // names it); either way no bucket is located with GetBucketLocation.
      const count = buckets.length;
      expect(count).toBe(EXTRA_BUCKETS + Object.keys(seeded.buckets).length);
      expect(buckets.map((bucket) => bucket.name)).not.toContain(FAR_BUCKET);
      expect(new Set(buckets.map((bucket) => bucket.region))).toEqual(new Set(['us-east-1']));
      expect(calls.byOperation).toEqual({
        'config:DescribeConfigurationRecorderStatus': 1,
        's3:GetBucketPolicy': count,
        's3:ListBuckets': 1,
      });
    });

    it('adds one read per bucket for each optional read asked for (tags, public access block)', async () => {
      // Prepare
      const live = view();

      // Act
      const { result: buckets, calls } = await countCalls(live.counter, () =>
        live.list('AWS::S3::Bucket'),
      );

      // Assess
      const count = buckets.length;
      expect(calls.byOperation).toEqual({
        'config:DescribeConfigurationRecorderStatus': 1,
        's3:GetBucketPolicy': count,
        's3:GetBucketTagging': count,
        's3:GetPublicAccessBlock': count,
        's3:ListBuckets': 1,
      });
    });

    it('never asks twice: repeated and concurrent questions share the first call', async () => {
      // Prepare
      const live = view();

      // Act
      const { calls } = await countCalls(live.counter, async () => {
        await Promise.all([
          live.endpointsOfVpc(seeded.prod.vpcId),
          live.endpointsOfVpc(seeded.prod.vpcId),
          live.securityGroups([seeded.prod.tightGroupId, seeded.prod.openGroupId]),
          live.securityGroups([seeded.prod.openGroupId]),
        ]);
        await live.get('AWS::EC2::VPCEndpoint', seeded.prod.tightEndpointId);
        await live.endpointsUsingSecurityGroup(seeded.prod.openGroupId);
        await live.get('AWS::EC2::SecurityGroup', seeded.prod.tightGroupId);
      });

      // Assess
      expect(calls.byOperation).toEqual({
        'ec2:DescribeSecurityGroups': 1,
        'ec2:DescribeVpcEndpoints': 1,
      });
    });
  },
  { resetEachTest: false },
);

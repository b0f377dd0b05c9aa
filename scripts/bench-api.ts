/**
 * API calls of a live sweep vs the minimum pages AWS would need, measured against moto_server in
 * one run (see BENCHMARKS.md). Two bucket paths: S3 only (no Config recorder), and Config first
 * (BatchGetResourceConfig, 100 buckets a call), with the Config API mocked because moto's Config
 * answers are unreadable by SDK v3.
 */
import {
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  ListDiscoveredResourcesCommand,
} from '@aws-sdk/client-config-service';
import {
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { policyText, tlsOnlyStatement } from '../src/rules/example-policies.js';
import { RULES } from '../src/rules/index.js';
import { parseParams } from '../src/rules/params.js';
import { scan } from '../src/scan/scan.js';
import { bucketTagsNeeded, createClients, createLiveView } from '../src/sources/aws/index.js';
import { motoClientOptions, startMoto } from '../test/integration/moto.js';

const TABLES = 250;
const BUCKETS = 300;
const AWS_PAGE = { routeTables: 100, others: 1000, configBatch: 100, discovered: 100 };

const moto = await startMoto();
try {
  const clients = createClients(motoClientOptions(moto.url));
  const { Vpc } = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = Vpc?.VpcId as string;
  for (let index = 0; index < 20; index++) {
    await clients.ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${index}.0/24` }),
    );
  }
  for (let index = 0; index < TABLES; index++) {
    await clients.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  }
  const names: string[] = [];
  for (let index = 0; index < BUCKETS; index++) {
    const name = `bench-bucket-${index}`;
    names.push(name);
    await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
    await clients.s3.send(
      new PutBucketPolicyCommand({ Bucket: name, Policy: policyText([tlsOnlyStatement(name)]) }),
    );
  }
  const params = new Map(RULES.map((rule) => [rule.id, parseParams(rule.id, rule.parameters, {})]));

  // Real S3 names each bucket's region in ListBuckets; moto applies the region filter but leaves
  // the field out, so the view places each bucket from its policy read instead. Both paths cost
  // the same calls; the S3 path starts a bucket's reads at once. Add the field as S3 sends it.
  const withBucketRegions = (named: boolean) => {
    const sweepClients = createClients(motoClientOptions(moto.url));
    if (!named) return sweepClients;
    sweepClients.s3.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'ListBucketsCommand') {
          const output = result.output as { Buckets?: { BucketRegion?: string }[] };
          for (const bucket of output.Buckets ?? []) bucket.BucketRegion ??= 'us-east-1';
        }
        return result;
      },
      { step: 'initialize', name: 'benchBucketRegion' },
    );
    return sweepClients;
  };

  const sweep = async (named = true) => {
    const view = createLiveView({
      clients: withBucketRegions(named),
      wholeLists: true,
      readPublicAccessBlock: false,
      // Tags only for a rule scoped by tag, as the CLI and the rule Lambdas read them.
      readBucketTags: bucketTagsNeeded(params.values()),
      accountId: '123456789012',
    });
    const started = performance.now();
    const evaluations = await scan({ rules: RULES, view, params });
    const ms = performance.now() - started;
    // Served from the view's cache: no extra call.
    const routeTables = (await view.list('AWS::EC2::RouteTable')).length;
    return { calls: view.counter.toJSON(), evaluations: evaluations.length, ms, routeTables };
  };

  const s3Only = await sweep();
  const asMotoAnswers = await sweep(false);

  const config = mockClient(ConfigServiceClient);
  config
    .on(DescribeConfigurationRecorderStatusCommand)
    .resolves({ ConfigurationRecordersStatus: [{ name: 'default', recording: true }] });
  config.on(ListDiscoveredResourcesCommand).callsFake((input: { nextToken?: string }) => {
    const start = Number(input.nextToken ?? 0);
    const page = names.slice(start, start + AWS_PAGE.discovered);
    const next = start + page.length;
    return {
      resourceIdentifiers: page.map((resourceId) => ({
        resourceType: 'AWS::S3::Bucket',
        resourceId,
      })),
      ...(next < names.length ? { nextToken: String(next) } : {}),
    };
  });
  config
    .on(BatchGetResourceConfigCommand)
    .callsFake((input: { resourceKeys: { resourceId: string }[] }) => ({
      baseConfigurationItems: input.resourceKeys.map(({ resourceId }) => ({
        resourceType: 'AWS::S3::Bucket',
        resourceId,
        resourceName: resourceId,
        accountId: '123456789012',
        awsRegion: 'us-east-1',
        configurationItemStatus: 'OK',
        configurationItemCaptureTime: new Date(),
        configuration: JSON.stringify({ name: resourceId }),
        supplementaryConfiguration: {
          BucketPolicy: JSON.stringify({
            policyText: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
          }),
        },
      })),
      unprocessedResourceKeys: [],
    }));
  const configFirst = await sweep();
  // The mock answers before the SDK middleware runs, so Config calls are counted from the mock.
  const configCalls = config.calls().length;
  config.restore();

  const ceil = (n: number, page: number) => Math.max(1, Math.ceil(n / page));
  // Per EC2 list the sweep needed: one page each, route tables at most 100 a page on AWS.
  const ec2Minimum = Object.keys(s3Only.calls.byOperation)
    .filter((key) => key.startsWith('ec2:'))
    .reduce(
      (sum, key) =>
        sum +
        (key === 'ec2:DescribeRouteTables' ? ceil(s3Only.routeTables, AWS_PAGE.routeTables) : 1),
      0,
    );
  const ec2Calls = (byOperation: Record<string, number>) =>
    Object.entries(byOperation)
      .filter(([k]) => k.startsWith('ec2:'))
      .reduce((sum, [, n]) => sum + n, 0);
  // ListBuckets, then a policy per bucket (S3 has no batch read); tags only for a tag-scoped rule.
  const s3Minimum = 1 + (bucketTagsNeeded(params.values()) ? 2 : 1) * BUCKETS;
  const configMinimum =
    1 + ceil(BUCKETS, AWS_PAGE.discovered) + ceil(BUCKETS, AWS_PAGE.configBatch) + 1; // status, list pages, batches, ListBuckets

  const rows = [
    [
      'EC2 (all rules, ' + s3Only.routeTables + ' route tables)',
      ec2Calls(s3Only.calls.byOperation),
      ec2Minimum,
    ],
    [
      'buckets via S3 (' + BUCKETS + ')',
      s3Only.calls.total - ec2Calls(s3Only.calls.byOperation),
      s3Minimum,
    ],
    [
      'buckets via S3, regions left out of ListBuckets as moto does (' + BUCKETS + ')',
      asMotoAnswers.calls.total - ec2Calls(asMotoAnswers.calls.byOperation),
      s3Minimum,
    ],
    [
      'buckets via AWS Config (' + BUCKETS + ')',
      configFirst.calls.total - ec2Calls(configFirst.calls.byOperation) + configCalls,
      configMinimum,
    ],
  ] as const;
  console.log('| reads | API calls made | minimum pages on AWS | calls / minimum |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [what, made, minimum] of rows)
    console.log(`| ${what} | ${made} | ${minimum} | ${(made / minimum).toFixed(2)} |`);
  console.log(
    `\nS3-only sweep: ${s3Only.evaluations} evaluations in ${s3Only.ms.toFixed(0)} ms; by operation: ${JSON.stringify(s3Only.calls.byOperation)}`,
  );
  console.log(
    `S3-only sweep, regions as moto answers: ${asMotoAnswers.evaluations} evaluations in ${asMotoAnswers.ms.toFixed(0)} ms; by operation: ${JSON.stringify(asMotoAnswers.calls.byOperation)}`,
  );
  console.log(
    `Config-first sweep: ${configFirst.evaluations} evaluations in ${configFirst.ms.toFixed(0)} ms; by operation: ${JSON.stringify(configFirst.calls.byOperation)}`,
  );
} finally {
  await moto.stop();
}

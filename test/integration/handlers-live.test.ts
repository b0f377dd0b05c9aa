import { Logger } from '@aws-lambda-powertools/logger';
import {
  ConfigServiceClient,
  type Evaluation,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { handler as gatewayEndpointsHandler } from '../../handlers/rules/private-subnet-gateway-endpoints.js';
import type { ConfigRuleEvent } from '../../src/engine/event.js';
import { createRuleHandler } from '../../src/engine/handler-factory.js';
import {
  policyText,
  tlsOnlyStatement,
  vpceOnlyStatement,
} from '../../src/rules/example-policies.js';
import { findRule } from '../../src/rules/index.js';
import type { AnyRule } from '../../src/rules/rule.js';
import type { ApiCallTally, AwsClients } from '../../src/sources/aws/index.js';
import { createClients } from '../../src/sources/aws/index.js';
import {
  ACCOUNT_ID,
  apiConfigurationItem,
  changeEvent,
  configurationItem,
  REGION,
  RULE_NAME,
  scheduledEvent,
} from '../helpers/events.js';
import { startFaultProxy } from './fault-proxy.js';
import { describeWithMoto, motoClientOptions } from './moto.js';
import { type SeededAccount, seedAccount } from './seed-account.js';

/**
 * The rule handlers as Lambda runs them (middy, Powertools, the default live view, clients built
 * from the environment) against EC2 and S3 in moto_server. AWS Config itself is mocked: moto does
 * not implement PutEvaluations outside test mode nor history for EC2 types (toolchain.md §3).
 */

const configMock = mockClient(ConfigServiceClient);

const BEFORE_CHANGE = '2025-03-14T08:00:00.000Z';
const AFTER_CHANGE = '2025-03-14T10:15:00.000Z';

const lambdaContext = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2025/03/14/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

const ruleById = (id: string): AnyRule => {
  const rule = findRule(id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
};

/** A silent Powertools logger whose `info` calls are recorded (the handler logs its API calls). */
const recordingLogger = () => {
  const logger = new Logger({ serviceName: 'vpce-guard-test', logLevel: 'SILENT' });
  const info = vi.spyOn(logger, 'info');
  const apiCalls = (): ApiCallTally[] =>
    info.mock.calls
      .filter(([message]) => message === 'AWS API calls of this invocation')
      .map(([, attributes]) => (attributes as { apiCalls: ApiCallTally }).apiCalls);
  return { logger, apiCalls };
};

/** A fresh handler per call: clients are cached per handler, so each one sees the current env. */
const invoke = async (ruleId: string, event: ConfigRuleEvent, logger?: Logger) => {
  const handler = createRuleHandler(ruleById(ruleId), logger ? { logger } : {});
  return handler(event, lambdaContext(`vpce-guard-${ruleId}`));
};

/** Every evaluation sent to the mocked AWS Config, in order. */
const delivered = (): Evaluation[] =>
  configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);

const verdictsById = (evaluations: readonly Evaluation[]): Record<string, string | undefined> =>
  Object.fromEntries(
    evaluations.map((evaluation) => [evaluation.ComplianceResourceId, evaluation.ComplianceType]),
  );

const lowerFirst = (key: string): string => key.charAt(0).toLowerCase() + key.slice(1);

/**
 * An EC2 describe result as AWS Config records it in `configuration`: the same fields with
 * camelCase names, `ipv4Ranges` for `IpRanges` (aws-config-contract.md §3).
 */
const configurationOf = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(configurationOf);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [
      key === 'IpRanges' ? 'ipv4Ranges' : lowerFirst(key),
      configurationOf(entry),
    ]),
  );
};

const asConfiguration = (value: unknown): Record<string, unknown> =>
  configurationOf(value) as Record<string, unknown>;

const describeTable = async (ec2: EC2Client, id: string) => {
  const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }));
  const table = RouteTables?.[0];
  if (!table) throw new Error(`moto has no route table ${id}`);
  return asConfiguration(table);
};

/** The Config item of a route table as moto describes it now. */
const routeTableItem = async (ec2: EC2Client, tableId: string) =>
  configurationItem({
    resourceType: 'AWS::EC2::RouteTable',
    resourceId: tableId,
    configuration: await describeTable(ec2, tableId),
  });

const describeEndpoint = async (ec2: EC2Client, id: string) => {
  const { VpcEndpoints } = await ec2.send(
    new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }),
  );
  const endpoint = VpcEndpoints?.[0];
  if (!endpoint) throw new Error(`moto has no endpoint ${id}`);
  return asConfiguration(endpoint);
};

const describeGroup = async (ec2: EC2Client, id: string) => {
  const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
  const group = SecurityGroups?.[0];
  if (!group) throw new Error(`moto has no security group ${id}`);
  return asConfiguration(group);
};

describeWithMoto(
  'rule handlers invoked against a seeded moto account',
  (moto) => {
    let clients: AwsClients;
    let seeded: SeededAccount;
    const savedEnv = {
      endpoint: process.env.AWS_ENDPOINT_URL,
      attempts: process.env.AWS_MAX_ATTEMPTS,
    };

    beforeAll(() => {
      // The handlers build their clients from the environment, as in Lambda; one attempt per call
      // because moto answers what it does not implement with 500s.
      process.env.AWS_ENDPOINT_URL = moto.url;
      process.env.AWS_MAX_ATTEMPTS = '1';
    });

    afterAll(() => {
      for (const [name, value] of [
        ['AWS_ENDPOINT_URL', savedEnv.endpoint],
        ['AWS_MAX_ATTEMPTS', savedEnv.attempts],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      configMock.restore();
    });

    // Seeding takes about a second; only a test that changed moto's state pays for a fresh account.
    let changedAccount = true;
    const changesAccount = () => {
      changedAccount = true;
    };

    beforeEach(async () => {
      configMock.reset();
      configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
      configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
      configMock.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
      if (changedAccount) {
        const reset = await fetch(`${moto.url}/moto-api/reset`, { method: 'POST' });
        if (!reset.ok) throw new Error(`moto reset failed: HTTP ${reset.status}`);
        clients = createClients(motoClientOptions(moto.url));
        seeded = await seedAccount(clients, moto.url);
        changedAccount = false;
      }
    });

    it('reports the changed route table with one PutEvaluations and the verdict moto state implies', async () => {
      // Prepare
      const tableId = seeded.prod.uncoveredTableId;
      const item = await routeTableItem(clients.ec2, tableId);

      // Act
      const summary = await invoke('private-subnet-gateway-endpoints', changeEvent(item));

      // Assess
      expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
      const evaluation = delivered().find((e) => e.ComplianceResourceId === tableId);
      expect(evaluation).toMatchObject({
        ComplianceResourceType: 'AWS::EC2::RouteTable',
        ComplianceType: 'NON_COMPLIANT',
      });
      expect(evaluation?.Annotation).toContain(seeded.prod.natGatewayId);
      expect(summary.delivered).toBe(summary.evaluated);
    });

    it('judges a changed, explicitly associated route table with one EC2 call, plus two for the main table', async () => {
      // Prepare
      const tableId = seeded.prod.privateTableId;
      const item = await routeTableItem(clients.ec2, tableId);
      const { logger, apiCalls } = recordingLogger();

      // Act
      await invoke('private-subnet-gateway-endpoints', changeEvent(item), logger);

      // Assess: the table itself comes from the event and needs only its VPC's endpoints. The
      // invocation also re-judges the VPC's main table (a changed association can move subnets onto
      // it), which costs that VPC's route tables and subnets, and its NAT gateways to name the
      // default route's hop: one call per type, never per resource.
      expect(verdictsById(delivered())).toEqual({
        [tableId]: 'COMPLIANT',
        [seeded.prod.mainTableId]: 'NOT_APPLICABLE',
      });
      const calls = apiCalls();
      expect(calls).toHaveLength(1);
      expect(calls[0]?.byOperation).toEqual({
        'ec2:DescribeVpcEndpoints': 1,
        'ec2:DescribeRouteTables': 1,
        'ec2:DescribeSubnets': 1,
        'ec2:DescribeNatGateways': 1,
      });
    });

    it('judges a route change of an explicitly associated table with at most 2 EC2 calls', async () => {
      // Prepare: Config's diff says only a route changed, so the main table cannot be affected.
      const tableId = seeded.prod.uncoveredTableId;
      const item = await routeTableItem(clients.ec2, tableId);
      const event = changeEvent(
        item,
        {},
        {
          changeType: 'UPDATE',
          changedProperties: {
            'Configuration.Routes.1': {
              changeType: 'CREATE',
              updatedValue: { destinationCidrBlock: '0.0.0.0/0' },
            },
          },
        },
      );
      const { logger, apiCalls } = recordingLogger();

      // Act
      await invoke('private-subnet-gateway-endpoints', event, logger);

      // Assess: the VPC's endpoints, and its NAT gateways to name the hop of the failure.
      expect(verdictsById(delivered())).toEqual({ [tableId]: 'NON_COMPLIANT' });
      const ec2 = Object.entries(apiCalls()[0]?.byOperation ?? {}).filter(([key]) =>
        key.startsWith('ec2:'),
      );
      expect(ec2.reduce((sum, [, count]) => sum + count, 0)).toBeLessThanOrEqual(2);
      expect(Object.fromEntries(ec2)).toEqual({
        'ec2:DescribeVpcEndpoints': 1,
        'ec2:DescribeNatGateways': 1,
      });
    });

    it('reports the route tables of a deleted Gateway endpoint NON_COMPLIANT in one invocation', async () => {
      // Prepare: the endpoint's change while it exists, then its deletion as Config records it.
      const endpointId = seeded.prod.s3EndpointId;
      const tableId = seeded.prod.privateTableId;
      const previous = await describeEndpoint(clients.ec2, endpointId);
      changesAccount();
      const context = lambdaContext('vpce-guard-private-subnet-gateway-endpoints');
      await gatewayEndpointsHandler(
        changeEvent(
          configurationItem({
            resourceType: 'AWS::EC2::VPCEndpoint',
            resourceId: endpointId,
            configuration: previous,
            captureTime: BEFORE_CHANGE,
          }),
        ),
        context,
      );
      const before = verdictsById(delivered());
      configMock.resetHistory();
      await clients.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
      configMock
        .on(GetResourceConfigHistoryCommand, {
          resourceType: 'AWS::EC2::VPCEndpoint',
          resourceId: endpointId,
        })
        .resolves({
          configurationItems: [
            apiConfigurationItem({
              resourceType: 'AWS::EC2::VPCEndpoint',
              resourceId: endpointId,
              configuration: previous,
              captureTime: BEFORE_CHANGE,
            }),
          ],
        });
      const deletion = changeEvent(
        configurationItem({
          resourceType: 'AWS::EC2::VPCEndpoint',
          resourceId: endpointId,
          status: 'ResourceDeleted',
          captureTime: AFTER_CHANGE,
        }),
      );

      // Act
      await gatewayEndpointsHandler(deletion, context);

      // Assess
      expect(before[tableId]).toBe('COMPLIANT');
      expect(configMock).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, {
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: endpointId,
        laterTime: new Date(AFTER_CHANGE),
      });
      expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
      const after = delivered();
      const table = after.find((e) => e.ComplianceResourceId === tableId);
      expect(table?.ComplianceType).toBe('NON_COMPLIANT');
      expect(table?.Annotation).toContain('s3');
      // Every table of the VPC is re-judged, and nothing is said about the endpoint itself.
      expect(Object.keys(verdictsById(after)).sort()).toEqual(
        [
          seeded.prod.publicTableId,
          seeded.prod.privateTableId,
          seeded.prod.uncoveredTableId,
          seeded.prod.mainTableId,
        ].sort(),
      );
      expect(after.every((e) => e.ComplianceResourceType === 'AWS::EC2::RouteTable')).toBe(true);
    });

    it('re-evaluates every interface endpoint of a security group opened to 0.0.0.0/0', async () => {
      // Prepare: a second endpoint behind the same tight group, then open the group.
      const groupId = seeded.prod.tightGroupId;
      changesAccount();
      const { VpcEndpoint } = await clients.ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: seeded.prod.vpcId,
          VpcEndpointType: 'Interface',
          ServiceName: `com.amazonaws.${REGION}.sts`,
          SubnetIds: [seeded.prod.privateSubnetIds[1]],
          SecurityGroupIds: [groupId],
          PrivateDnsEnabled: true,
        }),
      );
      const stsEndpointId = VpcEndpoint?.VpcEndpointId ?? '';
      const groupEvent = async () =>
        changeEvent(
          configurationItem({
            resourceType: 'AWS::EC2::SecurityGroup',
            resourceId: groupId,
            configuration: await describeGroup(clients.ec2, groupId),
          }),
        );
      await invoke('interface-endpoint-sg-restricted', await groupEvent());
      const before = verdictsById(delivered());
      configMock.resetHistory();
      await clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      );

      // Act
      await invoke('interface-endpoint-sg-restricted', await groupEvent());

      // Assess
      expect(before).toEqual({
        [seeded.prod.tightEndpointId]: 'COMPLIANT',
        [stsEndpointId]: 'COMPLIANT',
      });
      expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
      const after = delivered();
      expect(verdictsById(after)).toEqual({
        [seeded.prod.tightEndpointId]: 'NON_COMPLIANT',
        [stsEndpointId]: 'NON_COMPLIANT',
      });
      for (const evaluation of after) {
        expect(evaluation.ComplianceResourceType).toBe('AWS::EC2::VPCEndpoint');
        expect(evaluation.Annotation).toContain('0.0.0.0/0');
      }
    });

    it('judges every VPC on a schedule and marks a stale VPC result NOT_APPLICABLE', async () => {
      // Prepare
      const { Vpcs } = await clients.ec2.send(new DescribeVpcsCommand({}));
      const vpcIds = (Vpcs ?? []).map((vpc) => vpc.VpcId ?? '');
      const staleId = 'vpc-0deadbeef0000000a';
      const result = (id: string) => ({
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: {
            ConfigRuleName: RULE_NAME,
            ResourceType: 'AWS::EC2::VPC',
            ResourceId: id,
          },
        },
        ComplianceType: 'NON_COMPLIANT' as const,
      });
      configMock
        .on(GetComplianceDetailsByConfigRuleCommand)
        .resolves({ EvaluationResults: [result(seeded.legacy.vpcId), result(staleId)] });

      // Act
      const summary = await invoke('vpc-required-endpoints', scheduledEvent());

      // Assess
      const verdicts = verdictsById(delivered());
      expect(Object.keys(verdicts).sort()).toEqual([...vpcIds, staleId].sort());
      expect(verdicts[staleId]).toBe('NOT_APPLICABLE');
      expect(verdicts[seeded.prod.vpcId]).toBe('COMPLIANT');
      expect(verdicts[seeded.legacy.vpcId]).toBe('NON_COMPLIANT');
      expect(configMock).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, {
        ConfigRuleName: RULE_NAME,
      });
      expect(summary.evaluated).toBe(vpcIds.length + 1);
    });

    it('never asks for old results when a change triggers vpc-required-endpoints', async () => {
      // Prepare
      const endpointId = seeded.isolated.s3EndpointId;
      const item = configurationItem({
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: endpointId,
        configuration: await describeEndpoint(clients.ec2, endpointId),
      });

      // Act
      await invoke('vpc-required-endpoints', changeEvent(item));

      // Assess
      expect(configMock).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
      expect(verdictsById(delivered())).toEqual({ [seeded.isolated.vpcId]: 'COMPLIANT' });
    });

    it('judges a locked-out bucket from the policy in its configuration item, not from S3', async () => {
      // Prepare: S3 now holds a TLS-only policy; the item carries the VPCE-only one Config recorded.
      const bucket = seeded.buckets.vpceOnly;
      changesAccount();
      const recordedPolicy = policyText([vpceOnlyStatement(bucket, [seeded.prod.s3EndpointId])]);
      await clients.s3.send(
        new PutBucketPolicyCommand({
          Bucket: bucket,
          Policy: policyText([tlsOnlyStatement(bucket)]),
        }),
      );
      const item = configurationItem({
        resourceType: 'AWS::S3::Bucket',
        resourceId: bucket,
        resourceName: bucket,
        configuration: { name: bucket, owner: { id: ACCOUNT_ID }, creationDate: BEFORE_CHANGE },
        supplementaryConfiguration: { BucketPolicy: { policyText: recordedPolicy } },
      });
      const { logger, apiCalls } = recordingLogger();

      // Act
      await invoke(
        's3-bucket-policy-vpce-only',
        changeEvent(item, { ruleParameters: { allowedVpceIds: seeded.prod.s3EndpointId } }),
        logger,
      );

      // Assess
      const [evaluation] = delivered();
      expect(delivered()).toHaveLength(1);
      expect(evaluation).toMatchObject({
        ComplianceResourceType: 'AWS::S3::Bucket',
        ComplianceResourceId: bucket,
        ComplianceType: 'COMPLIANT',
      });
      expect(apiCalls()[0]?.byOperation['s3:GetBucketPolicy']).toBeUndefined();
    });
    it('reads bucket tags in a sweep only when the rule is scoped by bucket tag', async () => {
      // Prepare
      const rule = 's3-bucket-policy-tls-only';
      const plain = recordingLogger();
      const scoped = recordingLogger();

      // Act
      await invoke(rule, scheduledEvent(), plain.logger);
      const unscopedCount = delivered().length;
      await invoke(
        rule,
        scheduledEvent({ ruleParameters: { bucketTagKey: 'data-class' } }),
        scoped.logger,
      );

      // Assess
      const listed = plain.apiCalls()[0]?.byOperation['s3:GetBucketPolicy'] ?? 0;
      expect(listed).toBeGreaterThan(0);
      expect(unscopedCount).toBeGreaterThan(0);
      expect(plain.apiCalls()[0]?.byOperation['s3:GetBucketTagging']).toBeUndefined();
      expect(scoped.apiCalls()[0]?.byOperation['s3:GetBucketTagging']).toBe(listed);
    });
    it('delivers every bucket verdict of a sweep through 20% throttling, the bucket answering 400 unverifiable', async () => {
      // Prepare: the fault-free sweep first, then the same sweep through the fault proxy with the
      // production retry settings.
      const rule = 's3-bucket-policy-tls-only';
      await invoke(rule, scheduledEvent());
      const clean = verdictsById(delivered());
      configMock.resetHistory();
      const broken = seeded.buckets.tlsOnly;
      const proxy = await startFaultProxy(moto.url, {
        throttleShare: 0.2,
        seed: 3,
        bucketPolicyStatus: { [broken]: 400 },
      });
      process.env.AWS_ENDPOINT_URL = proxy.url;
      process.env.AWS_MAX_ATTEMPTS = '6';

      // Act
      const summary = await invoke(rule, scheduledEvent()).finally(async () => {
        process.env.AWS_ENDPOINT_URL = moto.url;
        process.env.AWS_MAX_ATTEMPTS = '1';
        await proxy.stop();
      });

      // Assess
      expect(proxy.stats.throttled).toBeGreaterThan(0);
      expect(summary.delivered).toBe(Object.keys(clean).length);
      const faulty = delivered();
      expect(verdictsById(faulty)).toEqual({ ...clean, [broken]: 'NON_COMPLIANT' });
      expect(faulty.find((e) => e.ComplianceResourceId === broken)?.Annotation).toMatch(
        /^Could not verify: the resource could not be read: .*InvalidRequest/,
      );
    });
  },
  { resetEachTest: false },
);

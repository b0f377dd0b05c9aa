import type { Evaluation } from '@aws-sdk/client-config-service';
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ENGINE_IAM_ACTIONS, runRule } from '../../src/engine/run-rule.js';
import {
  AwsReadError,
  EvaluationDeliveryError,
  InvalidEventError,
  InvalidParametersError,
  UnjudgedResourcesError,
} from '../../src/errors.js';
import { compliant, nonCompliant } from '../../src/model/compliance.js';
import type { ResourceRef, SecurityGroup, Subnet } from '../../src/model/resources.js';
import { privateSubnetGatewayEndpoints } from '../../src/rules/private-subnet-gateway-endpoints.js';
import { defineRule } from '../../src/rules/rule.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import type { AccountView } from '../../src/sources/view.js';
import {
  ACCOUNT_ID,
  apiConfigurationItem,
  CAPTURE_TIME,
  changeEvent,
  configurationItem,
  type ItemStatus,
  loadEventFixture,
  oversizedEvent,
  RESULT_TOKEN,
  RULE_NAME,
  SCHEDULED_TIME,
  scheduledEvent,
} from '../helpers/events.js';
import { RecordingLogger } from './recording-logger.js';

const configMock = mockClient(ConfigServiceClient);

// --- Small rules that exercise the engine; the catalogue rules are tested on their own. ---

const isOpenToWorld = (group: SecurityGroup, allowedPorts: readonly string[]): number[] =>
  group.ingress
    .filter((rule) => rule.ipv4Ranges.some((range) => range.cidr === '0.0.0.0/0'))
    .map((rule) => rule.fromPort ?? -1)
    .filter((port) => !allowedPorts.includes(String(port)));

const openIngressRule = defineRule({
  id: 'test-sg-no-open-ingress',
  title: 'Security groups should not accept traffic from anywhere',
  description: 'Test rule.',
  rationale: 'Test rule.',
  severity: 'high',
  resourceType: 'AWS::EC2::SecurityGroup',
  triggerTypes: [],
  frameworks: [],
  parameters: {
    allowedPorts: { type: 'list', description: 'Ports that may be open.', pattern: /^\d+$/ },
  },
  remediation: 'Remove the rule.',
  iamActions: [],
  async evaluate(group, _view, params) {
    const ports = isOpenToWorld(group, params.allowedPorts);
    return ports.length > 0
      ? nonCompliant(`Ingress from 0.0.0.0/0 on port(s) ${ports.join(', ')}.`)
      : compliant('No ingress from 0.0.0.0/0.');
  },
});

/** Same judgement, but a change to one group re-evaluates every group that references it. */
const referencingGroupsRule = defineRule({
  ...openIngressRule,
  id: 'test-sg-referencing-groups',
  parameters: {},
  async evaluate(group) {
    const ports = isOpenToWorld(group, []);
    return ports.length > 0 ? nonCompliant('Open to the world.') : compliant('Closed.');
  },
  async dependents(changed, view) {
    const groups = await view.list('AWS::EC2::SecurityGroup');
    const refs: ResourceRef[] = groups
      .filter((group) =>
        group.ingress.some((rule) => rule.groupRefs.some((ref) => ref.groupId === changed.id)),
      )
      .map((group) => ({ type: group.type, id: group.id }));
    // Duplicates, a missing group and a foreign type: the engine must cope with all three.
    return [
      ...refs,
      ...refs,
      { type: 'AWS::EC2::SecurityGroup', id: 'sg-0000000000000dead' },
      { type: 'AWS::EC2::VPC', id: 'vpc-0a1b2c3d' },
    ];
  },
});

/** Subnets judged by their route table; a route-table change re-evaluates the subnets it serves. */
const subnetRoutingRule = defineRule({
  id: 'test-subnet-no-igw-route',
  title: 'Subnets should not route to an internet gateway',
  description: 'Test rule.',
  rationale: 'Test rule.',
  severity: 'high',
  resourceType: 'AWS::EC2::Subnet',
  triggerTypes: ['AWS::EC2::RouteTable'],
  frameworks: [],
  parameters: {},
  remediation: 'Remove the route.',
  iamActions: [],
  async evaluate(subnet, view) {
    const tables = await view.routeTablesOfVpc(subnet.vpcId);
    const table =
      tables.find((t) => t.associations.some((a) => a.subnetId === subnet.id)) ??
      tables.find((t) => t.associations.some((a) => a.main));
    if (!table) return nonCompliant('No route table found.');
    const igw = table.routes.find((route) => route.target.kind === 'internet-gateway');
    return igw
      ? nonCompliant(`Route table ${table.id} routes to ${igw.target.id}.`)
      : compliant(`Route table ${table.id} has no internet route.`);
  },
  async dependents(changed, view) {
    if (changed.type !== 'AWS::EC2::RouteTable') return [];
    const explicit = changed.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : []));
    const viaMain = changed.associations.some((a) => a.main)
      ? (await view.subnetsOfVpc(changed.vpcId)).map((subnet: Subnet) => subnet.id)
      : [];
    return [...explicit, ...viaMain].map((id) => ({ type: 'AWS::EC2::Subnet' as const, id }));
  },
});

/** The bucket's item as GetResourceConfigHistory returns it (API format), with its policy. */
const bucketHistoryItem = () =>
  apiConfigurationItem({
    resourceType: 'AWS::S3::Bucket',
    resourceId: BUCKET,
    resourceName: BUCKET,
    configuration: { name: BUCKET, creationDate: '2024-11-02T10:15:30.000Z' },
    supplementaryConfiguration: { BucketPolicy: { policyText: BUCKET_POLICY } },
  });

const bucketPolicyPresentRule = defineRule({
  id: 'test-bucket-has-policy',
  title: 'Buckets should have a policy',
  description: 'Test rule.',
  rationale: 'Test rule.',
  severity: 'low',
  resourceType: 'AWS::S3::Bucket',
  triggerTypes: [],
  frameworks: [],
  parameters: {},
  remediation: 'Add a policy.',
  iamActions: [],
  async evaluate(bucket) {
    return bucket.policy.kind === 'present'
      ? compliant('The bucket has a policy.')
      : nonCompliant('The bucket has no policy.');
  },
});

// --- Configuration items in the shapes AWS Config records them. ---

const VPC_ID = 'vpc-0a1b2c3d';

const sgConfiguration = (id: string, options: { open?: boolean; refs?: string[] } = {}) => ({
  groupId: id,
  groupName: `group-${id}`,
  description: 'test group',
  ownerId: ACCOUNT_ID,
  vpcId: VPC_ID,
  tags: [],
  ipPermissions: [
    ...(options.open
      ? [
          {
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
            ipv6Ranges: [],
            prefixListIds: [],
            userIdGroupPairs: [],
          },
        ]
      : []),
    ...(options.refs ?? []).map((groupId) => ({
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      ipv4Ranges: [],
      ipv6Ranges: [],
      prefixListIds: [],
      userIdGroupPairs: [{ groupId, userId: ACCOUNT_ID }],
    })),
  ],
  ipPermissionsEgress: [],
});

const sgItem = (
  id: string,
  options: { open?: boolean; refs?: string[]; status?: ItemStatus } = {},
): Record<string, unknown> =>
  configurationItem({
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: id,
    configuration: sgConfiguration(id, options),
    ...(options.status ? { status: options.status } : {}),
  });

const subnetItem = (id: string) =>
  configurationItem({
    resourceType: 'AWS::EC2::Subnet',
    resourceId: id,
    configuration: {
      subnetId: id,
      vpcId: VPC_ID,
      cidrBlock: '10.0.1.0/24',
      availabilityZone: 'us-east-1a',
      mapPublicIpOnLaunch: false,
      state: 'available',
    },
  });

const routeTableConfiguration = (
  id: string,
  options: { subnets?: string[]; main?: boolean; igw?: boolean },
) => ({
  routeTableId: id,
  vpcId: VPC_ID,
  routes: [
    { destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', state: 'active' },
    ...(options.igw
      ? [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-0f1e2d3c', state: 'active' }]
      : []),
  ],
  associations: [
    ...(options.main ? [{ routeTableId: id, main: true }] : []),
    ...(options.subnets ?? []).map((subnetId) => ({ routeTableId: id, subnetId, main: false })),
  ],
});

const routeTableItem = (
  id: string,
  options: { subnets?: string[]; main?: boolean; igw?: boolean },
) =>
  configurationItem({
    resourceType: 'AWS::EC2::RouteTable',
    resourceId: id,
    configuration: routeTableConfiguration(id, options),
  });

const BUCKET = 'vpce-guard-data-123456789012';
const BUCKET_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` },
  ],
});

// --- Harness ---

const setup = (view: AccountView = SnapshotView.fromResources([])) => {
  const logger = new RecordingLogger();
  const sleep = vi.fn(async (_ms: number) => {});
  const deps = { config: new ConfigServiceClient({}), view, logger, sleep };
  return { logger, sleep, deps };
};

const sent = (): Evaluation[] =>
  configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);

const verdicts = (): Record<string, string | undefined> =>
  Object.fromEntries(sent().map((e) => [e.ComplianceResourceId, e.ComplianceType]));

const awsError = (name: string, status: number): ConfigServiceServiceException =>
  new ConfigServiceServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} from the mock`,
  });

describe('runRule', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  });

  it('exports the AWS actions the engine itself calls', () => {
    // Assess
    expect([...ENGINE_IAM_ACTIONS].sort()).toEqual([
      'config:GetComplianceDetailsByConfigRule',
      'config:GetResourceConfigHistory',
      'config:PutEvaluations',
    ]);
  });

  describe('event validation', () => {
    it.each([
      ['invokingEvent is not JSON', '{"configurationItem":', /not valid JSON/],
      ['messageType is missing', '{"configurationItem":{}}', /messageType is missing/],
    ])('fails with InvalidEventError when %s, before anything is sent', async (_c, json, msg) => {
      // Prepare
      const { deps, logger } = setup();
      const event = { ...changeEvent(sgItem('sg-1')), invokingEvent: json };

      // Act
      const run = runRule(openIngressRule, event, deps);

      // Assess
      await expect(run).rejects.toBeInstanceOf(InvalidEventError);
      await expect(run).rejects.toThrow(msg);
      expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
      expect(logger.at('error')).toHaveLength(1);
    });

    it('fails with InvalidEventError for a ConfigurationSnapshotDeliveryCompleted trigger', async () => {
      // Prepare
      const { deps } = setup();

      // Act
      const run = runRule(openIngressRule, loadEventFixture('snapshot-delivery-completed'), deps);

      // Assess
      await expect(run).rejects.toThrow(
        /Unsupported invokingEvent messageType "ConfigurationSnapshotDeliveryCompleted"/,
      );
      expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    });
  });

  describe('rule parameters', () => {
    it.each([
      [
        'a value fails its pattern',
        { allowedPorts: 'ssh' },
        /allowedPorts has invalid value\(s\): ssh/,
      ],
      ['a name is unknown', { allowedPort: '22' }, /unknown parameter\(s\) allowedPort/],
      ['ruleParameters is not JSON', '{allowedPorts:22', /ruleParameters is not valid JSON/],
    ])('fail the invocation before any evaluation when %s', async (_c, ruleParameters, msg) => {
      // Prepare
      const evaluate = vi.fn(openIngressRule.evaluate);
      const rule = { ...openIngressRule, evaluate };
      const { deps, logger } = setup();

      // Act
      const run = runRule(
        rule,
        changeEvent(sgItem('sg-1', { open: true }), { ruleParameters }),
        deps,
      );

      // Assess
      await expect(run).rejects.toBeInstanceOf(InvalidParametersError);
      await expect(run).rejects.toThrow(msg);
      expect(evaluate).not.toHaveBeenCalled();
      expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
      expect(logger.at('error')).toEqual([
        expect.objectContaining({ message: expect.stringMatching(msg) }),
      ]);
    });

    it('passes parsed parameters to the rule (Config sends lists comma-separated)', async () => {
      // Prepare
      const { deps } = setup();
      const event = changeEvent(sgItem('sg-1', { open: true }), {
        ruleParameters: { allowedPorts: '22, 443' },
      });

      // Act
      await runRule(openIngressRule, event, deps);

      // Assess
      expect(verdicts()).toEqual({ 'sg-1': 'COMPLIANT' });
    });
  });

  describe('ConfigurationItemChangeNotification', () => {
    it('returns NON_COMPLIANT for the changed resource, timed at its capture', async () => {
      // Prepare
      const { deps } = setup();

      // Act
      const summary = await runRule(
        openIngressRule,
        changeEvent(sgItem('sg-1', { open: true })),
        deps,
      );

      // Assess
      expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
        ResultToken: RESULT_TOKEN,
        Evaluations: [
          {
            ComplianceResourceType: 'AWS::EC2::SecurityGroup',
            ComplianceResourceId: 'sg-1',
            ComplianceType: 'NON_COMPLIANT',
            Annotation: 'Ingress from 0.0.0.0/0 on port(s) 22.',
            OrderingTimestamp: new Date(CAPTURE_TIME),
          },
        ],
      });
      expect(summary).toEqual({
        evaluated: 1,
        delivered: 1,
        byCompliance: { COMPLIANT: 0, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 },
        testMode: false,
      });
    });

    it.each<ItemStatus>(['ResourceDeleted', 'ResourceDeletedNotRecorded', 'ResourceNotRecorded'])(
      'returns NOT_APPLICABLE without evaluating when the item is %s',
      async (status) => {
        // Prepare
        const evaluate = vi.fn(openIngressRule.evaluate);
        const { deps } = setup();

        // Act
        await runRule(
          { ...openIngressRule, evaluate },
          changeEvent(sgItem('sg-1', { status })),
          deps,
        );

        // Assess
        expect(sent()).toEqual([
          expect.objectContaining({
            ComplianceResourceId: 'sg-1',
            ComplianceType: 'NOT_APPLICABLE',
            OrderingTimestamp: new Date(CAPTURE_TIME),
          }),
        ]);
        expect(evaluate).not.toHaveBeenCalled();
      },
    );

    it('returns NOT_APPLICABLE when the resource left the rule scope', async () => {
      // Prepare
      const { deps } = setup();
      const event = changeEvent(sgItem('sg-1', { open: true }), { eventLeftScope: true });

      // Act
      await runRule(openIngressRule, event, deps);

      // Assess
      expect(sent()).toEqual([
        expect.objectContaining({
          ComplianceResourceId: 'sg-1',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: 'The resource is no longer in the scope of this rule.',
        }),
      ]);
    });

    it('returns NON_COMPLIANT naming the problem when the item cannot be read', async () => {
      // Prepare
      const item = sgItem('sg-1');
      (item.configuration as Record<string, unknown>).ipPermissions = 'not-a-list';
      const { deps, logger } = setup();

      // Act
      await runRule(openIngressRule, changeEvent(item), deps);

      // Assess
      const [evaluation] = sent();
      expect(evaluation).toMatchObject({
        ComplianceResourceType: 'AWS::EC2::SecurityGroup',
        ComplianceResourceId: 'sg-1',
        ComplianceType: 'NON_COMPLIANT',
        OrderingTimestamp: new Date(CAPTURE_TIME),
      });
      expect(evaluation?.Annotation).toMatch(
        /^Could not verify: .*could not be read.*ipPermissions/,
      );
      expect(logger.at('error')).toEqual([
        expect.objectContaining({ attributes: expect.objectContaining({ resourceId: 'sg-1' }) }),
      ]);
    });

    it('reports nothing for an unreadable item of a type the rule does not report on', async () => {
      // Prepare
      const item = routeTableItem('rtb-1', { main: true });
      (item.configuration as Record<string, unknown>).routes = 'broken';
      const { deps } = setup();

      // Act
      await runRule(openIngressRule, changeEvent(item), deps);

      // Assess
      expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, { Evaluations: [] });
    });

    it('fails the invocation when an unreadable item is of a type that triggers dependents', async () => {
      // Prepare: the route table's subnets would keep stale verdicts if this passed quietly.
      const item = routeTableItem('rtb-1', { main: true });
      (item.configuration as Record<string, unknown>).routes = 'broken';
      const { deps } = setup(SnapshotView.fromItems([subnetItem('subnet-a')]));

      // Act & Assess
      await expect(runRule(subnetRoutingRule, changeEvent(item), deps)).rejects.toThrow(
        /rtb-1.*routes should be a list/,
      );
      expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    });

    it('returns NOT_APPLICABLE for a resource that left the scope even if its item is unreadable', async () => {
      const item = sgItem('sg-1');
      (item.configuration as Record<string, unknown>).ipPermissions = 'not-a-list';
      const { deps } = setup();

      await runRule(openIngressRule, changeEvent(item, { eventLeftScope: true }), deps);

      expect(sent()).toEqual([
        expect.objectContaining({ ComplianceResourceId: 'sg-1', ComplianceType: 'NOT_APPLICABLE' }),
      ]);
    });

    it('reports an empty list for a change of a type the rule does not watch', async () => {
      // Prepare
      const { deps, logger } = setup();

      // Act
      const summary = await runRule(openIngressRule, changeEvent(subnetItem('subnet-1')), deps);

      // Assess
      expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
      expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, { Evaluations: [] });
      expect(summary.evaluated).toBe(0);
      expect(logger.at('warn')).toHaveLength(1);
    });

    it('returns NON_COMPLIANT with the reason when the rule throws', async () => {
      // Prepare
      const rule = {
        ...openIngressRule,
        evaluate: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'cidr')");
        },
      };
      const { deps, logger } = setup();

      // Act
      await runRule(rule, changeEvent(sgItem('sg-1')), deps);

      // Assess
      expect(sent()).toEqual([
        expect.objectContaining({
          ComplianceResourceId: 'sg-1',
          ComplianceType: 'NON_COMPLIANT',
          Annotation: "Evaluation failed: Cannot read properties of undefined (reading 'cidr')",
        }),
      ]);
      expect(logger.at('error')).toHaveLength(1);
    });

    it('fails the invocation naming the resource, without a verdict, when a read stays throttled', async () => {
      // Prepare
      const throttled = awsError('RequestLimitExceeded', 503);
      const rule = {
        ...openIngressRule,
        evaluate: async () => {
          throw new AwsReadError('DescribeSecurityGroups failed', { cause: throttled });
        },
      };
      const { deps } = setup();

      // Act
      const run = runRule(rule, changeEvent(sgItem('sg-1')), deps);

      // Assess
      await expect(run).rejects.toBeInstanceOf(UnjudgedResourcesError);
      await expect(run).rejects.toMatchObject({
        resources: [{ type: 'AWS::EC2::SecurityGroup', id: 'sg-1' }],
      });
      expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    });

    it('cuts long annotations to 256 characters and omits empty ones', async () => {
      // Prepare
      const long = defineRule({
        ...openIngressRule,
        parameters: {},
        async evaluate(group) {
          return group.id === 'sg-long'
            ? nonCompliant(`Port 22 is open. ${'Details of the statement. '.repeat(40)}`)
            : compliant('');
        },
        async dependents() {
          return [{ type: 'AWS::EC2::SecurityGroup', id: 'sg-empty' }];
        },
      });
      const view = SnapshotView.fromItems([sgItem('sg-empty')]);
      const { deps } = setup(view);

      // Act
      await runRule(long, changeEvent(sgItem('sg-long')), deps);

      // Assess
      const byId = Object.fromEntries(sent().map((e) => [e.ComplianceResourceId, e]));
      expect(byId['sg-long']?.Annotation).toHaveLength(256);
      expect(byId['sg-long']?.Annotation).toMatch(/^Port 22 is open\. .* \[truncated\]$/);
      expect(byId['sg-empty']).not.toHaveProperty('Annotation');
    });

    it('sends TestMode for the TESTMODE result token', async () => {
      // Prepare
      const { deps } = setup();

      // Act
      const summary = await runRule(
        openIngressRule,
        changeEvent(sgItem('sg-1'), { resultToken: 'TESTMODE' }),
        deps,
      );

      // Assess
      expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
        ResultToken: 'TESTMODE',
        TestMode: true,
      });
      expect(summary.testMode).toBe(true);
    });

    it('never cleans up stale results on a change', async () => {
      // Prepare
      const { deps } = setup(SnapshotView.fromItems([sgItem('sg-2')]));

      // Act
      await runRule(openIngressRule, changeEvent(sgItem('sg-1')), deps);

      // Assess
      expect(configMock).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
      expect(verdicts()).toEqual({ 'sg-1': 'COMPLIANT' });
    });

    it('fails with EvaluationDeliveryError when Config keeps rejecting the evaluation', async () => {
      // Prepare
      configMock.on(PutEvaluationsCommand).callsFake((input: { Evaluations?: Evaluation[] }) => ({
        FailedEvaluations: input.Evaluations,
      }));
      const { deps, sleep } = setup();

      // Act
      const run = runRule(openIngressRule, changeEvent(sgItem('sg-1')), deps);

      // Assess
      await expect(run).rejects.toBeInstanceOf(EvaluationDeliveryError);
      expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 5);
      expect(sleep).toHaveBeenCalledTimes(4);
    });

    it('retries FailedEvaluations and succeeds', async () => {
      // Prepare
      configMock
        .on(PutEvaluationsCommand)
        .callsFakeOnce((input: { Evaluations?: Evaluation[] }) => ({
          FailedEvaluations: input.Evaluations,
        }))
        .resolves({ FailedEvaluations: [] });
      const { deps } = setup();

      // Act
      const summary = await runRule(openIngressRule, changeEvent(sgItem('sg-1')), deps);

      // Assess
      expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
      expect(summary.delivered).toBe(1);
    });
  });

  describe('cross-resource re-evaluation', () => {
    it('evaluates every dependent once, using the event copy of the changed resource', async () => {
      // Prepare: the view still has the old, open sg-a; the event carries the fixed one.
      const view = SnapshotView.fromItems([
        sgItem('sg-a', { open: true }),
        sgItem('sg-b', { open: true, refs: ['sg-a'] }),
        sgItem('sg-c', { refs: ['sg-a'] }),
        sgItem('sg-d', { open: true }),
      ]);
      const { deps, logger } = setup(view);

      // Act
      const summary = await runRule(referencingGroupsRule, changeEvent(sgItem('sg-a')), deps);

      // Assess
      expect(verdicts()).toEqual({
        'sg-a': 'COMPLIANT',
        'sg-b': 'NON_COMPLIANT',
        'sg-c': 'COMPLIANT',
      });
      expect(sent()).toHaveLength(3);
      expect(sent().every((e) => e.OrderingTimestamp?.toISOString() === CAPTURE_TIME)).toBe(true);
      expect(summary.evaluated).toBe(3);
      expect(logger.at('warn')).toEqual([
        expect.objectContaining({
          attributes: expect.objectContaining({ resourceId: 'sg-0000000000000dead' }),
        }),
      ]);
    });

    it('re-evaluates the subnets a changed route table serves, not the table itself', async () => {
      // Prepare
      const view = SnapshotView.fromItems([
        subnetItem('subnet-a'),
        subnetItem('subnet-b'),
        subnetItem('subnet-c'),
        routeTableItem('rtb-main', { main: true }),
        routeTableItem('rtb-public', { subnets: ['subnet-a', 'subnet-b'], igw: true }),
      ]);
      const { deps } = setup(view);
      const changed = routeTableItem('rtb-public', {
        subnets: ['subnet-a', 'subnet-b'],
        igw: true,
      });

      // Act
      await runRule(subnetRoutingRule, changeEvent(changed), deps);

      // Assess
      expect(verdicts()).toEqual({ 'subnet-a': 'NON_COMPLIANT', 'subnet-b': 'NON_COMPLIANT' });
      expect(sent()[0]).toMatchObject({
        ComplianceResourceType: 'AWS::EC2::Subnet',
        OrderingTimestamp: new Date(CAPTURE_TIME),
        Annotation: 'Route table rtb-public routes to igw-0f1e2d3c.',
      });
    });

    it('recovers a deleted route table from history to re-evaluate its subnets', async () => {
      // Prepare: after the deletion the subnets fall back to the main table, which routes to an IGW.
      const deleted = loadEventFixture('route-table-deleted');
      const tableId = 'rtb-0a1b2c3d4e5f60718';
      configMock.on(GetResourceConfigHistoryCommand).resolves({
        configurationItems: [
          apiConfigurationItem({
            resourceType: 'AWS::EC2::RouteTable',
            resourceId: tableId,
            status: 'ResourceDeleted',
          }),
          apiConfigurationItem({
            resourceType: 'AWS::EC2::RouteTable',
            resourceId: tableId,
            captureTime: '2025-03-01T08:00:00.000Z',
            configuration: routeTableConfiguration(tableId, { subnets: ['subnet-a', 'subnet-b'] }),
          }),
        ],
      });
      const view = SnapshotView.fromItems([
        subnetItem('subnet-a'),
        subnetItem('subnet-b'),
        routeTableItem('rtb-main', { main: true, igw: true }),
      ]);
      const { deps } = setup(view);

      // Act
      await runRule(subnetRoutingRule, deleted, deps);

      // Assess
      expect(configMock).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, {
        resourceType: 'AWS::EC2::RouteTable',
        resourceId: tableId,
        laterTime: new Date(CAPTURE_TIME),
        limit: 2,
      });
      expect(verdicts()).toEqual({ 'subnet-a': 'NON_COMPLIANT', 'subnet-b': 'NON_COMPLIANT' });
      expect(sent().every((e) => e.OrderingTimestamp?.toISOString() === CAPTURE_TIME)).toBe(true);
    });

    it('skips dependents and says so when no earlier configuration is recorded', async () => {
      // Prepare
      configMock
        .on(GetResourceConfigHistoryCommand)
        .rejects(awsError('ResourceNotDiscoveredException', 400));
      const { deps, logger } = setup(SnapshotView.fromItems([subnetItem('subnet-a')]));

      // Act
      const summary = await runRule(
        subnetRoutingRule,
        loadEventFixture('route-table-deleted'),
        deps,
      );

      // Assess
      expect(summary.evaluated).toBe(0);
      expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, { Evaluations: [] });
      expect(logger.at('warn').map((entry) => entry.message)).toContain(
        'No earlier configuration of the changed resource; dependents not re-evaluated',
      );
    });

    it('re-evaluates the tables routing to a deleted endpoint whose history is empty', async () => {
      // Prepare: the endpoint is gone and Config kept no earlier item; one table still holds
      // its (now blackhole) route, another does not.
      configMock
        .on(GetResourceConfigHistoryCommand)
        .rejects(awsError('ResourceNotDiscoveredException', 400));
      const routed = routeTableConfiguration('rtb-routed', { subnets: ['subnet-a'] });
      const view = SnapshotView.fromItems([
        configurationItem({
          resourceType: 'AWS::EC2::RouteTable',
          resourceId: 'rtb-routed',
          configuration: {
            ...routed,
            routes: [
              ...routed.routes,
              {
                destinationPrefixListId: 'pl-63a5400a',
                gatewayId: 'vpce-gone',
                state: 'blackhole',
              },
            ],
          },
        }),
        routeTableItem('rtb-other', { subnets: ['subnet-b'] }),
      ]);
      const { deps } = setup(view);
      const event = changeEvent(
        configurationItem({
          resourceType: 'AWS::EC2::VPCEndpoint',
          resourceId: 'vpce-gone',
          status: 'ResourceDeleted',
        }),
      );

      // Act
      await runRule(privateSubnetGatewayEndpoints, event, deps);

      // Assess
      expect(Object.keys(verdicts())).toEqual(['rtb-routed']);
    });

    it('re-evaluates the tables that route to a changed customer prefix list, and only those', async () => {
      // Prepare: a firewall list now holds an S3 range; no route table item changed with it.
      const firewall = {
        PrefixListId: 'pl-0f1e2d3c4b5a69788',
        PrefixListName: 'egress-via-firewall',
        AddressFamily: 'IPv4',
        Entries: [{ Cidr: '52.216.0.0/15' }],
      };
      const listed = routeTableConfiguration('rtb-listed', { subnets: ['subnet-a'] });
      const view = SnapshotView.fromItems([
        configurationItem({
          resourceType: 'AWS::EC2::RouteTable',
          resourceId: 'rtb-listed',
          configuration: {
            ...listed,
            routes: [
              ...listed.routes,
              {
                destinationPrefixListId: firewall.PrefixListId,
                transitGatewayId: 'tgw-0a1b2c3d4e5f67890',
                state: 'active',
              },
            ],
          },
        }),
        routeTableItem('rtb-other', { subnets: ['subnet-b'] }),
      ]);
      const { deps } = setup(view);
      const event = changeEvent(
        configurationItem({
          resourceType: 'AWS::EC2::PrefixList',
          resourceId: firewall.PrefixListId,
          configuration: firewall,
        }),
      );

      // Act
      await runRule(privateSubnetGatewayEndpoints, event, deps);

      // Assess: the list is no resource of its own, so Config's history is never asked for it.
      expect(Object.keys(verdicts())).toEqual(['rtb-listed']);
      expect(configMock).not.toHaveReceivedCommand(GetResourceConfigHistoryCommand);
    });

    it('falls back to the changed resource itself when finding dependents fails', async () => {
      // Prepare
      const rule = {
        ...referencingGroupsRule,
        dependents: async () => {
          throw new Error('index unavailable');
        },
      };
      const { deps, logger } = setup(SnapshotView.fromItems([sgItem('sg-b', { refs: ['sg-a'] })]));

      // Act
      await runRule(rule, changeEvent(sgItem('sg-a', { open: true })), deps);

      // Assess
      expect(verdicts()).toEqual({ 'sg-a': 'NON_COMPLIANT' });
      expect(logger.at('error')).toHaveLength(1);
    });

    it('fails a trigger-type change when finding dependents fails, as nothing could be judged', async () => {
      // Prepare
      const rule = {
        ...subnetRoutingRule,
        dependents: async () => {
          throw new Error('index unavailable');
        },
      };
      const { deps } = setup();

      // Act
      const run = runRule(rule, changeEvent(routeTableItem('rtb-1', { main: true })), deps);

      // Assess
      await expect(run).rejects.toThrow('index unavailable');
      expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    });
  });

  describe('OversizedConfigurationItemChangeNotification', () => {
    it('fetches the item at the capture time from history, then evaluates it', async () => {
      // Prepare
      configMock.on(GetResourceConfigHistoryCommand).resolves({
        configurationItems: [bucketHistoryItem()],
      });
      const { deps } = setup();

      // Act
      await runRule(bucketPolicyPresentRule, loadEventFixture('oversized-bucket-change'), deps);

      // Assess
      expect(configMock).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, {
        resourceType: 'AWS::S3::Bucket',
        resourceId: BUCKET,
        laterTime: new Date(CAPTURE_TIME),
        limit: 1,
      });
      expect(sent()).toEqual([
        {
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: BUCKET,
          ComplianceType: 'COMPLIANT',
          Annotation: 'The bucket has a policy.',
          OrderingTimestamp: new Date(CAPTURE_TIME),
        },
      ]);
    });

    it('follows nextToken past empty history pages to the item', async () => {
      // Prepare: Config may answer with an empty page and a token (each page spans 7 days).
      configMock
        .on(GetResourceConfigHistoryCommand)
        .resolvesOnce({ configurationItems: [], nextToken: 'page-2' })
        .resolvesOnce({
          configurationItems: [bucketHistoryItem()],
        });
      const { deps } = setup();

      // Act
      await runRule(bucketPolicyPresentRule, loadEventFixture('oversized-bucket-change'), deps);

      // Assess
      expect(configMock).toHaveReceivedCommandTimes(GetResourceConfigHistoryCommand, 2);
      expect(configMock).toHaveReceivedNthCommandWith(GetResourceConfigHistoryCommand, 2, {
        nextToken: 'page-2',
        limit: 1,
      });
      expect(sent()).toEqual([expect.objectContaining({ ComplianceType: 'COMPLIANT' })]);
    });

    it('fails loudly when history has no item, so Config retries', async () => {
      // Prepare
      configMock.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
      const { deps } = setup();
      const event = oversizedEvent({ resourceType: 'AWS::S3::Bucket', resourceId: BUCKET });

      // Act
      const run = runRule(bucketPolicyPresentRule, event, deps);

      // Assess
      await expect(run).rejects.toThrow(/GetResourceConfigHistory returned no configuration item/);
      expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    });

    it('returns NOT_APPLICABLE when the fetched item is a deletion', async () => {
      // Prepare
      configMock.on(GetResourceConfigHistoryCommand).resolves({
        configurationItems: [
          apiConfigurationItem({
            resourceType: 'AWS::S3::Bucket',
            resourceId: BUCKET,
            status: 'ResourceDeleted',
          }),
        ],
      });
      const { deps } = setup();
      const event = oversizedEvent({
        resourceType: 'AWS::S3::Bucket',
        resourceId: BUCKET,
        status: 'ResourceDeleted',
      });

      // Act
      await runRule(bucketPolicyPresentRule, event, deps);

      // Assess
      expect(verdicts()).toEqual({ [BUCKET]: 'NOT_APPLICABLE' });
    });
  });

  describe('ScheduledNotification', () => {
    it('evaluates every resource of the rule type, timed at the notification', async () => {
      // Prepare
      const view = SnapshotView.fromItems([
        sgItem('sg-1', { open: true }),
        sgItem('sg-2'),
        subnetItem('subnet-1'),
      ]);
      const { deps } = setup(view);

      // Act
      const summary = await runRule(openIngressRule, scheduledEvent(), deps);

      // Assess
      expect(verdicts()).toEqual({ 'sg-1': 'NON_COMPLIANT', 'sg-2': 'COMPLIANT' });
      expect(sent().every((e) => e.OrderingTimestamp?.toISOString() === SCHEDULED_TIME)).toBe(true);
      expect(summary.byCompliance).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 });
    });

    it('delivers 250 evaluations in three PutEvaluations calls of 100, 100 and 50', async () => {
      // Prepare
      const items = Array.from({ length: 250 }, (_, i) =>
        sgItem(`sg-${String(i).padStart(17, '0')}`),
      );
      const { deps } = setup(SnapshotView.fromItems(items));

      // Act
      const summary = await runRule(openIngressRule, scheduledEvent(), deps);

      // Assess
      const sizes = configMock
        .commandCalls(PutEvaluationsCommand)
        .map((call) => call.args[0].input.Evaluations?.length);
      expect(sizes).toEqual([100, 100, 50]);
      expect(new Set(sent().map((e) => e.ComplianceResourceId)).size).toBe(250);
      expect(summary).toMatchObject({ evaluated: 250, delivered: 250 });
    });

    it('marks previously evaluated resources that are gone NOT_APPLICABLE, paging the results', async () => {
      // Prepare
      const result = (type: string, id: string) => ({
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: {
            ConfigRuleName: RULE_NAME,
            ResourceType: type,
            ResourceId: id,
          },
        },
        ComplianceType: 'NON_COMPLIANT' as const,
      });
      configMock
        .on(GetComplianceDetailsByConfigRuleCommand)
        .resolvesOnce({
          EvaluationResults: [
            result('AWS::EC2::SecurityGroup', 'sg-1'),
            result('AWS::EC2::SecurityGroup', 'sg-gone-1'),
          ],
          NextToken: 'page-2',
        })
        .resolvesOnce({
          EvaluationResults: [
            result('AWS::EC2::SecurityGroup', 'sg-gone-2'),
            result('AWS::EC2::VPC', 'vpc-other-type'),
          ],
        });
      const { deps } = setup(
        SnapshotView.fromItems([sgItem('sg-1'), sgItem('sg-2', { open: true })]),
      );

      // Act
      await runRule(openIngressRule, scheduledEvent(), deps);

      // Assess
      const calls = configMock.commandCalls(GetComplianceDetailsByConfigRuleCommand);
      expect(calls.map((call) => call.args[0].input)).toEqual([
        { ConfigRuleName: RULE_NAME, ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'], Limit: 100 },
        {
          ConfigRuleName: RULE_NAME,
          ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
          Limit: 100,
          NextToken: 'page-2',
        },
      ]);
      expect(verdicts()).toEqual({
        'sg-1': 'COMPLIANT',
        'sg-2': 'NON_COMPLIANT',
        'sg-gone-1': 'NOT_APPLICABLE',
        'sg-gone-2': 'NOT_APPLICABLE',
      });
      expect(sent().every((e) => e.OrderingTimestamp?.toISOString() === SCHEDULED_TIME)).toBe(true);
    });

    it('skips the cleanup when the event names no rule', async () => {
      // Prepare
      const { deps, logger } = setup(SnapshotView.fromItems([sgItem('sg-1')]));

      // Act
      await runRule(openIngressRule, scheduledEvent({ configRuleName: null }), deps);

      // Assess
      expect(configMock).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
      expect(verdicts()).toEqual({ 'sg-1': 'COMPLIANT' });
      expect(logger.at('warn')).toHaveLength(1);
    });

    it('still delivers fresh verdicts when the cleanup is denied, and logs the failure', async () => {
      // Prepare
      configMock
        .on(GetComplianceDetailsByConfigRuleCommand)
        .rejects(awsError('AccessDeniedException', 400));
      const { deps, logger } = setup(SnapshotView.fromItems([sgItem('sg-1')]));

      // Act
      await runRule(openIngressRule, scheduledEvent(), deps);

      // Assess
      expect(verdicts()).toEqual({ 'sg-1': 'COMPLIANT' });
      expect(logger.at('error')).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/cleanup failed/) }),
      ]);
    });

    it('judges the other resources when the rule throws for one of them', async () => {
      // Prepare
      const rule = defineRule({
        ...openIngressRule,
        async evaluate(group, view, params) {
          if (group.id === 'sg-bad') throw new Error('unexpected protocol');
          return openIngressRule.evaluate(group, view, params);
        },
      });
      const view = SnapshotView.fromItems([sgItem('sg-bad'), sgItem('sg-ok', { open: true })]);
      const { deps } = setup(view);

      // Act
      await runRule(rule, scheduledEvent(), deps);

      // Assess
      expect(verdicts()).toEqual({ 'sg-bad': 'NON_COMPLIANT', 'sg-ok': 'NON_COMPLIANT' });
      expect(sent().find((e) => e.ComplianceResourceId === 'sg-bad')?.Annotation).toBe(
        'Evaluation failed: unexpected protocol',
      );
    });
  });
});

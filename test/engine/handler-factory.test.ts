import { Logger } from '@aws-lambda-powertools/logger';
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRuleHandler, type ViewFactory } from '../../src/engine/handler-factory.js';
import { memoryCursorStore } from '../../src/engine/sweep-cursor.js';
import { InvalidEventError } from '../../src/errors.js';
import { compliant, nonCompliant } from '../../src/model/compliance.js';
import { defineRule } from '../../src/rules/rule.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { ACCOUNT_ID, changeEvent, configurationItem, scheduledEvent } from '../helpers/events.js';

const configMock = mockClient(ConfigServiceClient);
const ec2Mock = mockClient(EC2Client);

const noOpenIngress = defineRule({
  id: 'test-handler-sg',
  title: 'Security groups should not accept traffic from anywhere',
  description: 'Test rule.',
  rationale: 'Test rule.',
  severity: 'high',
  resourceType: 'AWS::EC2::SecurityGroup',
  triggerTypes: [],
  frameworks: [],
  parameters: {},
  remediation: 'Remove the rule.',
  iamActions: [],
  async evaluate(group) {
    const open = group.ingress.some((rule) => rule.ipv4Ranges.some((r) => r.cidr === '0.0.0.0/0'));
    return open ? nonCompliant('Open to 0.0.0.0/0.') : compliant('Closed.');
  },
});

const sgItem = (id: string, open: boolean) =>
  configurationItem({
    resourceType: 'AWS::EC2::SecurityGroup',
    resourceId: id,
    configuration: {
      groupId: id,
      groupName: id,
      vpcId: 'vpc-0a1b2c3d',
      ownerId: ACCOUNT_ID,
      ipPermissions: open
        ? [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }] }]
        : [],
      ipPermissionsEgress: [],
    },
  });

const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'vpce-guard-test-handler-sg',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT_ID}:function:vpce-guard-test-handler-sg`,
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/vpce-guard-test-handler-sg',
  logStreamName: '2025/03/14/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

const silentLogger = () => new Logger({ serviceName: 'vpce-guard-test', logLevel: 'SILENT' });

describe('createRuleHandler', () => {
  beforeEach(() => {
    configMock.reset();
    ec2Mock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('evaluates through the injected view and returns the run summary', async () => {
    // Prepare
    const viewFactory = vi.fn<ViewFactory>(() => SnapshotView.fromItems([sgItem('sg-1', true)]));
    const handler = createRuleHandler(noOpenIngress, { viewFactory, logger: silentLogger() });

    // Act
    const summary = await handler(scheduledEvent(), lambdaContext());

    // Assess
    expect(summary).toEqual({
      evaluated: 1,
      delivered: 1,
      byCompliance: { COMPLIANT: 0, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 },
      testMode: false,
    });
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [expect.objectContaining({ ComplianceResourceId: 'sg-1' })],
    });
  });

  it('builds a view per invocation over clients made once per container', async () => {
    // Prepare
    const viewFactory = vi.fn<ViewFactory>(() => SnapshotView.fromResources([]));
    const handler = createRuleHandler(noOpenIngress, { viewFactory, logger: silentLogger() });

    // Act
    await handler(scheduledEvent(), lambdaContext());
    await handler(changeEvent(sgItem('sg-1', false)), lambdaContext());

    // Assess
    expect(viewFactory).toHaveBeenCalledTimes(2);
    const [first, second] = viewFactory.mock.calls;
    expect(second?.[1]).toBe(first?.[1]);
    // Standard retries under the run's budget, never adaptive mode's client-side rate limiter.
    const strategy = (await first?.[1].config.config.retryStrategy()) as
      | { mode?: string }
      | undefined;
    expect(strategy?.mode).toBe('standard');
  });

  it('rejects an invalid event so the invocation fails', async () => {
    // Prepare
    const handler = createRuleHandler(noOpenIngress, {
      viewFactory: () => SnapshotView.fromResources([]),
      logger: silentLogger(),
    });
    const event = { ...scheduledEvent(), invokingEvent: 'not json' };

    // Act
    const invocation = handler(event, lambdaContext());

    // Assess
    await expect(invocation).rejects.toBeInstanceOf(InvalidEventError);
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['an event without a result token', { invokingEvent: '{}' }],
  ])('rejects %s with InvalidEventError before touching AWS', async (_case, event) => {
    const handler = createRuleHandler(noOpenIngress, {
      viewFactory: () => SnapshotView.fromResources([]),
      logger: silentLogger(),
      memberRoleName: 'vpce-guard-member',
    });

    await expect(handler(event, lambdaContext())).rejects.toBeInstanceOf(InvalidEventError);
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('writes structured JSON logs tagged with the rule id, rule name and Lambda context', async () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const logger = new Logger({ serviceName: 'vpce-guard', logLevel: 'INFO' });
    const handler = createRuleHandler(noOpenIngress, {
      viewFactory: () => SnapshotView.fromItems([sgItem('sg-1', false)]),
      logger,
    });

    // Act
    await handler(scheduledEvent(), lambdaContext());

    // Assess
    const records = lines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const delivered = records.find((r) => r.message === 'Evaluations delivered to AWS Config');
    expect(delivered).toMatchObject({
      level: 'INFO',
      service: 'vpce-guard',
      ruleId: 'test-handler-sg',
      configRuleName: 'vpce-guard-test-rule',
      function_name: 'vpce-guard-test-handler-sg',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      delivered: 1,
    });
  });

  it('reads a member account of an organization rule through its assumed role', async () => {
    // Prepare
    const member = '444455556666';
    const assumeRole = vi.fn(() => ({ accessKeyId: 'member', secretAccessKey: 'member' }));
    const handler = createRuleHandler(noOpenIngress, {
      logger: silentLogger(),
      memberRoleName: 'vpce-guard-member',
      assumeRole,
      viewFactory: () => SnapshotView.fromItems([sgItem('sg-0member', true)]),
    });
    const event = {
      ...changeEvent(sgItem('sg-0member', true)),
      accountId: member,
      configRuleArn: `arn:aws:config:us-east-1:${member}:config-rule/config-rule-abc123`,
    };

    // Act
    await handler(event, lambdaContext());
    await handler(event, lambdaContext());

    // Assess: one role per member account for the life of the container.
    expect(assumeRole).toHaveBeenCalledTimes(1);
    expect(assumeRole).toHaveBeenCalledWith(
      `arn:aws:iam::${member}:role/vpce-guard-member`,
      'vpce-guard-test-handler-sg',
    );
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });

  it('uses its own credentials for its own account even when a member role is configured', async () => {
    const assumeRole = vi.fn(() => ({ accessKeyId: 'member', secretAccessKey: 'member' }));
    const handler = createRuleHandler(noOpenIngress, {
      logger: silentLogger(),
      memberRoleName: 'vpce-guard-member',
      assumeRole,
      viewFactory: () => SnapshotView.fromItems([sgItem('sg-0own', false)]),
    });

    await handler(changeEvent(sgItem('sg-0own', false)), lambdaContext());

    expect(assumeRole).not.toHaveBeenCalled();
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'sg-0own', ComplianceType: 'COMPLIANT' }),
      ],
    });
  });

  it('reads the account through the live view when no view is injected', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-0live',
          GroupName: 'live',
          VpcId: 'vpc-0a1b2c3d',
          OwnerId: ACCOUNT_ID,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
          IpPermissionsEgress: [],
        },
      ],
    });
    const handler = createRuleHandler(noOpenIngress, { logger: silentLogger() });

    // Act
    await handler(scheduledEvent(), lambdaContext());

    // Assess
    expect(ec2Mock).toHaveReceivedCommand(DescribeSecurityGroupsCommand);
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceResourceId: 'sg-0live',
          ComplianceType: 'NON_COMPLIANT',
        }),
      ],
    });
  });
  it('pauses a sweep the Lambda deadline cuts short at a saved cursor and returns success', async () => {
    // Prepare: 5 s left, all of it the delivery margin: nothing may be read, so nothing is judged.
    const cursors = memoryCursorStore();
    const groups = ['sg-a', 'sg-b'].map((id) => sgItem(id, false));
    const handler = createRuleHandler(noOpenIngress, {
      viewFactory: () => SnapshotView.fromItems(groups),
      logger: silentLogger(),
      cursors,
      deliveryMarginMs: 5_000,
    });
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => 5_000 };

    // Act
    const summary = await handler(scheduledEvent(), context);

    // Assess
    expect(summary.sweep).toMatchObject({ complete: false, nextId: 'sg-a', remaining: 2 });
    expect([...cursors.entries.values()]).toEqual([expect.objectContaining({ nextId: 'sg-a' })]);
  });

  it('refuses an event for another account when no member role is configured', async () => {
    // Prepare
    const viewFactory = vi.fn<ViewFactory>(() => SnapshotView.fromResources([]));
    const handler = createRuleHandler(noOpenIngress, {
      viewFactory,
      logger: silentLogger(),
      memberRoleName: '',
    });
    const event = { ...scheduledEvent(), accountId: '444455556666' };

    // Act
    const run = handler(event, lambdaContext());

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidEventError);
    expect(viewFactory).not.toHaveBeenCalled();
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax.
import { describe, expect, it } from 'vitest';
import { ruleIdOfRuleName } from '../../src/alerts/rule-names.js';
import { alertForwardingTemplate } from '../../src/deploy/alert-forwarding.js';
import {
  ALERTS,
  alertEventPattern,
  BATCH_SIZE,
  MAX_RECEIVE_COUNT,
  VISIBILITY_TIMEOUT_SECONDS,
} from '../../src/deploy/alert-resources.js';
import { ENGINE_IAM_ACTIONS } from '../../src/deploy/engine-actions.js';
import { buildServerlessConfig } from '../../src/deploy/serverless-config.js';
import { SHARED } from '../../src/deploy/shared-resources.js';
import { RULES } from '../../src/rules/index.js';

/** The alert pipeline as src/deploy builds it (the packaged template is linted in test/deploy). */

type Resource = { Type: string; Condition?: string; Properties: Record<string, unknown> };
interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const config = buildServerlessConfig({ rules: RULES, engineActions: ENGINE_IAM_ACTIONS });
const resources = config.resources?.Resources as Record<string, Resource>;
const statementsOf = (document: unknown): Statement[] =>
  (document as { Statement: Statement[] }).Statement;

/** EventBridge `prefix` semantics over `detail.configRuleName`. */
const patternMatches = (name: string): boolean =>
  alertEventPattern().detail.configRuleName.some(({ prefix }) => name.startsWith(prefix));

describe('alert pipeline resources', () => {
  it('routes the compliance-change rule to the alert queue, not to the topic', () => {
    // Act
    const rule = resources[SHARED.complianceRule];
    // Assess
    expect(rule?.Properties.Targets).toEqual([
      { Id: 'alert-queue', Arn: { 'Fn::GetAtt': [ALERTS.queue, 'Arn'] } },
    ]);
    expect(rule?.Properties.EventPattern).toEqual(alertEventPattern());
  });

  it("matches every name AWS Config gives this product's rules, and the notifier resolves them", () => {
    for (const rule of RULES) {
      for (const name of [
        `vpce-guard-${rule.id}`,
        `OrgConfigRule-vpce-guard-${rule.id}-a1b2c3d4`,
        `vpce-guard-${rule.id}-conformance-pack-q1w2e3r4`,
      ]) {
        expect(patternMatches(name), name).toBe(true);
        expect(
          ruleIdOfRuleName(
            name,
            RULES.map((r) => r.id),
          ),
        ).toBe(rule.id);
      }
    }
    expect(patternMatches('s3-bucket-ssl-requests-only')).toBe(false);
    expect(patternMatches('OrgConfigRule-s3-bucket-ssl-requests-only-a1b2')).toBe(false);
  });

  it('encrypts both queues with the stack key and dead-letters after a few deliveries', () => {
    // Act
    const queue = resources[ALERTS.queue];
    const deadLetter = resources[ALERTS.deadLetterQueue];
    // Assess
    for (const q of [queue, deadLetter]) {
      expect(q?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [SHARED.key, 'Arn'] });
    }
    expect(queue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [ALERTS.deadLetterQueue, 'Arn'] },
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    expect(queue?.Properties.VisibilityTimeout).toBe(VISIBILITY_TIMEOUT_SECONDS);
  });

  it('tells the alert topic when a compliance change was dead-lettered', () => {
    expect(resources[ALERTS.deadLetterAlarm]?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [ALERTS.deadLetterQueue, 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: SHARED.topic }],
    });
  });

  it('lets only the compliance-change rules send to the queue', () => {
    // Act
    const statements = statementsOf(resources[ALERTS.queuePolicy]?.Properties.PolicyDocument);
    const allow = statements.filter((statement) => statement.Effect === 'Allow');
    // Assess
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    expect(JSON.stringify(allow[0]?.Condition)).toContain(SHARED.complianceRule);
    expect(JSON.stringify(allow[0]?.Condition)).toContain('rule/vpce-guard-alerts/*');
  });

  it('keeps idempotency records in an encrypted table that expires them', () => {
    expect(resources[ALERTS.table]?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
  });

  it('gives the notifier only what it calls, each on its own resource', () => {
    // Act
    const role = resources[ALERTS.role];
    const [policy] = (role?.Properties.Policies ?? []) as { PolicyDocument: unknown }[];
    const all = statementsOf(policy?.PolicyDocument) as (Statement | { 'Fn::If': unknown[] })[];
    const statements = all.filter((statement): statement is Statement => 'Effect' in statement);
    const inVpc = all.find((statement) => 'Fn::If' in statement) as { 'Fn::If': unknown[] };
    // Assess
    expect(statements.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:ListBucket',
        'sns:Publish',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ].sort(),
    );
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
    // Network interfaces only when the functions run in subnets.
    expect(inVpc['Fn::If'][0]).toBe('RulesInVpc');
    expect(inVpc['Fn::If'][1]).toMatchObject({ Sid: 'LambdaVpcNetworkInterfaces' });
  });

  it("runs the notifier in the rule functions' subnets when they have any, with their log settings", () => {
    // Act
    const extensions = config.resources?.extensions as Record<string, Resource>;
    // Assess
    expect(extensions[ALERTS.function]?.Properties.VpcConfig).toEqual({
      'Fn::If': [
        'RulesInVpc',
        { SubnetIds: { Ref: 'RuleSubnetIds' }, SecurityGroupIds: { Ref: 'RuleSecurityGroupIds' } },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(extensions[ALERTS.logGroup]?.Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [SHARED.key, 'Arn'] },
    });
  });

  it('runs the notifier from the queue with partial batch failures and a batching window', () => {
    // Act
    const notifier = config.functions?.[ALERTS.functionKey] as {
      handler: string;
      events: { sqs: Record<string, unknown> }[];
      environment: Record<string, unknown>;
    };
    // Assess
    expect(notifier.handler).toBe('handlers/notifier.handler');
    expect(notifier.events).toEqual([
      {
        sqs: expect.objectContaining({
          arn: { 'Fn::GetAtt': [ALERTS.queue, 'Arn'] },
          batchSize: BATCH_SIZE,
          functionResponseType: 'ReportBatchItemFailures',
          maximumBatchingWindow: expect.any(Number),
        }),
      },
    ]);
    expect(Object.keys(notifier.environment).sort()).toEqual([
      'VPCE_GUARD_ALERT_TOPIC_ARN',
      'VPCE_GUARD_IDEMPOTENCY_TABLE',
      'VPCE_GUARD_REPORT_BUCKET',
    ]);
  });
});

describe('alertForwardingTemplate', () => {
  const template = alertForwardingTemplate();
  const byCondition = (condition: string) =>
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Condition === condition)
      .map(([id]) => id);

  it('creates the central bus in the administrator account and forwarders everywhere else', () => {
    expect(byCondition('IsAdministrator').sort()).toEqual([
      'CentralEventBus',
      'CentralEventBusPolicy',
    ]);
    expect(byCondition('RoutesToQueue')).toEqual(['CentralComplianceChangeRule']);
    expect(byCondition('IsMember').sort()).toEqual([
      'ForwardComplianceChanges',
      'ForwardingDeadLetterQueue',
      'ForwardingDeadLetterQueuePolicy',
      'ForwardingRole',
    ]);
  });

  it('admits only the organization to the central bus', () => {
    expect(template.Resources.CentralEventBusPolicy?.Properties?.Statement).toMatchObject({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
    });
  });

  it('forwards the same events, with a role, keeping undeliverable ones', () => {
    const forward = template.Resources.ForwardComplianceChanges?.Properties ?? {};
    expect(forward.EventPattern).toEqual(alertEventPattern());
    expect(forward.Targets).toEqual([
      expect.objectContaining({
        Arn: {
          'Fn::Sub':
            'arn:${AWS::Partition}:events:${AWS::Region}:${AdministratorAccountId}:event-bus/vpce-guard-alerts',
        },
        RoleArn: { 'Fn::GetAtt': ['ForwardingRole', 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardingDeadLetterQueue', 'Arn'] } },
      }),
    ]);
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a mistaken template literal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAILURE, failureIdsOf } from '../../src/deploy/failure-resources.js';
import { logicalIdsOf } from '../../src/deploy/naming.js';
import { DEFAULT_EXEMPT_BUCKETS } from '../../src/deploy/params.js';
import { SHARED } from '../../src/deploy/shared-resources.js';
import type { Bucket } from '../../src/model/resources.js';
import { wildcardMatch } from '../../src/policy/wildcard.js';
import { RULES } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { sharedPackage, TEMPLATE_FILE } from './packaging.js';
import {
  actionsOf,
  type Resource,
  resolverFor,
  roleStatements,
  type Statement,
  type Template,
} from './template.js';

/**
 * What keeps the deployed stack operable for years: nothing lost silently (failed invocations
 * queued, alarms to the alert topic), logs kept and encrypted, and the product's own buckets out
 * of its own bucket rules' way. All read from the PACKAGED template.
 */

let template: Template;

beforeAll(() => {
  template = JSON.parse(readFileSync(join(sharedPackage(), TEMPLATE_FILE), 'utf8')) as Template;
}, 300_000);

const resource = (id: string): Resource => {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
};

const keyStatements = (): Statement[] =>
  resolverFor(template)<{ Statement: Statement[] }>(resource(SHARED.key).Properties['KeyPolicy'])
    .Statement;

const alarmsOf = (predicate: (properties: Record<string, unknown>) => boolean) =>
  Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::CloudWatch::Alarm' && predicate(r.Properties),
  );

describe('failed invocations', () => {
  it('of every rule function go, after two retries, to one queue encrypted with the stack key and kept 14 days', () => {
    // Act
    const queue = resource(FAILURE.queue);

    // Assess
    expect(queue.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [SHARED.key, 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    for (const rule of RULES) {
      const config = resource(failureIdsOf(rule).invokeConfig);
      expect(config.Type).toBe('AWS::Lambda::EventInvokeConfig');
      expect(config.Properties).toEqual({
        FunctionName: { Ref: logicalIdsOf(rule).function },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [FAILURE.queue, 'Arn'] } } },
      });
    }
  });

  it('can be sent by each rule role (Lambda sends with it), through SQS only on the key', () => {
    const resolve = resolverFor(template);
    const queueArn = resolve<string>({ 'Fn::GetAtt': [FAILURE.queue, 'Arn'] });
    const viaSqs = keyStatements().find((s) =>
      JSON.stringify(s.Condition ?? {}).includes('sqs.us-east-1.amazonaws.com'),
    );
    for (const rule of RULES) {
      const statements = roleStatements(resource(logicalIdsOf(rule).role), resolve);
      const send = statements.find((s) => actionsOf(s).includes('sqs:SendMessage'));
      expect(send?.Resource).toBe(queueArn);
    }
    expect(actionsOf(viaSqs as Statement)).toContain('kms:GenerateDataKey*');
  });
});

describe('alarms', () => {
  it('watch errors and throttles of every rule function and the failed-invocation queue, publishing to the alert topic', () => {
    for (const rule of RULES) {
      const fn = { Ref: logicalIdsOf(rule).function };
      for (const metric of ['Errors', 'Throttles']) {
        const alarms = alarmsOf(
          (p) =>
            p['MetricName'] === metric &&
            JSON.stringify(p['Dimensions']) ===
              JSON.stringify([{ Name: 'FunctionName', Value: fn }]),
        );
        expect(alarms, `${rule.id} ${metric}`).toHaveLength(1);
        expect(alarms[0]?.Properties).toMatchObject({
          Namespace: 'AWS/Lambda',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: [{ Ref: SHARED.topic }],
        });
      }
    }
    const depth = alarmsOf((p) => p['MetricName'] === 'ApproximateNumberOfMessagesVisible');
    expect(depth.map((a) => a.Properties['Dimensions'])).toContainEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [FAILURE.queue, 'QueueName'] } },
    ]);
  });

  it('may publish to the encrypted topic: the topic policy admits exactly this stack`s alarm names', () => {
    // Prepare
    const resolve = resolverFor(template);
    const policy = resolve<{ Statement: Statement[] }>(
      resource(SHARED.topicPolicy).Properties['PolicyDocument'],
    );
    const allow = policy.Statement.find(
      (s) =>
        JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
    );
    const pattern = String(allow?.Condition?.['ArnLike']?.['aws:SourceArn']);

    // Act: every alarm ARN, as CloudWatch passes it in aws:SourceArn.
    const arns = alarmsOf(() => true).map(
      (a) =>
        `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${resolve<string>(a.Properties['AlarmName'])}`,
    );

    // Assess
    expect(arns.length).toBeGreaterThan(RULES.length * 2);
    for (const arn of arns) expect(wildcardMatch(pattern, arn), arn).toBe(true);
    expect(wildcardMatch(pattern, 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:other')).toBe(
      false,
    );
    expect(
      keyStatements().some(
        (s) =>
          JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }) &&
          actionsOf(s).includes('kms:GenerateDataKey*'),
      ),
    ).toBe(true);
  });
});

describe('rule function logs', () => {
  it('are kept LogRetentionDays (30 by default) and encrypted with the stack key, which Logs may use for them only', () => {
    const resolve = resolverFor(template);
    const logs = keyStatements().find(
      (s) =>
        JSON.stringify(s.Principal) === JSON.stringify({ Service: 'logs.us-east-1.amazonaws.com' }),
    );
    const allowed = String(logs?.Condition?.['ArnLike']?.['kms:EncryptionContext:aws:logs:arn']);
    expect(template.Parameters?.['LogRetentionDays']?.Default).toBe('30');
    for (const rule of RULES) {
      const group = resource(logicalIdsOf(rule).logGroup);
      expect(group.Properties).toMatchObject({
        RetentionInDays: { Ref: 'LogRetentionDays' },
        KmsKeyId: { 'Fn::GetAtt': [SHARED.key, 'Arn'] },
      });
      // osls names the stack vpce-guard-<stage>; the packaged stage is dev.
      const name = resolve<string>(group.Properties['LogGroupName']);
      const arn = `arn:aws:logs:us-east-1:111122223333:log-group:${name}`;
      expect(wildcardMatch(allowed.replace('vpce-guard-test', 'vpce-guard-dev'), arn), arn).toBe(
        true,
      );
    }
  });
});

describe("the product's own buckets", () => {
  const bucket = (name: string): Bucket => ({
    type: 'AWS::S3::Bucket',
    id: name,
    name,
    arn: `arn:aws:s3:::${name}`,
    region: 'us-east-1',
    accountId: '111122223333',
    tags: {},
    policy: { kind: 'absent' },
  });

  it('are NOT_APPLICABLE to every packaged bucket rule with its default parameters', async () => {
    const bucketRules = RULES.filter((rule) => 'exemptBuckets' in rule.parameters);
    expect(bucketRules.length).toBeGreaterThan(0);
    for (const rule of bucketRules) {
      // Prepare: the InputParameters the packaged Config rule sends by default.
      const raw = template.Parameters?.[logicalIdsOf(rule).inputParameters]?.Default ?? '';
      const params = parseParams(rule.id, rule.parameters, JSON.parse(raw || '{}'));
      const judge = (name: string) =>
        rule.evaluate(
          bucket(name) as never,
          SnapshotView.fromResources([bucket(name)]),
          params as never,
        );

      // Act
      const deployment = await judge('vpce-guard-prod-serverlessdeploymentbucket-1x2y3z4a5b6c');
      const delivery = await judge('vpce-guard-config-111122223333-eu-west-1');
      const data = await judge('payments-data-111122223333');

      // Assess
      expect(deployment.compliance, `${rule.id}: ${deployment.annotation}`).toBe('NOT_APPLICABLE');
      expect(delivery.compliance, `${rule.id}: ${delivery.annotation}`).toBe('NOT_APPLICABLE');
      expect(data.compliance, rule.id).toBe('NON_COMPLIANT');
    }
    expect(DEFAULT_EXEMPT_BUCKETS.length).toBe(2);
  });
});

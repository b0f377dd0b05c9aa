// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a mistaken template literal.
import type { AnyRule } from '../rules/rule.js';
import { type CfnResource, getAtt, type PolicyStatement, policyDocument, ref, sub } from './cfn.js';
import { logicalIdsOf } from './naming.js';
import { SHARED } from './shared-resources.js';

/**
 * Nothing is lost silently. AWS Config invokes rule functions asynchronously; once Lambda's
 * retries are used up (or the event outlives its maximum age) the invocation is dropped and the
 * resources keep their old verdicts. Every function therefore hands failed invocations to one
 * encrypted queue, from which `vpce-guard replay` (docs/deploy.md) re-invokes them, and CloudWatch
 * alarms on errors, throttles and a non-empty queue publish to the alert topic.
 */

const FAILURE = {
  queue: 'FailedEvaluationsQueue',
  queuePolicy: 'FailedEvaluationsQueuePolicy',
  queueAlarm: 'FailedEvaluationsAlarm',
} as const;

/** Lambda's own default and maximum for asynchronous invocations. */
const MAX_RETRY_ATTEMPTS = 2;
/** Config re-runs every rule on its schedule anyway; an older event would only be stale. */
const MAX_EVENT_AGE_SECONDS = 6 * 3600;
/** SQS's maximum: two weeks to notice the alarm and replay. */
const QUEUE_RETENTION_SECONDS = 14 * 24 * 3600;
const ALARM_PERIOD_SECONDS = 300;

const queueArn = getAtt(FAILURE.queue, 'Arn');

/** Per-rule logical ids of the resources added here. */
const failureIdsOf = (rule: Pick<AnyRule, 'id'>) => {
  const { function: fn } = logicalIdsOf(rule);
  const stem = fn.replace(/LambdaFunction$/, '');
  return {
    invokeConfig: `${stem}InvokeConfig`,
    errorsAlarm: `${stem}ErrorsAlarm`,
    throttlesAlarm: `${stem}ThrottlesAlarm`,
  };
};

/** What a rule role needs to hand a failed invocation to the queue (Lambda uses that role). */
const failureDestinationStatements = (): PolicyStatement[] => [
  {
    Sid: 'FailedInvocationsToQueue',
    Effect: 'Allow',
    Action: 'sqs:SendMessage',
    Resource: queueArn,
  },
  {
    Sid: 'EncryptFailedInvocations',
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: getAtt(SHARED.key, 'Arn'),
  },
];

/** An alarm that fires on the first occurrence within one period and notifies the alert topic. */
const alarmOf = (
  name: string,
  description: string,
  metric: { namespace: string; name: string; statistic: string; dimension: [string, unknown] },
): CfnResource => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    // Stage-qualified (the stack name holds the stage); the alert topic policy trusts the prefix.
    AlarmName: sub(`\${AWS::StackName}-${name}`),
    AlarmDescription: description,
    Namespace: metric.namespace,
    MetricName: metric.name,
    Dimensions: [{ Name: metric.dimension[0], Value: metric.dimension[1] }],
    Statistic: metric.statistic,
    Period: ALARM_PERIOD_SECONDS,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    // No invocations is not a failure.
    TreatMissingData: 'notBreaching',
    AlarmActions: [ref(SHARED.topic)],
  },
});

const ruleFailureResources = (rule: AnyRule): Record<string, CfnResource> => {
  const fn = logicalIdsOf(rule).function;
  const ids = failureIdsOf(rule);
  return {
    [ids.invokeConfig]: {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {
        FunctionName: ref(fn),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: MAX_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      },
    },
    [ids.errorsAlarm]: alarmOf(
      `${rule.id}-errors`,
      `vpce-guard ${rule.id}: invocations failed; after two retries they go to the failed-evaluations queue (replay them, see docs/deploy.md).`,
      {
        namespace: 'AWS/Lambda',
        name: 'Errors',
        statistic: 'Sum',
        dimension: ['FunctionName', ref(fn)],
      },
    ),
    [ids.throttlesAlarm]: alarmOf(
      `${rule.id}-throttles`,
      `vpce-guard ${rule.id}: invocations were throttled (account or reserved concurrency); evaluations are delayed and may be dropped.`,
      {
        namespace: 'AWS/Lambda',
        name: 'Throttles',
        statistic: 'Sum',
        dimension: ['FunctionName', ref(fn)],
      },
    ),
  };
};

/** The queue, its policy and alarm, and per rule the invoke configuration and two alarms. */
const failureResourcesOf = (rules: readonly AnyRule[]): Record<string, CfnResource> => ({
  [FAILURE.queue]: {
    Type: 'AWS::SQS::Queue',
    Properties: {
      // The failed event holds the Config item: encrypted with the stack key, kept two weeks.
      KmsMasterKeyId: getAtt(SHARED.key, 'Arn'),
      KmsDataKeyReusePeriodSeconds: 3600,
      MessageRetentionPeriod: QUEUE_RETENTION_SECONDS,
    },
  },
  [FAILURE.queuePolicy]: {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(FAILURE.queue)],
      PolicyDocument: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: queueArn,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    },
  },
  [FAILURE.queueAlarm]: alarmOf(
    'failed-evaluations',
    'vpce-guard: Config evaluations failed for good and wait in the failed-evaluations queue; until they are replayed (vpce-guard replay, see docs/deploy.md) the resources keep their old verdicts.',
    {
      namespace: 'AWS/SQS',
      name: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
      dimension: ['QueueName', getAtt(FAILURE.queue, 'QueueName')],
    },
  ),
  ...Object.assign({}, ...rules.map(ruleFailureResources)),
});

export {
  alarmOf,
  FAILURE,
  failureDestinationStatements,
  failureIdsOf,
  failureResourcesOf,
  MAX_EVENT_AGE_SECONDS,
  MAX_RETRY_ATTEMPTS,
  QUEUE_RETENTION_SECONDS,
};

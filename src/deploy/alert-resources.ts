// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub or osls variable syntax, not a mistaken template literal.
import { CONFIG_RULE_NAME_PREFIXES } from '../alerts/rule-names.js';
import { type CfnResource, getAtt, ifThen, policyDocument, ref, sub } from './cfn.js';
import { alarmOf } from './failure-resources.js';
import { lambdaRoleOf } from './lambda-role.js';
import { SERVICE } from './naming.js';
import { STACK, VPC_ACCESS_ACTIONS } from './rule-resources.js';

/**
 * The alert pipeline behind the topic: EventBridge rule → SQS queue (batching window, dead-letter
 * queue, stack key) → notifier Lambda (partial batch failures) → the encrypted SNS topic, plus the
 * DynamoDB table that remembers which transitions were already alerted. Organizations forward
 * member accounts' compliance changes to it through alert-forwarding.ts.
 */

const ALERTS = {
  queue: 'AlertQueue',
  deadLetterQueue: 'AlertDeadLetterQueue',
  queuePolicy: 'AlertQueuePolicy',
  deadLetterAlarm: 'AlertDeadLetterAlarm',
  table: 'AlertIdempotencyTable',
  role: 'NotifierRole',
  /** osls derives `NotifierLambdaFunction` and `NotifierLogGroup` from the function key. */
  functionKey: 'notifier',
  function: 'NotifierLambdaFunction',
  logGroup: 'NotifierLogGroup',
} as const;

/** The event bus of the administrator account that member accounts forward to (one per region). */
const CENTRAL_BUS_NAME = `${SERVICE}-alerts`;

const NOTIFIER_TIMEOUT_SECONDS = 60;
/** AWS's advice for Lambda SQS sources: visibility at least six times the function timeout. */
const VISIBILITY_TIMEOUT_SECONDS = 6 * NOTIFIER_TIMEOUT_SECONDS;
/** Deliveries before a message is dead-lettered: a poison message is never retried forever. */
const MAX_RECEIVE_COUNT = 5;
/** A first evaluation of a large account arrives over seconds to minutes: gather it into digests. */
const BATCH_SIZE = 100;
const BATCH_WINDOW_SECONDS = 60;
const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * Compliance changes of this product's rules however Config named them: `vpce-guard-<id>`, its
 * conformance-pack copies (`…-conformance-pack-<suffix>`) and, in member accounts, organization
 * rules (`OrgConfigRule-vpce-guard-<id>-<suffix>`). The notifier resolves the exact rule id.
 */
const alertEventPattern = () => ({
  source: ['aws.config'],
  'detail-type': ['Config Rules Compliance Change'],
  // Only the rule name: a filter on a field an event lacks drops the event silently.
  detail: { configRuleName: CONFIG_RULE_NAME_PREFIXES.map((prefix) => ({ prefix })) },
});

const queueArn = getAtt(ALERTS.queue, 'Arn');

/** Rules on the central bus (alert-forwarding.yaml) may deliver to the queue too. */
const centralBusRulesArn = sub(
  `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${CENTRAL_BUS_NAME}/*`,
);

/**
 * Queue, dead-letter queue, queue policy, idempotency table and notifier role. `keyId` is the stack
 * key's logical id, `topicId` the alert topic's, `bucketId` the report bucket's (evidence and
 * suppressions), `complianceRuleId` the EventBridge rule's of this account.
 */
const alertPipelineResources = (ids: {
  keyId: string;
  topicId: string;
  bucketId: string;
  complianceRuleId: string;
}): Record<string, CfnResource> => {
  const keyArn = getAtt(ids.keyId, 'Arn');
  return {
    [ALERTS.deadLetterQueue]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        KmsMasterKeyId: keyArn,
        MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
      },
    },
    [ALERTS.queue]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        KmsMasterKeyId: keyArn,
        // Fewer KMS calls: EventBridge and the poller reuse a data key for five minutes.
        KmsDataKeyReusePeriodSeconds: 300,
        VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
        MessageRetentionPeriod: QUEUE_RETENTION_SECONDS,
        RedrivePolicy: {
          deadLetterTargetArn: getAtt(ALERTS.deadLetterQueue, 'Arn'),
          maxReceiveCount: MAX_RECEIVE_COUNT,
        },
      },
    },
    // Someone must look at what could not be alerted on: the topic hears about the first one.
    [ALERTS.deadLetterAlarm]: alarmOf(
      'alerts-dead-lettered',
      'Compliance changes the notifier could not turn into alerts after every retry (AlertDeadLetterQueueUrl).',
      {
        namespace: 'AWS/SQS',
        name: 'ApproximateNumberOfMessagesVisible',
        statistic: 'Maximum',
        dimension: ['QueueName', getAtt(ALERTS.deadLetterQueue, 'QueueName')],
      },
    ),
    [ALERTS.queuePolicy]: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref(ALERTS.queue)],
        PolicyDocument: policyDocument([
          {
            Sid: 'ComplianceChangeRulesSend',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queueArn,
            Condition: {
              ArnLike: {
                'aws:SourceArn': [getAtt(ids.complianceRuleId, 'Arn'), centralBusRulesArn],
              },
            },
          },
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
    [ALERTS.table]: {
      Type: 'AWS::DynamoDB::Table',
      // Only short-lived deduplication records: nothing to keep when the stack goes.
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        // The Powertools Idempotency attribute names (key `id`, expiry `expiration`).
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
      },
    },
    [ALERTS.role]: notifierRole(ids),
  };
};

const notifierRole = (ids: { keyId: string; topicId: string; bucketId: string }): CfnResource =>
  lambdaRoleOf({
    path: `/${SERVICE}-notifier/`,
    description: `${SERVICE} notifier: reads the alert queue, publishes alerts, remembers them`,
    logGroupId: ALERTS.logGroup,
    statements: [
      {
        Sid: 'ConsumeAlertQueue',
        Effect: 'Allow',
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ReceiveMessage',
        ],
        Resource: queueArn,
      },
      {
        Sid: 'PublishAlerts',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: ref(ids.topicId),
      },
      {
        // What Powertools Idempotency calls.
        Sid: 'RememberAlertedTransitions',
        Effect: 'Allow',
        Action: [
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        Resource: getAtt(ALERTS.table, 'Arn'),
      },
      {
        Sid: 'ReadEvidenceAndSuppressions',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          sub(`\${${ids.bucketId}.Arn}/evidence/*`),
          sub(`\${${ids.bucketId}.Arn}/suppressions.*`),
        ],
      },
      {
        // Without it a missing object reads as AccessDenied rather than NoSuchKey.
        Sid: 'TellMissingObjectsApart',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: getAtt(ids.bucketId, 'Arn'),
      },
      {
        Sid: 'StackKeyForQueueTopicTableAndBucket',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: getAtt(ids.keyId, 'Arn'),
      },
      ifThen(STACK.inVpcCondition, {
        Sid: 'LambdaVpcNetworkInterfaces',
        Effect: 'Allow',
        Action: [...VPC_ACCESS_ACTIONS],
        // ENI actions do not support resource-level permissions.
        Resource: '*',
      }),
    ],
  });

/** The osls function entry: the handler, its environment and the SQS event source. */
const notifierFunctionOf = (ids: { topicId: string; bucketId: string }) => ({
  [ALERTS.functionKey]: {
    handler: 'handlers/notifier.handler',
    name: `${SERVICE}-\${sls:stage}-notifier`,
    description: 'vpce-guard: compliance changes to deduplicated SNS alerts',
    // Fn::Sub rather than the logical id: osls would add a DependsOn cfn-lint flags (W3005).
    role: { 'Fn::Sub': `\${${ALERTS.role}.Arn}` },
    timeout: NOTIFIER_TIMEOUT_SECONDS,
    environment: {
      VPCE_GUARD_ALERT_TOPIC_ARN: ref(ids.topicId),
      VPCE_GUARD_IDEMPOTENCY_TABLE: ref(ALERTS.table),
      VPCE_GUARD_REPORT_BUCKET: ref(ids.bucketId),
    },
    events: [
      {
        sqs: {
          arn: queueArn,
          batchSize: BATCH_SIZE,
          maximumBatchingWindow: BATCH_WINDOW_SECONDS,
          functionResponseType: 'ReportBatchItemFailures',
        },
      },
    ],
  },
});

/**
 * Properties merged into what osls generates for the notifier: it runs where the rule functions
 * run (their subnets, so a report bucket limited to the VPC endpoint still serves it evidence and
 * suppressions), and its logs are kept and encrypted like theirs.
 */
const notifierExtensionsOf = (ids: { keyId: string; logRetentionParameter: string }) => ({
  [ALERTS.function]: {
    Properties: {
      VpcConfig: ifThen(STACK.inVpcCondition, {
        SubnetIds: ref(STACK.subnetsParameter),
        SecurityGroupIds: ref(STACK.securityGroupsParameter),
      }),
    },
  },
  [ALERTS.logGroup]: {
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
    Properties: {
      RetentionInDays: ref(ids.logRetentionParameter),
      KmsKeyId: getAtt(ids.keyId, 'Arn'),
    },
  },
});

const alertOutputs = () => ({
  AlertQueueArn: {
    Description: 'Queue of compliance changes; AlertQueueArn of alert-forwarding.yaml',
    Value: queueArn,
  },
  AlertDeadLetterQueueUrl: {
    Description: 'Compliance changes the notifier could not alert on after every retry',
    Value: ref(ALERTS.deadLetterQueue),
  },
});

export {
  ALERTS,
  alertEventPattern,
  alertOutputs,
  alertPipelineResources,
  BATCH_SIZE,
  BATCH_WINDOW_SECONDS,
  CENTRAL_BUS_NAME,
  DEAD_LETTER_RETENTION_SECONDS,
  MAX_RECEIVE_COUNT,
  notifierExtensionsOf,
  notifierFunctionOf,
  VISIBILITY_TIMEOUT_SECONDS,
};

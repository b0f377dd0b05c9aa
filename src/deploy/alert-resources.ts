// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub or osls variable syntax, not a mistaken template literal.
import { CONFIG_RULE_NAME_PREFIXES } from '../alerts/rule-names.js';
import {
  type CfnResource,
  type CfnTemplate,
  getAtt,
  notEmpty,
  policyDocument,
  ref,
  sub,
} from './cfn.js';
import { SERVICE } from './naming.js';

/**
 * The alert pipeline behind the topic: EventBridge rule → SQS queue (batching window, dead-letter
 * queue, stack key) → notifier Lambda (partial batch failures) → the encrypted SNS topic, plus the
 * DynamoDB table that remembers which transitions were already alerted. And, for organizations,
 * the template that forwards member accounts' compliance changes to a central event bus.
 */

const ALERTS = {
  queue: 'AlertQueue',
  deadLetterQueue: 'AlertDeadLetterQueue',
  queuePolicy: 'AlertQueuePolicy',
  table: 'AlertIdempotencyTable',
  role: 'NotifierRole',
  /** osls derives `NotifierLambdaFunction` and `NotifierLogGroup` from the function key. */
  functionKey: 'notifier',
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

const notifierRole = (ids: { keyId: string; topicId: string; bucketId: string }): CfnResource => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    Path: `/${SERVICE}-notifier/`,
    Description: `${SERVICE} notifier: reads the alert queue, publishes alerts, remembers them`,
    AssumeRolePolicyDocument: policyDocument([
      {
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ]),
    Policies: [
      {
        PolicyName: 'least-privilege',
        PolicyDocument: policyDocument([
          {
            Sid: 'OwnLogGroup',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: getAtt(ALERTS.logGroup, 'Arn'),
          },
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
        ]),
      },
    ],
  },
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

const centralBusArnOf = (accountParameter: string) =>
  sub(
    `arn:\${AWS::Partition}:events:\${AWS::Region}:\${${accountParameter}}:event-bus/${CENTRAL_BUS_NAME}`,
  );

/**
 * infra/alert-forwarding.yaml, one template for the whole organization (a StackSet in every
 * account and region the rules run in): in the administrator account it creates the central bus,
 * admitting only the organization, and routes it to the notifier's queue; in every other account
 * it forwards this product's compliance changes to that bus with a role, keeping what cannot be
 * delivered in a dead-letter queue.
 */
/** Outputs of this template exist only on one side (administrator or member): they carry a Condition. */
type ForwardingTemplate = Omit<CfnTemplate, 'Outputs'> & {
  Outputs: Record<string, { Description: string; Condition: string; Value: unknown }>;
};

const alertForwardingTemplate = (): ForwardingTemplate => ({
  AWSTemplateFormatVersion: '2010-09-09',
  Description: `vpce-guard organization alerts (deploy with StackSets to every account and region the rules run in, the administrator account included): member accounts forward the compliance changes of vpce-guard rules to the ${CENTRAL_BUS_NAME} event bus of the administrator account, which admits only the organization and routes them to the notifier.`,
  Parameters: {
    AdministratorAccountId: {
      Type: 'String',
      Description: 'Account that runs the vpce-guard stack (the Config delegated administrator).',
      AllowedPattern: '^\\d{12}$',
      ConstraintDescription: 'a 12-digit account id',
    },
    OrganizationId: {
      Type: 'String',
      Description: 'The organization whose accounts may put events on the central bus.',
      AllowedPattern: '^o-[a-z0-9]{10,32}$',
      ConstraintDescription: 'an organization id (o-…)',
    },
    AlertQueueArn: {
      Type: 'String',
      Description:
        'Administrator account only: the AlertQueueArn output of the vpce-guard stack in this region.',
      Default: '',
    },
  },
  Conditions: {
    IsAdministrator: { 'Fn::Equals': [ref('AWS::AccountId'), ref('AdministratorAccountId')] },
    IsMember: { 'Fn::Not': [{ Condition: 'IsAdministrator' }] },
    RoutesToQueue: { 'Fn::And': [{ Condition: 'IsAdministrator' }, notEmpty('AlertQueueArn')] },
  },
  Resources: {
    CentralEventBus: {
      Type: 'AWS::Events::EventBus',
      Condition: 'IsAdministrator',
      Properties: { Name: CENTRAL_BUS_NAME },
    },
    CentralEventBusPolicy: {
      Type: 'AWS::Events::EventBusPolicy',
      Condition: 'IsAdministrator',
      Properties: {
        EventBusName: ref('CentralEventBus'),
        StatementId: 'OrganizationAccountsPutEvents',
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: getAtt('CentralEventBus', 'Arn'),
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ref('OrganizationId') } },
        },
      },
    },
    CentralComplianceChangeRule: {
      Type: 'AWS::Events::Rule',
      Condition: 'RoutesToQueue',
      Properties: {
        Description: "vpce-guard: member accounts' compliance changes to the notifier queue",
        EventBusName: ref('CentralEventBus'),
        State: 'ENABLED',
        EventPattern: alertEventPattern(),
        Targets: [
          {
            Id: 'alert-queue',
            Arn: ref('AlertQueueArn'),
            RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          },
        ],
      },
    },
    ForwardingRole: {
      Type: 'AWS::IAM::Role',
      Condition: 'IsMember',
      Properties: {
        Description: 'vpce-guard: lets EventBridge forward compliance changes to the central bus',
        AssumeRolePolicyDocument: policyDocument([
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
          },
        ]),
        Policies: [
          {
            PolicyName: 'put-on-central-bus',
            PolicyDocument: policyDocument([
              {
                Effect: 'Allow',
                Action: 'events:PutEvents',
                Resource: centralBusArnOf('AdministratorAccountId'),
              },
            ]),
          },
        ],
      },
    },
    ForwardingDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Condition: 'IsMember',
      Properties: {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS,
      },
    },
    ForwardingDeadLetterQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Condition: 'IsMember',
      Properties: {
        Queues: [ref('ForwardingDeadLetterQueue')],
        PolicyDocument: policyDocument([
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt('ForwardingDeadLetterQueue', 'Arn'),
            Condition: {
              ArnEquals: { 'aws:SourceArn': getAtt('ForwardComplianceChanges', 'Arn') },
            },
          },
        ]),
      },
    },
    ForwardComplianceChanges: {
      Type: 'AWS::Events::Rule',
      Condition: 'IsMember',
      Properties: {
        Description: 'vpce-guard: compliance changes of vpce-guard rules to the central bus',
        State: 'ENABLED',
        EventPattern: alertEventPattern(),
        Targets: [
          {
            Id: 'central-bus',
            Arn: centralBusArnOf('AdministratorAccountId'),
            RoleArn: getAtt('ForwardingRole', 'Arn'),
            DeadLetterConfig: { Arn: getAtt('ForwardingDeadLetterQueue', 'Arn') },
          },
        ],
      },
    },
  },
  Outputs: {
    CentralEventBusArn: {
      Description: 'The bus member accounts forward to (administrator account)',
      Condition: 'IsAdministrator',
      Value: getAtt('CentralEventBus', 'Arn'),
    },
    ForwardingDeadLetterQueueUrl: {
      Description: 'Compliance changes EventBridge could not forward (member accounts)',
      Condition: 'IsMember',
      Value: ref('ForwardingDeadLetterQueue'),
    },
  },
});

export {
  ALERTS,
  alertEventPattern,
  alertForwardingTemplate,
  alertOutputs,
  alertPipelineResources,
  BATCH_SIZE,
  BATCH_WINDOW_SECONDS,
  CENTRAL_BUS_NAME,
  MAX_RECEIVE_COUNT,
  notifierFunctionOf,
  VISIBILITY_TIMEOUT_SECONDS,
};

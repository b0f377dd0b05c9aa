// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub or osls variable syntax, not a mistaken template literal.

import { ALERTS, alertEventPattern } from './alert-resources.js';
import {
  type CfnResource,
  getAtt,
  ifThen,
  notEmpty,
  policyDocument,
  privateBucketProperties,
  ref,
  sub,
} from './cfn.js';

/**
 * The stack's shared resources: the alert pipeline (KMS key, encrypted SNS topic, EventBridge rule
 * on compliance changes, feeding the notifier of alert-resources.ts) and the report bucket.
 */

const SHARED = {
  key: 'VpceGuardKey',
  keyAlias: 'VpceGuardKeyAlias',
  topic: 'AlertTopic',
  topicPolicy: 'AlertTopicPolicy',
  subscription: 'AlertEmailSubscription',
  complianceRule: 'ComplianceChangeRule',
  bucket: 'ReportBucket',
  bucketPolicy: 'ReportBucketPolicy',
  alertEmailParameter: 'AlertEmail',
  reportVpceParameter: 'ReportVpceId',
  reportAdminParameter: 'ReportAdminRoleArn',
  hasAlertEmail: 'HasAlertEmail',
  reportVpceOnly: 'ReportBucketVpceOnly',
  hasReportAdmin: 'HasReportAdminRole',
} as const;

/** Report objects are evidence: keep them a year, old versions 90 days. */
const REPORT_RETENTION_DAYS = 365;
const NONCURRENT_RETENTION_DAYS = 90;

const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:Create*',
  'kms:Delete*',
  'kms:Describe*',
  'kms:Disable*',
  'kms:Enable*',
  'kms:Get*',
  'kms:List*',
  'kms:Put*',
  'kms:Revoke*',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:Update*',
];

const keyOf = (): CfnResource => ({
  Type: 'AWS::KMS::Key',
  DeletionPolicy: 'Retain',
  UpdateReplacePolicy: 'Retain',
  Properties: {
    Description: 'vpce-guard: encrypts compliance alerts (SNS) and reports (S3)',
    EnableKeyRotation: true,
    KeyPolicy: policyDocument([
      {
        // Without an account-root administration statement the key could become unmanageable.
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
        Action: KEY_ADMIN_ACTIONS,
        Resource: '*',
      },
      {
        // The account's functions publish alerts, write reports and hand failed invocations on
        // through SNS, S3 and SQS only.
        Sid: 'AccountFunctionsUseKeyViaSnsS3AndSqs',
        Effect: 'Allow',
        Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:CallerAccount': ref('AWS::AccountId'),
            'kms:ViaService': [
              sub('sns.${AWS::Region}.amazonaws.com'),
              sub('s3.${AWS::Region}.amazonaws.com'),
              sub('dynamodb.${AWS::Region}.amazonaws.com'),
              sub('sqs.${AWS::Region}.amazonaws.com'),
            ],
          },
        },
      },
      {
        // EventBridge must encrypt what it publishes to the topic.
        Sid: 'EventBridgePublishesToEncryptedTopic',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
      {
        // CloudWatch alarms publish to the encrypted topic as well.
        Sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
      {
        // The rule functions' log groups (and only this stack's) are encrypted with the key.
        Sid: 'CloudWatchLogsEncryptsOwnLogGroups',
        Effect: 'Allow',
        Principal: { Service: sub('logs.${AWS::Region}.amazonaws.com') },
        Action: [
          'kms:Decrypt*',
          'kms:Describe*',
          'kms:Encrypt*',
          'kms:GenerateDataKey*',
          'kms:ReEncrypt*',
        ],
        Resource: '*',
        Condition: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': sub(
              'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${AWS::StackName}-*',
            ),
          },
        },
      },
    ]),
  },
});

const alertResourcesOf = (): Record<string, CfnResource> => ({
  [SHARED.key]: keyOf(),
  [SHARED.keyAlias]: {
    Type: 'AWS::KMS::Alias',
    Properties: {
      AliasName: sub('alias/vpce-guard-${AWS::StackName}'),
      TargetKeyId: ref(SHARED.key),
    },
  },
  [SHARED.topic]: {
    Type: 'AWS::SNS::Topic',
    Properties: {
      DisplayName: 'vpce-guard compliance alerts',
      KmsMasterKeyId: getAtt(SHARED.key, 'Arn'),
    },
  },
  [SHARED.topicPolicy]: {
    Type: 'AWS::SNS::TopicPolicy',
    Properties: {
      Topics: [ref(SHARED.topic)],
      PolicyDocument: policyDocument([
        {
          // The operational alarms (failed, throttled or dropped evaluations) of this stack.
          Sid: 'OwnAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: ref(SHARED.topic),
          Condition: {
            ArnLike: {
              'aws:SourceArn': sub(
                'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${AWS::StackName}-*',
              ),
            },
            StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
          },
        },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: ref(SHARED.topic),
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    },
  },
  [SHARED.subscription]: {
    Type: 'AWS::SNS::Subscription',
    Condition: SHARED.hasAlertEmail,
    Properties: {
      TopicArn: ref(SHARED.topic),
      Protocol: 'email',
      Endpoint: ref(SHARED.alertEmailParameter),
    },
  },
  [SHARED.complianceRule]: {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: "vpce-guard: compliance changes of this product's Config rules",
      State: 'ENABLED',
      // Every rule of this product: the stack's own, conformance-pack copies and organization
      // rules of this account (member accounts forward theirs: infra/alert-forwarding.yaml).
      EventPattern: alertEventPattern(),
      // The notifier turns changes into deduplicated alerts (src/deploy/alert-resources.ts).
      Targets: [{ Id: 'alert-queue', Arn: getAtt(ALERTS.queue, 'Arn') }],
    },
  },
});

/** The account's service-linked roles (AWS Config reads buckets through one). */
const SERVICE_LINKED_ROLES = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*';

const bucketArn = getAtt(SHARED.bucket, 'Arn');
const objectsArn = sub(`\${${SHARED.bucket}.Arn}/*`);

const reportBucketResources = (): Record<string, CfnResource> => ({
  [SHARED.bucket]: {
    Type: 'AWS::S3::Bucket',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: privateBucketProperties(
      {
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: getAtt(SHARED.key, 'Arn'),
        },
        BucketKeyEnabled: true,
      },
      {
        Id: 'expire-reports',
        ExpirationInDays: REPORT_RETENTION_DAYS,
        NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_RETENTION_DAYS },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ),
  },
  [SHARED.bucketPolicy]: {
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: ref(SHARED.bucket),
      PolicyDocument: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucketArn, objectsArn],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        ifThen(SHARED.reportVpceOnly, {
          // Reports describe the network's weak spots: readable only through the chosen endpoint.
          // The carve-outs keep the bucket operable: CloudFormation and AWS Config never come
          // through an endpoint (they act through AWS services and service-linked roles), and
          // the admin role is the break-glass way in. All of them are conditions ANDed into the
          // Deny, so every other request from outside the endpoint stays denied.
          Sid: 'DenyOutsideReportVpce',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucketArn, objectsArn],
          Condition: {
            StringNotEquals: { 'aws:SourceVpce': ref(SHARED.reportVpceParameter) },
            BoolIfExists: { 'aws:ViaAWSService': 'false', 'aws:PrincipalIsAWSService': 'false' },
            ArnNotLike: {
              'aws:PrincipalArn': [
                sub(SERVICE_LINKED_ROLES),
                ifThen(SHARED.hasReportAdmin, ref(SHARED.reportAdminParameter)),
              ],
            },
          },
        }),
      ]),
    },
  },
});

const sharedConditions = () => ({
  [SHARED.hasAlertEmail]: notEmpty(SHARED.alertEmailParameter),
  [SHARED.reportVpceOnly]: notEmpty(SHARED.reportVpceParameter),
  [SHARED.hasReportAdmin]: notEmpty(SHARED.reportAdminParameter),
});

export {
  alertResourcesOf,
  KEY_ADMIN_ACTIONS,
  NONCURRENT_RETENTION_DAYS,
  REPORT_RETENTION_DAYS,
  reportBucketResources,
  SHARED,
  sharedConditions,
};

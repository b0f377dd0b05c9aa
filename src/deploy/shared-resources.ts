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
  hasAlertEmail: 'HasAlertEmail',
  reportVpceOnly: 'ReportBucketVpceOnly',
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
        // The account's functions publish alerts and write reports through SNS and S3 only.
        Sid: 'AccountFunctionsUseKeyViaSnsAndS3',
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
          Sid: 'DenyOutsideReportVpce',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucketArn, objectsArn],
          Condition: { StringNotEquals: { 'aws:SourceVpce': ref(SHARED.reportVpceParameter) } },
        }),
      ]),
    },
  },
});

const sharedConditions = () => ({
  [SHARED.hasAlertEmail]: notEmpty(SHARED.alertEmailParameter),
  [SHARED.reportVpceOnly]: notEmpty(SHARED.reportVpceParameter),
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

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a mistaken template literal.
import {
  alertEventPattern,
  CENTRAL_BUS_NAME,
  DEAD_LETTER_RETENTION_SECONDS,
} from './alert-resources.js';
import { type CfnTemplate, getAtt, notEmpty, policyDocument, ref, sub } from './cfn.js';

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

export type { ForwardingTemplate };
export { alertForwardingTemplate, centralBusArnOf };

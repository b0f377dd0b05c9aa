import { DeploymentConfigError } from '../errors.js';
import { scopeTypesOf } from '../rules/index.js';
import type { AnyRule } from '../rules/rule.js';

/** Logical id of the report bucket (shared-resources.ts `SHARED.bucket`), where sweep cursors live. */
const SHARED_BUCKET = 'ReportBucket';

import { type CfnResource, getAtt, ifThen, policyDocument, ref, sub, truncate } from './cfn.js';
import { configRuleProblems, LIMITS } from './config-spec.js';
import { failureDestinationStatements } from './failure-resources.js';
import { configRuleNameOf, logicalIdsOf, regionalRoleNameSub, SERVICE } from './naming.js';

/** Stack-wide CloudFormation parameter and condition names the per-rule resources refer to. */
const STACK = {
  scheduleParameter: 'EvaluationFrequency',
  memberRoleParameter: 'MemberRoleName',
  subnetsParameter: 'RuleSubnetIds',
  securityGroupsParameter: 'RuleSecurityGroupIds',
  inVpcCondition: 'RulesInVpc',
  organizationCondition: 'OrganizationMode',
} as const;

/** IAM path of every rule role: member-role.yaml trusts exactly the roles under it. */
const ROLE_PATH = `/${SERVICE}/`;

/** Lambda creates, describes and deletes its own ENIs with the function's role when in a VPC. */
const VPC_ACCESS_ACTIONS = [
  'ec2:AssignPrivateIpAddresses',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:UnassignPrivateIpAddresses',
] as const;

const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/** A read-only action: `service:Describe…`, `Get…`, `List…`, `BatchGet…` or `Select…`, no wildcard. */
const READ_ONLY_ACTION = /^[a-z0-9-]+:(?:Describe|Get|List|BatchGet|Select)[A-Za-z0-9]*$/;

/**
 * The actions one rule's role may call: the rule's own reads plus what the engine needs. Rules may
 * only declare read-only actions; a write or a wildcard fails packaging.
 */
const ruleActionsOf = (rule: AnyRule, engineActions: readonly string[]): string[] => {
  const bad = rule.iamActions.filter((action: string) => !READ_ONLY_ACTION.test(action));
  if (bad.length > 0) {
    throw new DeploymentConfigError(
      `Rule ${rule.id} declares non-read-only IAM action(s) ${bad.join(', ')}; rules may only read`,
    );
  }
  return [...new Set<string>([...engineActions, ...rule.iamActions])].sort();
};

/** The Config dashboard shows this, so it says what the rule wants and why. */
const descriptionOf = (rule: AnyRule): string =>
  truncate(`${rule.title.replace(/[.\s]+$/, '')}. ${rule.rationale}`, LIMITS.description);

const sourceDetails = () => [
  { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
  // Without it, resources whose item exceeds the notification size are never evaluated.
  { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
  {
    EventSource: 'aws.config',
    MessageType: 'ScheduledNotification',
    MaximumExecutionFrequency: ref(STACK.scheduleParameter),
  },
];

const roleOf = (rule: AnyRule, engineActions: readonly string[]): CfnResource => {
  const ids = logicalIdsOf(rule);
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Path: ROLE_PATH,
      Description: truncate(`${SERVICE} rule ${rule.id}: reads only what the rule needs`, 1000),
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
              Action: [...LOG_ACTIONS],
              // The log group ARN attribute ends in `:*`, which covers its streams.
              Resource: getAtt(ids.logGroup, 'Arn'),
            },
            {
              Sid: 'RuleReadsAndEvaluations',
              Effect: 'Allow',
              Action: ruleActionsOf(rule, engineActions),
              // These Config/EC2/S3 read actions do not support resource-level permissions.
              Resource: '*',
            },
            {
              // Periodic sweeps too large for one invocation keep their place here (engine/sweep.ts);
              // ListBucket makes a missing cursor a 404 rather than a 403.
              Sid: 'SweepCursors',
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
              Resource: sub(`arn:\${AWS::Partition}:s3:::\${${SHARED_BUCKET}}/sweeps/*`),
            },
            {
              Sid: 'SweepCursorLookup',
              Effect: 'Allow',
              Action: 's3:ListBucket',
              Resource: sub(`arn:\${AWS::Partition}:s3:::\${${SHARED_BUCKET}}`),
              Condition: { StringLike: { 's3:prefix': 'sweeps/*' } },
            },
            ...failureDestinationStatements(),
            ifThen(STACK.inVpcCondition, {
              Sid: 'LambdaVpcNetworkInterfaces',
              Effect: 'Allow',
              Action: [...VPC_ACCESS_ACTIONS],
              Resource: '*',
            }),
            ifThen(STACK.organizationCondition, {
              Sid: 'AssumeMemberAccountRole',
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              // The region-qualified name member-role.yaml gives the role in this region.
              Resource: sub(
                `arn:\${AWS::Partition}:iam::*:role/${regionalRoleNameSub(STACK.memberRoleParameter)}`,
              ),
            }),
          ]),
        },
      ],
      Tags: [{ Key: 'vpce-guard:rule', Value: rule.id }],
    },
  };
};

const permissionOf = (rule: AnyRule): CfnResource => ({
  Type: 'AWS::Lambda::Permission',
  Properties: {
    Action: 'lambda:InvokeFunction',
    FunctionName: getAtt(logicalIdsOf(rule).function, 'Arn'),
    Principal: 'config.amazonaws.com',
    // SourceArn would be a cycle (Config checks the permission when it creates the rule).
    SourceAccount: ref('AWS::AccountId'),
  },
});

const configRuleOf = (rule: AnyRule): CfnResource => {
  const ids = logicalIdsOf(rule);
  const resource: CfnResource = {
    Type: 'AWS::Config::ConfigRule',
    DependsOn: [ids.permission],
    Properties: {
      ConfigRuleName: configRuleNameOf(rule),
      Description: descriptionOf(rule),
      Scope: { ComplianceResourceTypes: scopeTypesOf(rule) },
      InputParameters: ifThen(ids.hasInputParameters, ref(ids.inputParameters)),
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: getAtt(ids.function, 'Arn'),
        SourceDetails: sourceDetails(),
      },
    },
  };
  const problems = configRuleProblems(ids.configRule, resource.Properties);
  if (problems.length > 0) throw new DeploymentConfigError(problems.join('; '));
  return resource;
};

/** The CloudFormation resources one rule needs besides its function. */
const ruleResourcesOf = (
  rule: AnyRule,
  engineActions: readonly string[],
): Record<string, CfnResource> => {
  const ids = logicalIdsOf(rule);
  return {
    [ids.role]: roleOf(rule, engineActions),
    [ids.permission]: permissionOf(rule),
    [ids.configRule]: configRuleOf(rule),
  };
};

export {
  descriptionOf,
  LOG_ACTIONS,
  READ_ONLY_ACTION,
  ROLE_PATH,
  ruleActionsOf,
  ruleResourcesOf,
  STACK,
  sourceDetails,
  VPC_ACCESS_ACTIONS,
};

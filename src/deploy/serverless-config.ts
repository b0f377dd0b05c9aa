// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub or osls variable syntax, not a mistaken template literal.
import type { AWS } from '@serverless/typescript';
import { DeploymentConfigError } from '../errors.js';
import type { AnyRule } from '../rules/rule.js';
import { type CfnParameter, type CfnResource, listNotEmpty, notEmpty, ref } from './cfn.js';
import { EXECUTION_FREQUENCIES, LIMITS } from './config-spec.js';
import { functionKeyOf, logicalIdsOf, maxStageLength, SERVICE } from './naming.js';
import { inputParametersParamOf, oslsParamsOf, PATTERNS, type StageParamsFile } from './params.js';
import { ruleResourcesOf, STACK } from './rule-resources.js';
import {
  alertResourcesOf,
  reportBucketResources,
  SHARED,
  sharedConditions,
} from './shared-resources.js';

/**
 * Builds the whole osls configuration from the rule catalogue: one function, role, permission and
 * Config rule per rule, plus the shared alert and report resources. Pure: serverless.ts only calls
 * it, the tests call it with other catalogues and parameters.
 */

interface BuildOptions {
  rules: readonly AnyRule[];
  engineActions: readonly string[];
  stageParams?: StageParamsFile;
}

const RUNTIME = 'nodejs22.x';
const LOG_RETENTION_DAYS = 90;
/** Shortest stage the naming must leave room for (`dev`, `prod`, `staging`). */
const MIN_STAGE_ROOM = 8;

const parameterOf = (
  type: 'String' | 'CommaDelimitedList',
  description: string,
  oslsParam: string,
  extra: Partial<CfnParameter> = {},
): CfnParameter => ({
  Type: type,
  Description: description,
  Default: `\${param:${oslsParam}}`,
  ...extra,
});

const stackParameters = (rules: readonly AnyRule[]): Record<string, CfnParameter> => ({
  [STACK.scheduleParameter]: parameterOf(
    'String',
    'How often AWS Config re-runs every rule in full (periodic trigger).',
    'schedule',
    { AllowedValues: EXECUTION_FREQUENCIES },
  ),
  [SHARED.alertEmailParameter]: parameterOf(
    'String',
    'E-mail address subscribed to compliance alerts; empty for none.',
    'alertEmail',
    { AllowedPattern: PATTERNS.alertEmail, ConstraintDescription: 'an e-mail address or empty' },
  ),
  [SHARED.reportVpceParameter]: parameterOf(
    'String',
    'VPC endpoint the report bucket is restricted to (aws:SourceVpce); empty for TLS-only.',
    'reportVpceId',
    { AllowedPattern: PATTERNS.reportVpceId, ConstraintDescription: 'vpce-… or empty' },
  ),
  [STACK.subnetsParameter]: parameterOf(
    'CommaDelimitedList',
    'Subnets for the rule functions, so their S3 reads use the gateway endpoint; empty for none.',
    'ruleSubnetIds',
  ),
  [STACK.securityGroupsParameter]: parameterOf(
    'CommaDelimitedList',
    'Security groups for the rule functions when they run in subnets.',
    'ruleSecurityGroupIds',
  ),
  [STACK.memberRoleParameter]: parameterOf(
    'String',
    'Organization mode: the role rule functions assume in member accounts (member-role.yaml); empty for single-account.',
    'memberRoleName',
    { AllowedPattern: PATTERNS.memberRoleName, ConstraintDescription: 'an IAM role name or empty' },
  ),
  ...Object.fromEntries(
    rules.map((rule) => [
      logicalIdsOf(rule).inputParameters,
      parameterOf(
        'String',
        `InputParameters (JSON object of strings) of ${rule.id}; empty for the rule's defaults.`,
        inputParametersParamOf(rule),
        { MaxLength: LIMITS.inputParameters },
      ),
    ]),
  ),
});

const stackConditions = (rules: readonly AnyRule[]) => ({
  ...sharedConditions(),
  [STACK.inVpcCondition]: listNotEmpty(STACK.subnetsParameter),
  [STACK.organizationCondition]: notEmpty(STACK.memberRoleParameter),
  ...Object.fromEntries(
    rules.map((rule) => {
      const ids = logicalIdsOf(rule);
      return [ids.hasInputParameters, notEmpty(ids.inputParameters)];
    }),
  ),
});

/** Properties merged into resources osls generates (functions, log groups). */
const extensionsOf = (rules: readonly AnyRule[]) =>
  Object.fromEntries(
    rules.flatMap((rule) => {
      const ids = logicalIdsOf(rule);
      return [
        [
          ids.function,
          {
            Properties: {
              VpcConfig: {
                'Fn::If': [
                  STACK.inVpcCondition,
                  {
                    SubnetIds: ref(STACK.subnetsParameter),
                    SecurityGroupIds: ref(STACK.securityGroupsParameter),
                  },
                  ref('AWS::NoValue'),
                ],
              },
            },
          },
        ],
        // Logs go with the stack: a retained group would block the next deploy of the same name.
        [ids.logGroup, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' }],
      ];
    }),
  );

const functionsOf = (rules: readonly AnyRule[]): AWS['functions'] =>
  Object.fromEntries(
    rules.map((rule) => [
      functionKeyOf(rule),
      {
        handler: `handlers/rules/${rule.id}.handler`,
        name: `${SERVICE}-\${sls:stage}-${rule.id}`,
        description: `vpce-guard Config rule ${rule.id}`,
        // Fn::Sub rather than the logical id: osls would add a DependsOn cfn-lint flags (W3005).
        role: { 'Fn::Sub': `\${${logicalIdsOf(rule).role}.Arn}` },
        environment: {
          VPCE_GUARD_RULE_ID: rule.id,
          VPCE_GUARD_MEMBER_ROLE_NAME: ref(STACK.memberRoleParameter),
        },
      },
    ]),
  );

const outputsOf = () => ({
  AlertTopicArn: {
    Description: 'SNS topic receiving compliance changes',
    Value: ref(SHARED.topic),
  },
  ReportBucketName: { Description: 'Bucket for compliance reports', Value: ref(SHARED.bucket) },
  EncryptionKeyArn: {
    Description: 'KMS key of the alert topic and report bucket',
    Value: { 'Fn::GetAtt': [SHARED.key, 'Arn'] },
  },
});

const buildServerlessConfig = ({ rules, engineActions, stageParams = {} }: BuildOptions): AWS => {
  if (maxStageLength(rules) < MIN_STAGE_ROOM) {
    throw new DeploymentConfigError(
      `A rule id is too long: Lambda function names would leave room for a ${maxStageLength(rules)}-character stage only`,
    );
  }
  const perRule: Record<string, CfnResource> = Object.assign(
    {},
    ...rules.map((rule) => ruleResourcesOf(rule, engineActions)),
  );
  return {
    service: SERVICE,
    frameworkVersion: '4',
    configValidationMode: 'error',
    plugins: ['serverless-esbuild'],
    params: oslsParamsOf(stageParams, rules),
    provider: {
      name: 'aws',
      runtime: RUNTIME,
      architecture: 'arm64',
      stage: 'dev',
      memorySize: 256,
      // A periodic sweep of a large account reads every bucket; change events finish in seconds.
      timeout: 300,
      logRetentionInDays: LOG_RETENTION_DAYS,
      logs: { lambda: { logFormat: 'JSON', applicationLogLevel: 'INFO', systemLogLevel: 'WARN' } },
      environment: { POWERTOOLS_SERVICE_NAME: SERVICE },
      deploymentBucket: { blockPublicAccess: true },
      stackTags: { 'vpce-guard:stage': '${sls:stage}' },
    },
    package: { individually: true },
    custom: {
      esbuild: {
        bundle: true,
        minify: true,
        sourcemap: false,
        target: 'node20',
        format: 'cjs',
        platform: 'node',
        // The Lambda runtime ships SDK v3; bundling it would multiply each zip by ~100.
        exclude: ['@aws-sdk/*'],
        concurrency: 2,
      },
    },
    functions: functionsOf(rules),
    resources: {
      Parameters: stackParameters(rules),
      Conditions: stackConditions(rules),
      Resources: {
        ...perRule,
        ...alertResourcesOf(),
        ...reportBucketResources(),
      },
      Outputs: outputsOf(),
      extensions: extensionsOf(rules),
    },
  } as AWS;
};

export type { BuildOptions };
export { buildServerlessConfig, LOG_RETENTION_DAYS, RUNTIME };

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub or osls variable syntax, not a mistaken template literal.
import type { AWS } from '@serverless/typescript';
import { DeploymentConfigError } from '../errors.js';
import type { AnyRule } from '../rules/rule.js';
import {
  alertOutputs,
  alertPipelineResources,
  notifierExtensionsOf,
  notifierFunctionOf,
} from './alert-resources.js';
import {
  type CfnParameter,
  type CfnResource,
  getAtt,
  listNotEmpty,
  notEmpty,
  ref,
  sub,
} from './cfn.js';
import { EXECUTION_FREQUENCIES, LIMITS } from './config-spec.js';
import { FAILURE, failureResourcesOf } from './failure-resources.js';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle.js';
import {
  functionKeyOf,
  logicalIdsOf,
  maxStageLength,
  regionalRoleNameSub,
  SERVICE,
} from './naming.js';
import {
  inputParametersParamOf,
  LOG_RETENTION_DAYS,
  oslsParamsOf,
  PATTERNS,
  type StageParamsFile,
} from './params.js';
import { withReportFunction } from './report-resources.js';
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
  /** The product version tagged on every resource (package.json). */
  version?: string;
}

const RUNTIME = 'nodejs22.x';
const LOG_RETENTION_PARAMETER = 'LogRetentionDays';
/** Relative to the service directory; serverless-esbuild require()s it. */
const ESBUILD_PLUGINS_FILE = 'src/deploy/esbuild-plugins.cjs';
/** Tag keys on every resource (stack tags reach every taggable resource of the stack). */
const TAG_KEYS = {
  product: 'vpce-guard:product',
  stage: 'vpce-guard:stage',
  version: 'vpce-guard:version',
} as const;
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
  [SHARED.reportAdminParameter]: parameterOf(
    'String',
    "Role exempt from the report bucket's endpoint restriction (break-glass administration); empty for none.",
    'reportAdminRoleArn',
    {
      AllowedPattern: PATTERNS.reportAdminRoleArn,
      ConstraintDescription: 'an IAM role ARN or empty',
    },
  ),
  [LOG_RETENTION_PARAMETER]: {
    Type: 'Number',
    Description: "Days the rule functions' logs are kept.",
    Default: '${param:logRetentionDays}',
    AllowedValues: LOG_RETENTION_DAYS.map(String),
  },
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
    'Organization mode: the RoleName of member-role.yaml; the functions assume <name>-<region> in member accounts. Empty for single-account.',
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
        [
          ids.logGroup,
          {
            DeletionPolicy: 'Delete',
            UpdateReplacePolicy: 'Delete',
            Properties: {
              RetentionInDays: ref(LOG_RETENTION_PARAMETER),
              KmsKeyId: getAtt(SHARED.key, 'Arn'),
            },
          },
        ],
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
          // The region-qualified name member-role.yaml creates in this region (naming.ts).
          VPCE_GUARD_MEMBER_ROLE_NAME: {
            'Fn::If': [
              STACK.organizationCondition,
              sub(regionalRoleNameSub(STACK.memberRoleParameter)),
              '',
            ],
          },
          // Where a periodic sweep too large for one invocation keeps its cursor (sweeps/).
          VPCE_GUARD_REPORT_BUCKET: ref(SHARED.bucket),
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
    Description: 'KMS key of the alert topic, report bucket, queues and logs',
    Value: { 'Fn::GetAtt': [SHARED.key, 'Arn'] },
  },
  FailedEvaluationsQueueUrl: {
    Description: 'Rule invocations that failed for good; replay them (docs/deploy.md)',
    Value: ref(FAILURE.queue),
  },
});

const buildBaseConfig = ({
  rules,
  engineActions,
  stageParams = {},
  version = '0.0.0-unversioned',
}: BuildOptions): AWS => {
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
      logs: { lambda: { logFormat: 'JSON', applicationLogLevel: 'INFO', systemLogLevel: 'WARN' } },
      environment: { POWERTOOLS_SERVICE_NAME: SERVICE },
      deploymentBucket: { blockPublicAccess: true },
      stackTags: {
        [TAG_KEYS.product]: SERVICE,
        [TAG_KEYS.stage]: '${sls:stage}',
        [TAG_KEYS.version]: version,
      },
    },
    package: { individually: true },
    custom: {
      esbuild: {
        // Shared with the benchmarks (lambda-bundle.ts): minified CJS over the SDK's ES builds.
        ...LAMBDA_BUNDLE_OPTIONS,
        mainFields: [...LAMBDA_BUNDLE_OPTIONS.mainFields],
        // Every dependency is bundled, the AWS SDK clients too: the runtime's own SDK is a version
        // AWS picks and changes, and an older one silently drops newer request fields.
        exclude: [],
        // Stubs the SDK clients a rule's role may not call anyway (sdk-clients.ts), and lets
        // esbuild drop the SDK commands, schemas and credential sources a function never uses.
        plugins: ESBUILD_PLUGINS_FILE,
        concurrency: 2,
      },
    },
    functions: {
      ...functionsOf(rules),
      ...notifierFunctionOf({ topicId: SHARED.topic, bucketId: SHARED.bucket }),
    },
    resources: {
      Parameters: stackParameters(rules),
      Conditions: stackConditions(rules),
      Resources: {
        ...perRule,
        ...alertResourcesOf(),
        ...alertPipelineResources({
          keyId: SHARED.key,
          topicId: SHARED.topic,
          bucketId: SHARED.bucket,
          complianceRuleId: SHARED.complianceRule,
        }),
        ...reportBucketResources(),
        ...failureResourcesOf(rules),
      },
      Outputs: { ...outputsOf(), ...alertOutputs() },
      extensions: {
        ...extensionsOf(rules),
        ...notifierExtensionsOf({
          keyId: SHARED.key,
          logRetentionParameter: LOG_RETENTION_PARAMETER,
        }),
      },
    },
  } as AWS;
};

/** The stack plus the scheduled report function (report-resources.ts). */
const buildServerlessConfig = (options: BuildOptions): AWS =>
  withReportFunction(buildBaseConfig(options), options.rules);

export type { BuildOptions };
export { buildServerlessConfig, LOG_RETENTION_PARAMETER, RUNTIME, TAG_KEYS };

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub or osls variable syntax, not a mistaken template literal.
import type { AWS } from '@serverless/typescript';
import { REPORT_ENV } from '../report/env.js';
import type { AnyRule } from '../rules/rule.js';
import {
  type CfnParameter,
  type CfnResource,
  getAtt,
  ifThen,
  notEmpty,
  policyDocument,
  ref,
  sub,
} from './cfn.js';
import { lambdaRoleOf } from './lambda-role.js';
import { logicalIdsOf, SERVICE } from './naming.js';
import { SHARED } from './shared-resources.js';

/**
 * The scheduled compliance report: its function, least-privilege role and log group, the stage
 * parameters that switch the organization (aggregator) mode and the Security Hub import, and the
 * evidence writes the rule functions need.
 */

const REPORT = {
  /** osls derives `ReportLambdaFunction` and `ReportLogGroup` from the function key. */
  functionKey: 'report',
  logGroup: 'ReportLogGroup',
  role: 'ReportRole',
  evidencePolicy: 'RuleEvidenceWritesPolicy',
  aggregatorParameter: 'ReportAggregatorName',
  securityHubParameter: 'ReportSecurityHubImport',
  readsAggregator: 'ReportReadsAggregator',
  importsToSecurityHub: 'ReportImportsToSecurityHub',
} as const;

/** Reading a large organization's results and rendering 10,000s of evaluations takes minutes. */
const REPORT_TIMEOUT_SECONDS = 900;
const REPORT_MEMORY_MB = 1024;
/** Daily, after the default 24-hour periodic evaluations have had time to land. */
const REPORT_SCHEDULE = 'cron(0 6 * * ? *)';

/**
 * The Config read APIs the report calls (src/report/sources/config.ts and coverage.ts); none has
 * resource ARNs.
 */
const CONFIG_READ_ACTIONS = [
  'config:DescribeComplianceByConfigRule',
  'config:GetComplianceDetailsByConfigRule',
  'config:DescribeConfigurationRecorderStatus',
  'config:GetDiscoveredResourceCounts',
] as const;
/** Organization mode only: the aggregator's views of every account and region. */
const AGGREGATE_READ_ACTIONS = [
  'config:DescribeAggregateComplianceByConfigRules',
  'config:GetAggregateComplianceDetailsByConfigRule',
  'config:DescribeConfigurationAggregatorSourcesStatus',
  'config:GetAggregateDiscoveredResourceCounts',
] as const;

const bucketObjects = (prefix: string) => sub(`\${${SHARED.bucket}.Arn}/${prefix}`);
const keyArn = getAtt(SHARED.key, 'Arn');

const reportParameters = (): Record<string, CfnParameter> => ({
  [REPORT.aggregatorParameter]: {
    Type: 'String',
    Description:
      'Config aggregator the report reads organization-wide; empty for this account and region.',
    Default: '${param:reportAggregatorName}',
    AllowedPattern: '^$|^[\\w-]{1,256}$',
    ConstraintDescription: 'an aggregator name or empty',
  },
  [REPORT.securityHubParameter]: {
    Type: 'String',
    Description: "Import the report's findings of this account into Security Hub (ASFF).",
    Default: '${param:securityHubImport}',
    AllowedValues: ['true', 'false'],
  },
});

const reportConditions = () => ({
  [REPORT.readsAggregator]: notEmpty(REPORT.aggregatorParameter),
  [REPORT.importsToSecurityHub]: { 'Fn::Equals': [ref(REPORT.securityHubParameter), 'true'] },
});

const reportRole = (): CfnResource =>
  lambdaRoleOf({
    path: `/${SERVICE}-report/`,
    description: `${SERVICE} report: reads Config results and evidence, writes reports, publishes the summary`,
    logGroupId: REPORT.logGroup,
    statements: [
      {
        Sid: 'ConfigComplianceReads',
        Effect: 'Allow',
        Action: [...CONFIG_READ_ACTIONS],
        Resource: '*',
      },
      ifThen(REPORT.readsAggregator, {
        Sid: 'ConfigAggregatorReads',
        Effect: 'Allow',
        Action: [...AGGREGATE_READ_ACTIONS],
        // Aggregate reads are authorised on the aggregator itself.
        Resource: sub(
          `arn:\${AWS::Partition}:config:\${AWS::Region}:\${AWS::AccountId}:config-aggregator/*`,
        ),
      }),
      {
        Sid: 'ReadEvidenceSuppressionsAndLastReport',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          bucketObjects('evidence/*'),
          bucketObjects('suppressions.*'),
          bucketObjects('reports/*'),
        ],
      },
      {
        Sid: 'WriteReports',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: bucketObjects('reports/*'),
      },
      {
        // Without it a missing object reads as AccessDenied rather than NoSuchKey.
        Sid: 'TellMissingObjectsApart',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: getAtt(SHARED.bucket, 'Arn'),
      },
      {
        Sid: 'StackKeyForBucketAndTopic',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: keyArn,
      },
      {
        Sid: 'PublishSummary',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: ref(SHARED.topic),
      },
      ifThen(REPORT.importsToSecurityHub, {
        // The default product of the own account: the only one it may import into.
        Sid: 'ImportOwnFindings',
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        Resource: sub(
          'arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default',
        ),
      }),
    ],
  });

/** The rule functions write each evaluation's evidence (src/report/evidence-sink.ts). */
const evidencePolicy = (rules: readonly AnyRule[]): CfnResource => ({
  Type: 'AWS::IAM::Policy',
  Properties: {
    PolicyName: 'evidence-writes',
    Roles: rules.map((rule) => ref(logicalIdsOf(rule).role)),
    PolicyDocument: policyDocument([
      {
        Sid: 'WriteEvidence',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: bucketObjects('evidence/*'),
      },
      {
        Sid: 'EncryptWithStackKey',
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: keyArn,
      },
    ]),
  },
});

const reportFunction = () => ({
  [REPORT.functionKey]: {
    handler: 'handlers/report.handler',
    name: `${SERVICE}-\${sls:stage}-report`,
    description: 'vpce-guard: scheduled compliance report (PCI DSS / HIPAA) to the report bucket',
    // Fn::Sub rather than the logical id: osls would add a DependsOn cfn-lint flags (W3005).
    role: { 'Fn::Sub': `\${${REPORT.role}.Arn}` },
    timeout: REPORT_TIMEOUT_SECONDS,
    memorySize: REPORT_MEMORY_MB,
    environment: {
      [REPORT_ENV.bucket]: ref(SHARED.bucket),
      [REPORT_ENV.kmsKey]: keyArn,
      [REPORT_ENV.topic]: ref(SHARED.topic),
      [REPORT_ENV.aggregator]: ref(REPORT.aggregatorParameter),
      [REPORT_ENV.securityHub]: ref(REPORT.securityHubParameter),
    },
    events: [{ schedule: { rate: [REPORT_SCHEDULE] } }],
  },
});

/**
 * Adds the report function and everything it needs to a built osls configuration: one call from
 * serverless-config.ts. The rule functions get the evidence bucket and write permission.
 */
const withReportFunction = (config: AWS, rules: readonly AnyRule[]): AWS => {
  const resources = config.resources ?? {};
  const ruleFunctions = new Set(rules.map((rule) => rule.id));
  const functions = Object.fromEntries(
    Object.entries(config.functions ?? {}).map(([key, definition]) => {
      const handler = String((definition as { handler?: string }).handler ?? '');
      const isRule = [...ruleFunctions].some((id) => handler === `handlers/rules/${id}.handler`);
      return [
        key,
        isRule
          ? {
              ...definition,
              environment: {
                ...(definition as { environment?: Record<string, unknown> }).environment,
                [REPORT_ENV.bucket]: ref(SHARED.bucket),
                [REPORT_ENV.kmsKey]: keyArn,
              },
            }
          : definition,
      ];
    }),
  );
  return {
    ...config,
    functions: { ...functions, ...reportFunction() } as AWS['functions'],
    resources: {
      ...resources,
      Parameters: { ...resources.Parameters, ...reportParameters() },
      Conditions: { ...resources.Conditions, ...reportConditions() },
      Resources: {
        ...resources.Resources,
        [REPORT.role]: reportRole(),
        [REPORT.evidencePolicy]: evidencePolicy(rules),
      },
      Outputs: {
        ...resources.Outputs,
        LatestReportKey: {
          Description: 'Latest HTML report in the report bucket',
          Value: sub(`s3://\${${SHARED.bucket}}/reports/latest.html`),
        },
      },
      extensions: {
        ...resources.extensions,
        // Kept and encrypted like the rule functions' logs.
        [REPORT.logGroup]: {
          DeletionPolicy: 'Delete',
          UpdateReplacePolicy: 'Delete',
          Properties: {
            // serverless-config.ts LOG_RETENTION_PARAMETER (imported there, so not here).
            RetentionInDays: ref('LogRetentionDays'),
            KmsKeyId: keyArn,
          },
        },
      },
    },
  } as unknown as AWS;
};

export { AGGREGATE_READ_ACTIONS, CONFIG_READ_ACTIONS, REPORT, REPORT_SCHEDULE, withReportFunction };

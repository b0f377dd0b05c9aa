import { existsSync, readFileSync } from 'node:fs';
import { DeploymentConfigError, InvalidParametersError } from '../errors.js';
import { parseParams } from '../rules/params.js';
import type { AnyRule } from '../rules/rule.js';
import { isRecord } from '../util/json.js';
import {
  EXECUTION_FREQUENCIES,
  type ExecutionFrequency,
  isExecutionFrequency,
  LIMITS,
} from './config-spec.js';
import { logicalIdsOf } from './naming.js';

/**
 * Stage parameters: what differs between deployments of the same code. They live in an optional
 * JSON file shaped like osls `params` (`{ "default": {...}, "<stage>": {...} }`), are validated here
 * at package time (rule parameters against each rule's own schema) and reach the template as
 * CloudFormation parameter defaults, so the packaged template stays valid when they are empty and
 * operators can still override a value on a stack update.
 */

interface StageParams {
  /** Address subscribed to the alert topic; empty: no subscription. */
  alertEmail?: string;
  /** The VPC endpoint the report bucket is restricted to; empty: TLS-only policy. */
  reportVpceId?: string;
  /** Subnets for the rule Lambdas (so S3 reads use the gateway endpoint); empty: no VPC. */
  ruleSubnetIds?: string[];
  ruleSecurityGroupIds?: string[];
  /** How often periodic evaluations run. */
  schedule?: ExecutionFrequency;
  /** Set in organization mode: the role the rule Lambdas assume in member accounts. */
  memberRoleName?: string;
  /** Raw Config `InputParameters` per rule id. */
  ruleParameters?: Record<string, Record<string, string>>;
  /** A role exempt from the report bucket's endpoint Deny (break-glass administration). */
  reportAdminRoleArn?: string;
  /** Days the rule functions' logs are kept (a CloudWatch Logs retention value). */
  logRetentionDays?: number;
  /**
   * Bucket name patterns every bucket rule treats as NOT_APPLICABLE in addition to a rule's own
   * `exemptBuckets`; defaults to this product's own deployment and Config delivery buckets.
   */
  defaultExemptBuckets?: string[];
  /** The report reads the organization through this Config aggregator; empty: this account. */
  reportAggregatorName?: string;
  /** `true` imports the report's findings into Security Hub; off by default. */
  securityHubImport?: 'true' | 'false';
}

type StageParamsFile = Record<string, StageParams>;

/** The osls parameter names (`${param:<name>}`) and their empty defaults. */
const OSLS_PARAM_DEFAULTS = {
  alertEmail: '',
  reportVpceId: '',
  ruleSubnetIds: '',
  ruleSecurityGroupIds: '',
  schedule: 'TwentyFour_Hours',
  memberRoleName: '',
  reportAdminRoleArn: '',
  logRetentionDays: '30',
  reportAggregatorName: '',
  securityHubImport: 'false',
} as const;

/** The values CloudWatch Logs accepts for `RetentionInDays`. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/**
 * Buckets this product itself creates outside the rule stack, which its own S3 rules would
 * otherwise judge: the osls deployment bucket (CloudFormation names it
 * `<stack>-serverlessdeploymentbucket-<suffix>`) and the Config delivery bucket of
 * infra/config-bootstrap.yaml (named `vpce-guard-config-<account>-<region>`).
 */
const DEFAULT_EXEMPT_BUCKETS = [
  'vpce-guard-*-serverlessdeploymentbucket-*',
  'vpce-guard-config-*',
] as const;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const VPCE_ID = /^vpce-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
/**
 * The region is appended to the member role name (IAM roles are global, see member-role.yaml);
 * 20 characters leave room for any region name.
 */
const MEMBER_ROLE_NAME_MAX = 64 - 20;
const ROLE_NAME = new RegExp(`^[\\w+=,.@-]{1,${MEMBER_ROLE_NAME_MAX}}$`);
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const BUCKET_PATTERN = /^[a-z0-9.*?-]{1,63}$/;

/** CloudFormation `AllowedPattern`s for the same values (empty is always allowed). */
const PATTERNS = {
  alertEmail: `^$|${EMAIL.source}`,
  reportVpceId: `^$|${VPCE_ID.source}`,
  memberRoleName: `^$|${ROLE_NAME.source}`,
  reportAdminRoleArn: `^$|${ROLE_ARN.source}`,
} as const;

const fail = (stage: string, message: string): never => {
  throw new DeploymentConfigError(`Stage parameters for "${stage}": ${message}`);
};

const optionalString = (
  stage: string,
  raw: Record<string, unknown>,
  key: string,
  pattern: RegExp,
) => {
  const value = raw[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    return fail(stage, `${key} ${JSON.stringify(value)} does not match ${pattern.source}`);
  }
  return value;
};

const optionalIds = (stage: string, raw: Record<string, unknown>, key: string, pattern: RegExp) => {
  const value = raw[key];
  if (value === undefined || value === '') return undefined;
  const ids = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!ids) return fail(stage, `${key} must be a list or a comma-separated string`);
  const trimmed = ids.map((id) => (typeof id === 'string' ? id.trim() : id));
  const bad = trimmed.filter((id) => typeof id !== 'string' || !pattern.test(id));
  if (bad.length > 0) return fail(stage, `${key} has invalid id(s) ${JSON.stringify(bad)}`);
  return trimmed as string[];
};

/** Config passes every parameter as a string; lists travel comma-separated. */
const toConfigString = (value: unknown): string =>
  Array.isArray(value) ? value.map(String).join(',') : String(value);

const parseRuleParameters = (
  stage: string,
  raw: unknown,
  rules: readonly AnyRule[],
): Record<string, Record<string, string>> | undefined => {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) return fail(stage, 'ruleParameters must be an object keyed by rule id');
  const result: Record<string, Record<string, string>> = {};
  for (const [ruleId, values] of Object.entries(raw)) {
    const rule = rules.find((candidate) => candidate.id === ruleId);
    if (!rule) {
      return fail(stage, `ruleParameters names unknown rule ${ruleId}`);
    }
    if (!isRecord(values)) return fail(stage, `ruleParameters.${ruleId} must be an object`);
    const strings = Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, toConfigString(value)]),
    );
    try {
      // The same parser the Lambda runs: a typo fails the package, not the first evaluation.
      parseParams(rule.id, rule.parameters, strings);
    } catch (error) {
      if (error instanceof InvalidParametersError) fail(stage, error.message);
      throw error;
    }
    if (Object.keys(strings).length > 0) result[ruleId] = strings;
  }
  return result;
};

const KNOWN_KEYS = new Set([
  ...Object.keys(OSLS_PARAM_DEFAULTS),
  'ruleParameters',
  'defaultExemptBuckets',
]);

const optionalRetention = (stage: string, raw: Record<string, unknown>): number | undefined => {
  const value = raw['logRetentionDays'];
  if (value === undefined) return undefined;
  const days = typeof value === 'string' ? Number(value) : value;
  if (!(LOG_RETENTION_DAYS as readonly unknown[]).includes(days)) {
    return fail(stage, `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  return days as number;
};

const optionalPatterns = (stage: string, raw: Record<string, unknown>): string[] | undefined => {
  const value = raw['defaultExemptBuckets'];
  if (value === undefined) return undefined;
  // An explicit empty list turns the default exemptions off.
  if (value === '') return [];
  return optionalIds(stage, raw, 'defaultExemptBuckets', BUCKET_PATTERN) ?? [];
};

/** Validates one stage's parameters. */
const parseStageParams = (stage: string, raw: unknown, rules: readonly AnyRule[]): StageParams => {
  if (!isRecord(raw)) return fail(stage, 'must be an object');
  const unknown = Object.keys(raw).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    fail(stage, `unknown key(s) ${unknown.join(', ')}; known: ${[...KNOWN_KEYS].join(', ')}`);
  }
  const schedule = raw['schedule'];
  if (schedule !== undefined && !isExecutionFrequency(schedule)) {
    fail(stage, `schedule must be one of ${EXECUTION_FREQUENCIES.join(', ')}`);
  }
  const params: StageParams = {
    alertEmail: optionalString(stage, raw, 'alertEmail', EMAIL),
    reportVpceId: optionalString(stage, raw, 'reportVpceId', VPCE_ID),
    ruleSubnetIds: optionalIds(stage, raw, 'ruleSubnetIds', SUBNET_ID),
    ruleSecurityGroupIds: optionalIds(stage, raw, 'ruleSecurityGroupIds', SECURITY_GROUP_ID),
    schedule: schedule as ExecutionFrequency | undefined,
    memberRoleName: optionalString(stage, raw, 'memberRoleName', ROLE_NAME),
    ruleParameters: parseRuleParameters(stage, raw['ruleParameters'], rules),
    reportAdminRoleArn: optionalString(stage, raw, 'reportAdminRoleArn', ROLE_ARN),
    logRetentionDays: optionalRetention(stage, raw),
    defaultExemptBuckets: optionalPatterns(stage, raw),
    reportAggregatorName: optionalString(stage, raw, 'reportAggregatorName', /^[\w-]{1,256}$/),
    securityHubImport: optionalString(stage, raw, 'securityHubImport', /^(true|false)$/) as
      | 'true'
      | 'false'
      | undefined,
  };
  if (Boolean(params.ruleSubnetIds) !== Boolean(params.ruleSecurityGroupIds)) {
    fail(stage, 'ruleSubnetIds and ruleSecurityGroupIds must be given together');
  }
  return Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== undefined),
  ) as StageParams;
};

/** Validates a whole stage parameters file (`default` plus one entry per stage). */
const parseStageParamsFile = (raw: unknown, rules: readonly AnyRule[]): StageParamsFile => {
  if (!isRecord(raw)) {
    throw new DeploymentConfigError('Stage parameters file must be a JSON object keyed by stage');
  }
  return Object.fromEntries(
    Object.entries(raw).map(([stage, value]) => [stage, parseStageParams(stage, value, rules)]),
  );
};

const loadStageParamsFile = (path: string, rules: readonly AnyRule[]): StageParamsFile => {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DeploymentConfigError(`Cannot read stage parameters ${path}`, { cause: error });
  }
  return parseStageParamsFile(raw, rules);
};

/** The osls parameter name carrying one rule's `InputParameters` JSON. */
const inputParametersParamOf = (rule: Pick<AnyRule, 'id'>): string =>
  logicalIdsOf(rule).inputParameters.replace(/^./, (first) => first.toLowerCase());

/** `InputParameters` as the JSON string Config delivers, or '' when the rule has none. */
const inputParametersJson = (
  rule: Pick<AnyRule, 'id'>,
  values: Record<string, string> | undefined,
) => {
  if (!values || Object.keys(values).length === 0) return '';
  const json = JSON.stringify(values);
  if (json.length > LIMITS.inputParameters) {
    throw new DeploymentConfigError(
      `InputParameters of ${rule.id} are ${json.length} characters; AWS Config accepts ${LIMITS.inputParameters}`,
    );
  }
  return json;
};

/** A rule's `InputParameters` values with the default bucket exemptions added to its own. */
const withDefaultExemptions = (
  rule: AnyRule,
  values: Record<string, string> | undefined,
  patterns: readonly string[],
): Record<string, string> | undefined => {
  if (patterns.length === 0 || !('exemptBuckets' in rule.parameters)) return values;
  const own = (values?.['exemptBuckets'] ?? '').split(',').filter((name) => name !== '');
  return { ...values, exemptBuckets: [...new Set([...own, ...patterns])].join(',') };
};

/** Flattens one stage's effective parameters into osls `params` values (strings only). */
const oslsValuesOf = (params: StageParams, rules: readonly AnyRule[]): Record<string, string> => {
  const values: Record<string, string> = {};
  if (params.alertEmail !== undefined) values['alertEmail'] = params.alertEmail;
  if (params.reportVpceId !== undefined) values['reportVpceId'] = params.reportVpceId;
  if (params.ruleSubnetIds) values['ruleSubnetIds'] = params.ruleSubnetIds.join(',');
  if (params.ruleSecurityGroupIds) {
    values['ruleSecurityGroupIds'] = params.ruleSecurityGroupIds.join(',');
  }
  if (params.schedule !== undefined) values['schedule'] = params.schedule;
  if (params.memberRoleName !== undefined) values['memberRoleName'] = params.memberRoleName;
  if (params.reportAdminRoleArn !== undefined) {
    values['reportAdminRoleArn'] = params.reportAdminRoleArn;
  }
  if (params.logRetentionDays !== undefined) {
    values['logRetentionDays'] = String(params.logRetentionDays);
  }
  if (params.reportAggregatorName !== undefined) {
    values['reportAggregatorName'] = params.reportAggregatorName;
  }
  if (params.securityHubImport !== undefined) {
    values['securityHubImport'] = params.securityHubImport;
  }
  const patterns = params.defaultExemptBuckets ?? DEFAULT_EXEMPT_BUCKETS;
  for (const rule of rules) {
    const ruleValues = withDefaultExemptions(rule, params.ruleParameters?.[rule.id], patterns);
    values[inputParametersParamOf(rule)] = inputParametersJson(rule, ruleValues);
  }
  return values;
};

/** A stage's parameters over the file's `default` ones; rule parameters replace per rule id. */
const effectiveParams = (base: StageParams, stage: StageParams): StageParams => ({
  ...base,
  ...stage,
  ruleParameters: { ...base.ruleParameters, ...stage.ruleParameters },
});

/**
 * The osls `params` block: every name the template references (an unresolved `${param:…}` fails
 * packaging) with its default, then each stage's full effective values, so a stage that changes
 * the default exemptions also rewrites the rule parameters it did not name itself.
 */
const oslsParamsOf = (
  file: StageParamsFile,
  rules: readonly AnyRule[],
): Record<string, Record<string, string>> => {
  const base = file['default'] ?? {};
  const result: Record<string, Record<string, string>> = {
    default: { ...OSLS_PARAM_DEFAULTS, ...oslsValuesOf(base, rules) },
  };
  for (const [stage, params] of Object.entries(file)) {
    if (stage !== 'default') result[stage] = oslsValuesOf(effectiveParams(base, params), rules);
  }
  return result;
};

export type { StageParams, StageParamsFile };
export {
  DEFAULT_EXEMPT_BUCKETS,
  inputParametersJson,
  inputParametersParamOf,
  LOG_RETENTION_DAYS,
  loadStageParamsFile,
  MEMBER_ROLE_NAME_MAX,
  OSLS_PARAM_DEFAULTS,
  oslsParamsOf,
  PATTERNS,
  parseStageParams,
  parseStageParamsFile,
  withDefaultExemptions,
};

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a mistaken template literal.
import { DeploymentConfigError } from '../errors.js';
import type { AnyRule } from '../rules/rule.js';
import { LIMITS } from './config-spec.js';

/**
 * Every name the deployment derives from a rule id, in one place: serverless.ts, the organization
 * templates and the report code must agree on them.
 */

const SERVICE = 'vpce-guard';
const CONFIG_RULE_PREFIX = `${SERVICE}-`;
/** Lambda function names are limited to 64 characters; the stage goes in the middle. */
const MAX_FUNCTION_NAME = 64;
/** The member-account role organization rules assume (member-role.yaml creates it). */
const DEFAULT_MEMBER_ROLE_NAME = 'vpce-guard-member';

/**
 * The member role's name in one region: `<name>-<region>` as a `Fn::Sub` text over the parameter
 * holding `<name>`. IAM roles are global, so a StackSet creating one fixed name in two regions of an
 * account fails in the second; member-role.yaml and the rule functions both derive this name.
 */
const regionalRoleNameSub = (nameParameter: string): string =>
  `\${${nameParameter}}-\${AWS::Region}`;

/** `vpce-guard-<rule id>`: the Config rule name, at most 64 characters so report APIs accept it. */
const configRuleNameOf = (rule: Pick<AnyRule, 'id'>): string => {
  const name = `${CONFIG_RULE_PREFIX}${rule.id}`;
  if (name.length > LIMITS.ruleName) {
    throw new DeploymentConfigError(
      `Config rule name ${name} is ${name.length} characters; AWS Config report APIs accept ${LIMITS.ruleName}`,
    );
  }
  if (!/^[A-Za-z0-9-_]+$/.test(name)) {
    throw new DeploymentConfigError(`Config rule name ${name} must match [A-Za-z0-9-_]+`);
  }
  return name;
};

/** The rule id a Config rule name belongs to, or undefined for rules this product did not create. */
const ruleIdOfConfigRuleName = (name: string): string | undefined =>
  name.startsWith(CONFIG_RULE_PREFIX) ? name.slice(CONFIG_RULE_PREFIX.length) : undefined;

/** `s3-bucket-policy-tls-only` → `S3BucketPolicyTlsOnly`: a CloudFormation-safe logical id stem. */
const pascalOf = (id: string): string =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** The osls function key; osls derives `<Key>LambdaFunction` / `<Key>LogGroup` logical ids from it. */
const functionKeyOf = (rule: Pick<AnyRule, 'id'>): string => {
  const pascal = pascalOf(rule.id);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
};

/** The deployed Lambda function name: `vpce-guard-<stage>-<rule id>`. */
const functionNameOf = (rule: Pick<AnyRule, 'id'>, stage: string): string => {
  const name = `${SERVICE}-${stage}-${rule.id}`;
  if (name.length > MAX_FUNCTION_NAME) {
    throw new DeploymentConfigError(
      `Lambda function name ${name} is ${name.length} characters (max ${MAX_FUNCTION_NAME}); use a shorter stage`,
    );
  }
  return name;
};

/** Longest stage name that keeps every rule's function name within Lambda's limit. */
const maxStageLength = (rules: readonly Pick<AnyRule, 'id'>[]): number =>
  MAX_FUNCTION_NAME - `${SERVICE}--`.length - Math.max(0, ...rules.map((rule) => rule.id.length));

/** Logical ids of the resources generated per rule (osls names the function and its log group). */
const logicalIdsOf = (rule: Pick<AnyRule, 'id'>) => {
  const stem = pascalOf(rule.id);
  return {
    function: `${stem}LambdaFunction`,
    logGroup: `${stem}LogGroup`,
    role: `${stem}Role`,
    permission: `${stem}ConfigPermission`,
    configRule: `${stem}ConfigRule`,
    inputParameters: `${stem}InputParameters`,
    hasInputParameters: `Has${stem}InputParameters`,
    organizationRule: `${stem}OrganizationRule`,
    functionArnParameter: `${stem}FunctionArn`,
  };
};

export {
  CONFIG_RULE_PREFIX,
  configRuleNameOf,
  DEFAULT_MEMBER_ROLE_NAME,
  functionKeyOf,
  functionNameOf,
  logicalIdsOf,
  MAX_FUNCTION_NAME,
  maxStageLength,
  pascalOf,
  regionalRoleNameSub,
  ruleIdOfConfigRuleName,
  SERVICE,
};

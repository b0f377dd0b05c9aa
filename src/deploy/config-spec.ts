/**
 * Facts about the AWS Config API that cfn-lint does not check (toolchain.md §2: it accepted
 * `Owner: CUSTOM`, `MaximumExecutionFrequency: Daily`, `MessageType: Bogus` and unknown resource
 * types). The builders assert them at generation time and the deploy tests re-check the packaged
 * template, so a typo fails `npm run package` instead of a CloudFormation update.
 */
import { isRecord } from '../util/json.js';

const MESSAGE_TYPES = [
  'ConfigurationItemChangeNotification',
  'ConfigurationSnapshotDeliveryCompleted',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
] as const;

/** Triggers an organization custom rule accepts (no snapshot trigger, unlike account rules). */
const ORGANIZATION_TRIGGER_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
] as const;

const EXECUTION_FREQUENCIES = [
  'One_Hour',
  'Three_Hours',
  'Six_Hours',
  'Twelve_Hours',
  'TwentyFour_Hours',
] as const;

const RULE_OWNERS = ['AWS', 'CUSTOM_LAMBDA', 'CUSTOM_POLICY'] as const;

/**
 * Config-recordable types vpce-guard may scope rules to (AWS Config `ResourceType` enum, see
 * aws-config-contract.md §7). Deliberately a closed list: a type is added here only after checking
 * it against the Config resource reference, because a wrong one silently never triggers.
 */
const RECORDABLE_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::EC2::NatGateway',
  'AWS::EC2::PrefixList',
  'AWS::EC2::RouteTable',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::Subnet',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::VPC',
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::VPCEndpointService',
  'AWS::S3::AccountPublicAccessBlock',
  'AWS::S3::Bucket',
] as const;

type MessageType = (typeof MESSAGE_TYPES)[number];
type ExecutionFrequency = (typeof EXECUTION_FREQUENCIES)[number];

/** Config's own limits that matter for us (MODEL; aws-config-contract.md §6-§8). */
const LIMITS = {
  /** `GetComplianceDetailsByConfigRule` and org rule names take at most 64 characters. */
  ruleName: 64,
  description: 256,
  inputParameters: 1024,
  scopeTypes: 100,
  sourceDetails: 25,
  /** Conformance pack input parameters. */
  packParameters: 60,
} as const;

const isExecutionFrequency = (value: unknown): value is ExecutionFrequency =>
  typeof value === 'string' && (EXECUTION_FREQUENCIES as readonly string[]).includes(value);

/** A CloudFormation intrinsic (`Ref`, `Fn::…`) stands for a value only known at deploy time. */
const isIntrinsic = (value: unknown): boolean =>
  isRecord(value) &&
  Object.keys(value).length === 1 &&
  Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'));

const checkLiteral = (
  problems: string[],
  where: string,
  value: unknown,
  allowed: readonly string[],
): void => {
  if (isIntrinsic(value)) return;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    problems.push(`${where} is ${JSON.stringify(value)}, expected one of ${allowed.join(', ')}`);
  }
};

/**
 * Problems with an `AWS::Config::ConfigRule` resource's properties that cfn-lint misses. Returns an
 * empty list when the resource is sound; intrinsic values are accepted as deploy-time values.
 */
const configRuleProblems = (name: string, properties: unknown): string[] => {
  const problems: string[] = [];
  if (!isRecord(properties)) return [`${name}: Properties missing`];
  const ruleName = properties['ConfigRuleName'];
  if (typeof ruleName === 'string' && ruleName.length > LIMITS.ruleName) {
    problems.push(
      `${name}: ConfigRuleName is ${ruleName.length} characters (max ${LIMITS.ruleName})`,
    );
  }
  const description = properties['Description'];
  if (typeof description === 'string' && description.length > LIMITS.description) {
    problems.push(`${name}: Description exceeds ${LIMITS.description} characters`);
  }
  const source = properties['Source'];
  if (!isRecord(source)) return [...problems, `${name}: Source missing`];
  checkLiteral(problems, `${name}: Source.Owner`, source['Owner'], RULE_OWNERS);
  const details = source['SourceDetails'];
  const detailList = Array.isArray(details) ? details : [];
  if (detailList.length > LIMITS.sourceDetails) {
    problems.push(`${name}: more than ${LIMITS.sourceDetails} SourceDetails`);
  }
  detailList.forEach((detail: unknown, index) => {
    const where = `${name}: SourceDetails[${index}]`;
    if (!isRecord(detail)) {
      problems.push(`${where} is not an object`);
      return;
    }
    checkLiteral(problems, `${where}.EventSource`, detail['EventSource'], ['aws.config']);
    checkLiteral(problems, `${where}.MessageType`, detail['MessageType'], MESSAGE_TYPES);
    if (detail['MaximumExecutionFrequency'] !== undefined) {
      checkLiteral(
        problems,
        `${where}.MaximumExecutionFrequency`,
        detail['MaximumExecutionFrequency'],
        EXECUTION_FREQUENCIES,
      );
      if (detail['MessageType'] !== 'ScheduledNotification') {
        problems.push(
          `${where}: MaximumExecutionFrequency needs MessageType ScheduledNotification`,
        );
      }
    }
  });
  const scope = properties['Scope'];
  if (isRecord(scope) && Array.isArray(scope['ComplianceResourceTypes'])) {
    const types = scope['ComplianceResourceTypes'] as unknown[];
    if (types.length > LIMITS.scopeTypes) {
      problems.push(`${name}: more than ${LIMITS.scopeTypes} ComplianceResourceTypes`);
    }
    for (const type of types) {
      checkLiteral(problems, `${name}: Scope type`, type, RECORDABLE_TYPES);
    }
  }
  return problems;
};

export type { ExecutionFrequency, MessageType };
export {
  configRuleProblems,
  EXECUTION_FREQUENCIES,
  isExecutionFrequency,
  isIntrinsic,
  LIMITS,
  MESSAGE_TYPES,
  ORGANIZATION_TRIGGER_TYPES,
  RECORDABLE_TYPES,
  RULE_OWNERS,
};

import { PolicyParseError } from '../errors.js';
import type { Verdict } from '../model/compliance.js';
import { compliant, nonCompliant, notApplicable, unverifiable } from '../model/compliance.js';
import type { VpcEndpoint } from '../model/resources.js';
import type { ConditionEntry, PolicyDocument, Statement } from '../policy/document.js';
import { parsePolicy, statementLabel } from '../policy/document.js';
import { describeGuards } from '../policy/explain.js';
import {
  analyseGuards,
  matchesNoOutsideValue,
  matchesOutsideValues,
  matchesWhenAbsent,
} from '../policy/guard.js';
import { matchSetCovers, matchSetMatches, principalAccount } from '../policy/statement.js';
import { hasWildcard } from '../policy/wildcard.js';
import { isInactiveEndpointState } from './endpoint-state.js';
import type { ParamsOf } from './params.js';
import { defineRule } from './rule.js';

const ACCOUNT_KEYS = ['aws:principalaccount', 'aws:resourceaccount'] as const;
const ORG_KEYS = ['aws:principalorgid', 'aws:resourceorgid'] as const;
const TRUST_KEYS: readonly string[] = [...ACCOUNT_KEYS, ...ORG_KEYS];

const FOREIGN_ACCOUNT = '999999999999';
const FOREIGN_ORG = 'o-zzzzzzzzzzzz';

/**
 * Values any caller can present, whoever they are: a role in their own account, their own
 * organisation. A condition that matches all of them restricts nothing; a trust fence must refuse
 * them. Keys not listed get DEFAULT_OUTSIDER.
 */
const OUTSIDER_VALUES: Readonly<Record<string, readonly string[]>> = {
  'aws:principalaccount': [FOREIGN_ACCOUNT],
  'aws:resourceaccount': [FOREIGN_ACCOUNT],
  'aws:principalorgid': [FOREIGN_ORG],
  'aws:resourceorgid': [FOREIGN_ORG],
  'aws:principalarn': [`arn:aws:iam::${FOREIGN_ACCOUNT}:role/outsider`],
  'aws:principalorgpaths': [`${FOREIGN_ORG}/r-zzzz/ou-zzzz-zzzzzzzz/`],
  'aws:resourceorgpaths': [`${FOREIGN_ORG}/r-zzzz/ou-zzzz-zzzzzzzz/`],
};

const DEFAULT_OUTSIDER: readonly string[] = ['vpce-guard-outsider'];

const outsiderValues = (entry: ConditionEntry): readonly string[] =>
  OUTSIDER_VALUES[entry.keyLower] ?? DEFAULT_OUTSIDER;

const parameters = {
  trustedAccountIds: {
    type: 'list',
    description:
      'AWS account ids the endpoint may serve. When set (or with trustedOrgIds), every Allow must be limited to these accounts by principal ARNs or by aws:PrincipalAccount / aws:ResourceAccount conditions.',
    pattern: /^\d{12}$/,
  },
  trustedOrgIds: {
    type: 'list',
    description:
      'AWS Organizations ids (o-...) the endpoint may serve. When set, an Allow may be limited with aws:PrincipalOrgID / aws:ResourceOrgID conditions on these ids.',
    pattern: /^o-[a-z0-9]{10,32}$/,
  },
} as const;

type Params = ParamsOf<typeof parameters>;

/** Endpoint service names whose IAM action prefix differs from the name. */
const ACTION_PREFIXES: Record<string, string> = {
  monitoring: 'cloudwatch',
  'git-codecommit': 'codecommit',
  'email-smtp': 'ses',
  'ecr.api': 'ecr',
  'ecr.dkr': 'ecr',
  'sagemaker.api': 'sagemaker',
  'sagemaker.runtime': 'sagemaker',
};

interface ServiceLocation {
  /** IAM action prefix, e.g. `s3`. */
  prefix: string;
  region: string;
  partition: string;
}

/** `com.amazonaws.eu-west-1.s3` → s3 in eu-west-1; `undefined` for other accounts' PrivateLink services. */
const serviceLocationOf = (serviceName: string): ServiceLocation | undefined => {
  const match = /^(?:cn\.)?(?:com\.amazonaws|aws\.[a-z]+)\.([a-z]{2}(?:-[a-z]+)+-\d)\.(.+)$/.exec(
    serviceName,
  );
  const region = match?.[1];
  const rest = match?.[2];
  if (region === undefined || rest === undefined || rest.startsWith('vpce-svc-')) return undefined;
  const first = rest.split('.')[0] ?? rest;
  const prefix = ACTION_PREFIXES[rest] ?? ACTION_PREFIXES[first] ?? first.replace(/-fips$/, '');
  const partition = region.startsWith('cn-')
    ? 'aws-cn'
    : region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  return { prefix, region, partition };
};

/** `com.amazonaws.eu-west-1.s3` → `s3`; `undefined` for PrivateLink services of other accounts. */
const actionPrefixOf = (serviceName: string): string | undefined =>
  serviceLocationOf(serviceName)?.prefix;

/**
 * Resources of the service in another account, reachable through this endpoint. A statement whose
 * resources match all of them reaches every resource of the service as far as exfiltration goes
 * (`arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:table/*`), even though it does not say `*`.
 */
const foreignResources = (location: ServiceLocation | undefined): string[] => {
  if (location === undefined) return [];
  const { prefix, region, partition } = location;
  switch (prefix) {
    case 's3':
      return [
        `arn:${partition}:s3:::vpce-guard-foreign-bucket`,
        `arn:${partition}:s3:::vpce-guard-foreign-bucket/data.csv`,
      ];
    case 'dynamodb':
      return [`arn:${partition}:dynamodb:${region}:${FOREIGN_ACCOUNT}:table/vpce-guard-foreign`];
    default:
      return [`arn:${partition}:${prefix}:${region}:${FOREIGN_ACCOUNT}:vpce-guard-foreign`];
  }
};

const reachesEveryResource = (statement: Statement, foreign: readonly string[]): boolean =>
  matchSetCovers(statement.resources, '*', 'resource') ||
  (foreign.length > 0 &&
    foreign.every((arn) => matchSetMatches(statement.resources, arn, 'resource')));

/** An entry every outsider satisfies (`StringLike aws:PrincipalArn "*"`) restricts nothing. */
const restrictsNothing = (entry: ConditionEntry): boolean =>
  matchesOutsideValues(entry, outsiderValues(entry));

const isDynamoDb = (endpoint: VpcEndpoint): boolean => /\.dynamodb$/.test(endpoint.serviceName);

const DYNAMODB_NOTE =
  ' DynamoDB has no resource policies, so this endpoint policy is the only control that stops data being copied through the endpoint to tables in other accounts.';

const trustedOnly = (params: Params): boolean =>
  params.trustedAccountIds.length > 0 || params.trustedOrgIds.length > 0;

/** The parameter list that the values of an account or org key must come from. */
const listFor = (key: string, params: Params): { name: string; ids: string[] } =>
  (ACCOUNT_KEYS as readonly string[]).includes(key)
    ? { name: 'trustedAccountIds', ids: params.trustedAccountIds }
    : { name: 'trustedOrgIds', ids: params.trustedOrgIds };

const valuesProblem = (entry: ConditionEntry, params: Params): string | undefined => {
  if (!trustedOnly(params)) return undefined;
  const list = listFor(entry.keyLower, params);
  const bad = entry.values.find((value) => hasWildcard(value) || !list.ids.includes(value));
  if (bad === undefined) return undefined;
  return hasWildcard(bad)
    ? `${entry.key} value "${bad}" is a wildcard`
    : `${entry.key} value "${bad}" is not in ${list.name}`;
};

/**
 * Whether an ANDed entry limits an Allow to trusted accounts or orgs: it must fail for requests
 * without the key and for untrusted values, and name only trusted ids.
 */
const limitsToTrusted = (entry: ConditionEntry, params: Params): boolean =>
  TRUST_KEYS.includes(entry.keyLower) &&
  !matchesWhenAbsent(entry) &&
  matchesNoOutsideValue(entry, outsiderValues(entry)) &&
  valuesProblem(entry, params) === undefined;

/** An Allow whose principals are all ARNs or ids of trusted accounts. */
const principalsTrusted = (statement: Statement, params: Params): boolean =>
  statement.principal.kind === 'only' &&
  statement.principal.principals.every((principal) => {
    const account = principalAccount(principal);
    return account !== undefined && params.trustedAccountIds.includes(account);
  });

const broadPrincipal = (statement: Statement): boolean => statement.principal.kind !== 'only';

/**
 * The default policy's shape, or one that amounts to it: everyone, every action of the service,
 * every resource of the service, and no condition an outsider fails.
 */
const isFullAccess = (
  statement: Statement,
  prefix: string | undefined,
  foreign: readonly string[],
): boolean => {
  if (
    statement.effect !== 'Allow' ||
    !broadPrincipal(statement) ||
    !statement.conditions.every(restrictsNothing)
  ) {
    return false;
  }
  if (!reachesEveryResource(statement, foreign)) return false;
  const actions = statement.actions;
  if (matchSetCovers(actions, '*', 'action')) return true;
  if (prefix !== undefined && matchSetCovers(actions, `${prefix}:*`, 'action')) return true;
  // Any whole-service wildcard (`kms:*` on an S3 endpoint is odd, but just as unrestricted).
  return (
    actions.kind === 'only' && actions.patterns.some((pattern) => /^[^:*?]+:\*$/.test(pattern))
  );
};

/** Deny guards that refuse everything outside trusted accounts/orgs make any Allow safe. */
const denyGuard = (policy: PolicyDocument, prefix: string | undefined, params: Params) =>
  analyseGuards(policy, {
    guardKeys: TRUST_KEYS,
    checkGuardEntry: (entry) => {
      if (!matchesWhenAbsent(entry)) {
        return `${entry.operator} on ${entry.key} does not match requests without that key`;
      }
      if (!matchesOutsideValues(entry, outsiderValues(entry))) {
        return `${entry.operator} on ${entry.key} does not match untrusted values`;
      }
      return valuesProblem(entry, params);
    },
    exemptKeys: [],
    actions: prefix === undefined ? '*' : `${prefix}:*`,
    targets: [{ label: 'every resource', resource: '*' }],
  });

const describeActions = (statement: Statement): string =>
  statement.actions.kind === 'only'
    ? `every action (${statement.actions.patterns.join(', ')})`
    : `every action except ${statement.actions.patterns.join(', ')}`;

const describeEndpoint = (endpoint: VpcEndpoint): string =>
  `Endpoint ${endpoint.id} (${endpoint.endpointType} ${endpoint.serviceName})`;

const describeResources = (statement: Statement): string =>
  matchSetCovers(statement.resources, '*', 'resource')
    ? 'every resource'
    : `every resource of the service (${statement.resources.kind === 'except' ? 'NotResource ' : ''}${statement.resources.patterns.join(', ')})`;

const describeConditions = (statement: Statement): string =>
  statement.conditions.length === 0
    ? 'with no condition'
    : `with only conditions every outsider meets (${statement.conditions.map((entry) => `${entry.operator} ${entry.key} ${JSON.stringify(entry.values)}`).join(', ')})`;

const analyse = (endpoint: VpcEndpoint, policy: PolicyDocument, params: Params): Verdict => {
  const note = isDynamoDb(endpoint) ? DYNAMODB_NOTE : '';
  const location = serviceLocationOf(endpoint.serviceName);
  const prefix = location?.prefix;
  const foreign = foreignResources(location);
  const guard = denyGuard(policy, prefix, params);
  const guarded = guard.complete && guard.guards.some((g) => g.statement.conditions.length > 0);
  if (guarded) {
    return compliant(
      `${describeEndpoint(endpoint)}: ${describeGuards(guard)} every request for principals or resources outside the trusted accounts/organisations.`,
    );
  }
  const allows = policy.statements.filter((statement) => statement.effect === 'Allow');
  const fullAccess = allows.find((statement) => isFullAccess(statement, prefix, foreign));
  if (fullAccess) {
    return nonCompliant(
      `${describeEndpoint(endpoint)} uses a full-access policy: ${statementLabel(fullAccess)} allows every principal ${describeActions(fullAccess)} on ${describeResources(fullAccess)} ${describeConditions(fullAccess)}, so any credentials can move data through it to any account.${note} Limit it to your principals and resources (aws:PrincipalOrgID, aws:ResourceAccount).`,
    );
  }
  if (!trustedOnly(params)) {
    return compliant(
      `${describeEndpoint(endpoint)}: the endpoint policy is not the full-access default (no statement allows every principal every action on every resource of the service without a condition that outsiders fail).`,
    );
  }
  const unlimited = allows.filter(
    (statement) =>
      !principalsTrusted(statement, params) &&
      !statement.conditions.some((entry) => limitsToTrusted(entry, params)),
  );
  if (unlimited.length > 0) {
    const trusted = [...params.trustedAccountIds, ...params.trustedOrgIds].join(', ');
    const details = unlimited
      .flatMap((statement) => statement.conditions)
      .filter((entry) => TRUST_KEYS.includes(entry.keyLower))
      .map((entry) => valuesProblem(entry, params))
      .filter((problem): problem is string => problem !== undefined);
    const why = details.length > 0 ? ` (${details.join('; ')})` : '';
    return nonCompliant(
      `${describeEndpoint(endpoint)}: ${unlimited.map(statementLabel).join(', ')} ${unlimited.length === 1 ? 'is' : 'are'} not limited to the trusted accounts/organisations (${trusted}) by principal or by an aws:PrincipalAccount, aws:PrincipalOrgID or aws:ResourceAccount condition${why}.${note}`,
    );
  }
  return compliant(
    `${describeEndpoint(endpoint)}: every Allow is limited to the trusted accounts/organisations.`,
  );
};

const REMEDIATION_EXAMPLE = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowOrgOnly',
        Effect: 'Allow',
        Principal: '*',
        Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'aws:PrincipalOrgID': 'o-a1b2c3d4e5',
            'aws:ResourceAccount': '111122223333',
          },
        },
      },
    ],
  },
  null,
  2,
);

const vpcEndpointPolicyRestricted = defineRule({
  id: 'vpc-endpoint-policy-restricted',
  title: 'VPC endpoints should have a policy restricted to trusted principals and resources',
  description:
    'Checks that gateway and interface VPC endpoints do not use the default full-access policy (every principal, every action, every resource, no condition), nor one that amounts to it: resources such as arn:aws:s3:::* or arn:aws:dynamodb:*:*:table/* cover every resource of the service, and conditions every outsider meets (StringLike aws:PrincipalArn "*") restrict nothing. With trustedAccountIds or trustedOrgIds, every Allow must be limited to those accounts or organisations by principal or by aws:PrincipalAccount, aws:PrincipalOrgID or aws:ResourceAccount conditions; a Deny that refuses everything outside them also counts.',
  rationale:
    "The default endpoint policy lets any credentials, including an attacker's own, reach any resource of the service through your private network: data can be copied out to a bucket or table in another account without touching the internet, bypassing egress controls. DynamoDB has no resource policies, so the endpoint policy is the only place to stop that for DynamoDB.",
  severity: 'medium',
  resourceType: 'AWS::EC2::VPCEndpoint',
  triggerTypes: [],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '7.2.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '7.3.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '7.3.3', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.3.2', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '7.2.5', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(a)(1)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.308(a)(4)(ii)(B)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'supporting' },
  ],
  parameters,
  remediation:
    'Replace the default policy with one that allows only the actions you need, for principals in your organisation (aws:PrincipalOrgID) and on resources in your accounts (aws:ResourceAccount), or add a Deny for everything outside them. For S3 gateway endpoints remember AWS-owned buckets you rely on (package repositories, ECR layers).',
  remediationExample: REMEDIATION_EXAMPLE,
  iamActions: ['ec2:DescribeVpcEndpoints'],
  async evaluate(endpoint, view, params) {
    if (endpoint.endpointType !== 'Gateway' && endpoint.endpointType !== 'Interface') {
      return notApplicable(
        `Endpoint ${endpoint.id} is a ${endpoint.endpointType} endpoint; only Gateway and Interface endpoints carry a service policy.`,
      );
    }
    if (isInactiveEndpointState(endpoint.state)) {
      return notApplicable(`Endpoint ${endpoint.id} is ${endpoint.state} and carries no traffic.`);
    }
    const note = isDynamoDb(endpoint) ? DYNAMODB_NOTE : '';
    // A configuration item may leave the policy out; EC2 always names it (the default when none
    // was set), so ask the view before calling the endpoint wide open.
    const source =
      endpoint.policy.kind === 'absent'
        ? ((await view.get(endpoint.type, endpoint.id))?.policy ?? endpoint.policy)
        : endpoint.policy;
    if (source.kind === 'unreadable') {
      return unverifiable(
        `Could not verify the policy of endpoint ${endpoint.id}: ${source.reason}. Grant the scanner ec2:DescribeVpcEndpoints.`,
      );
    }
    if (source.kind === 'absent') {
      return nonCompliant(
        `${describeEndpoint(endpoint)} has no endpoint policy, so it allows full access to the service.${note}`,
      );
    }
    let policy: PolicyDocument;
    try {
      policy = parsePolicy(source.text);
    } catch (error) {
      if (!(error instanceof PolicyParseError)) throw error;
      return nonCompliant(
        `The policy of endpoint ${endpoint.id} cannot be analysed (${error.message}).${note}`,
      );
    }
    return analyse(endpoint, policy, params);
  },
});

export { actionPrefixOf, vpcEndpointPolicyRestricted };

import { nonCompliant } from '../model/compliance.js';
import { isLiveEndpoint } from '../network/gateway-endpoints.js';
import { matchesService } from '../network/service-name.js';
import { type ConditionEntry, parsePolicy } from '../policy/document.js';
import type { ExplainWords } from '../policy/explain.js';
import { type GuardAnalysis, matchesOutsideValues, matchesWhenAbsent } from '../policy/guard.js';
import { hasWildcard } from '../policy/wildcard.js';
import type { AccountView } from '../sources/view.js';
import {
  BUCKET_READ_ACTIONS,
  type BucketGuardSpec,
  evaluateBucketGuard,
} from './bucket-policy-guard.js';
import { bucketScopeParams } from './bucket-scope.js';
import { policyDocument, vpceOnlyStatement } from './example-policies.js';
import type { ParamsOf } from './params.js';
import { defineRule } from './rule.js';

const RULE_ID = 's3-bucket-policy-vpce-only';

const NETWORK_KEYS = ['aws:sourcevpce', 'aws:sourcevpc', 'aws:sourcevpcarn'] as const;
type NetworkKey = (typeof NETWORK_KEYS)[number];

/**
 * Ids of other accounts' endpoints and VPCs, in both id formats, used to ask "is a request from
 * elsewhere denied?". A wildcard that matches them (`*`, `vpce-*`, `vpce-0*`) matches practically
 * every endpoint id AWS hands out, so it lets any account's endpoint through.
 */
const OUTSIDE_PROBES: Record<NetworkKey, string[]> = {
  'aws:sourcevpce': ['vpce-00000000000000000', 'vpce-1a2b3c4d'],
  'aws:sourcevpc': ['vpc-00000000000000000', 'vpc-1a2b3c4d'],
  'aws:sourcevpcarn': [
    'arn:aws:ec2:us-east-1:000000000000:vpc/vpc-00000000000000000',
    'arn:aws:ec2:us-east-1:000000000000:vpc/vpc-1a2b3c4d',
  ],
};

const parameters = {
  allowedVpceIds: {
    type: 'list',
    description:
      'VPC endpoint ids the bucket policy may allow (aws:SourceVpce values). When this list or allowedVpcIds is set, every network value in the Deny must be in its own list (aws:SourceVpce here, aws:SourceVpc and the VPC of aws:SourceVpcArn in allowedVpcIds); wildcard values, and network keys whose list is empty, are NON_COMPLIANT. IgnoreCase operators compare without case.',
    pattern: /^vpce-[0-9a-f]{8,17}$/,
  },
  allowedVpcIds: {
    type: 'list',
    description:
      'VPC ids the bucket policy may allow (aws:SourceVpc values, or the VPC in aws:SourceVpcArn). When this list or allowedVpceIds is set, every network value must be in its own list; wildcard values, and network keys whose list is empty, are NON_COMPLIANT.',
    pattern: /^vpc-[0-9a-f]{8,17}$/,
  },
  exemptionConditionKeys: {
    type: 'list',
    description:
      'Condition keys that may be ANDed into the Deny as accepted exceptions, for example aws:PrincipalArn (break-glass role) and aws:ViaAWSService (AWS services acting for a principal). Such an entry may only carve named principals or services out of the Deny (ArnNotLike aws:PrincipalArn, BoolIfExists aws:ViaAWSService "false"); one that restricts the Deny to a few principals (StringEquals aws:PrincipalArn, Bool aws:ViaAWSService "true") is NON_COMPLIANT. aws:PrincipalArn also accepts NotPrincipal.',
    pattern: /^[A-Za-z0-9-]+:[A-Za-z0-9/_.:-]+$/,
  },
  verifyEndpoints: {
    type: 'boolean',
    description:
      "When true, every aws:SourceVpce value in the Deny must be an available S3 endpoint of this account and region. An id the account does not have may be another account's endpoint, and requests through it are let in; an endpoint of another service or a deleted one means the policy does not say what was intended.",
    default: false,
  },
  ...bucketScopeParams,
} as const;

type Params = ParamsOf<typeof parameters>;

/** The concrete endpoint ids the network Deny statements name (wildcards are judged elsewhere). */
const namedEndpointIds = (policyText: string): string[] => {
  const ids = new Set<string>();
  for (const statement of parsePolicy(policyText).statements) {
    if (statement.effect !== 'Deny') continue;
    for (const entry of statement.conditions) {
      if (entry.keyLower !== 'aws:sourcevpce') continue;
      for (const value of entry.values) if (!hasWildcard(value)) ids.add(value);
    }
  }
  return [...ids];
};

/**
 * What is wrong with the endpoints a compliant policy names: not in the account (possibly another
 * account's), not an S3 endpoint, or no longer live.
 */
const endpointProblems = async (ids: readonly string[], view: AccountView): Promise<string[]> => {
  const problems: string[] = [];
  for (const id of ids) {
    const endpoint = await view.get('AWS::EC2::VPCEndpoint', id);
    if (!endpoint) {
      problems.push(
        `${id} is not a VPC endpoint of this account and region, so it may be another account's endpoint and requests through it are let in`,
      );
    } else if (!matchesService(endpoint.serviceName, 's3')) {
      problems.push(`${id} is an endpoint for ${endpoint.serviceName}, not S3`);
    } else if (!isLiveEndpoint(endpoint)) {
      problems.push(`${id} is ${endpoint.state}`);
    }
  }
  return problems;
};

// The recommended Deny, with a break-glass role carved out (list aws:PrincipalArn in
// exemptionConditionKeys to accept it).
const REMEDIATION_EXAMPLE = JSON.stringify(
  policyDocument([
    {
      ...vpceOnlyStatement('amzn-s3-demo-bucket', ['vpce-0a1b2c3d4e5f67890']),
      Condition: {
        StringNotEquals: { 'aws:SourceVpce': ['vpce-0a1b2c3d4e5f67890'] },
        ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/BreakGlass' },
      },
    },
  ]),
  null,
  2,
);

const FIX =
  'Add a Deny for Principal "*", Action "s3:*" on the bucket and bucket/* ARNs with StringNotEquals on aws:SourceVpce (or aws:SourceVpc/aws:SourceVpcArn).';

const vpcIdOfArn = (arn: string): string | undefined =>
  /^arn:[^:]+:ec2:[^:]*:[^:]*:vpc\/(vpc-[0-9a-z]+)$/i.exec(arn)?.[1];

/**
 * The allow-list check of one network entry. Once either list is set, every network value must be
 * pinned by its own list: a key whose list is empty cannot be checked, and because network keys in
 * one Deny are ANDed, an unchecked value lets its requests through (`StringNotEquals {SourceVpce:
 * allowed, SourceVpc: foreign}` admits everything from the foreign VPC).
 */
const allowListProblem = (entry: ConditionEntry, params: Params): string | undefined => {
  if (params.allowedVpceIds.length === 0 && params.allowedVpcIds.length === 0) return undefined;
  const key = entry.keyLower as NetworkKey;
  const isVpce = key === 'aws:sourcevpce';
  const list = isVpce ? params.allowedVpceIds : params.allowedVpcIds;
  const listName = isVpce ? 'allowedVpceIds' : 'allowedVpcIds';
  if (list.length === 0) {
    const otherName = isVpce ? 'allowedVpcIds' : 'allowedVpceIds';
    return `${entry.key} ${entry.values.join(', ')} cannot be checked because ${listName} is empty (only ${otherName} is set), so requests from ${isVpce ? 'an endpoint' : 'a VPC'} that is not listed are let through; list it in ${listName} or remove ${entry.key} from the Deny`;
  }
  const ignoreCase = /ignorecase/i.test(entry.operator);
  const normal = (text: string): string => (ignoreCase ? text.toLowerCase() : text);
  const allowed = new Set(list.map(normal));
  for (const value of entry.values) {
    if (hasWildcard(value)) {
      return `${entry.key} value "${value}" is a wildcard, so endpoints or VPCs outside ${listName} (${list.join(', ')}) are let through`;
    }
    const id = key === 'aws:sourcevpcarn' ? vpcIdOfArn(value) : value;
    if (id === undefined) {
      return `${entry.key} value "${value}" is not a VPC ARN (arn:aws:ec2:region:account:vpc/vpc-...), so it cannot be checked against allowedVpcIds`;
    }
    if (!allowed.has(normal(id))) {
      return `${entry.key} value "${value}" is not in ${listName} (${list.join(', ')}), so requests from it are let through`;
    }
  }
  return undefined;
};

const checkNetworkEntry = (entry: ConditionEntry, params: Params): string | undefined => {
  const what = `${entry.operator} on ${entry.key}`;
  if (!matchesWhenAbsent(entry)) {
    return `${what} does not match requests that carry no ${entry.key} (from the internet or through a NAT gateway), so those are not denied; use StringNotEquals or StringNotEqualsIfExists`;
  }
  // With an allow-list set, its verdict on the values is the most precise one to report (a Null
  // test has no ids to check).
  const listed = entry.base === 'Null' ? undefined : allowListProblem(entry, params);
  if (listed !== undefined) return listed;
  if (!matchesOutsideValues(entry, OUTSIDE_PROBES[entry.keyLower as NetworkKey])) {
    const wildcards = entry.values.filter(hasWildcard);
    if (wildcards.length > 0) {
      return `${what} value ${wildcards.map((value) => `"${value}"`).join(', ')} matches every endpoint or VPC id, so requests through any account's VPC endpoint are let through; list your own ids`;
    }
    return `${what} does not match requests through other VPC endpoints or VPCs, so those are not denied; use StringNotEquals with the allowed ids`;
  }
  return undefined;
};

const WORDS: ExplainWords = {
  guard: 'network Deny',
  actions: 'S3 actions',
  allActions: 's3:*',
  exemptionParam: 'exemptionConditionKeys',
};

const describeGuardValues = (analysis: GuardAnalysis): string => {
  const values = new Set<string>();
  for (const guard of analysis.guards) {
    for (const entry of guard.statement.conditions) {
      if ((NETWORK_KEYS as readonly string[]).includes(entry.keyLower)) {
        values.add(`${entry.key} ${entry.values.join('|')}`);
      }
    }
  }
  if (values.size > 0) return `from outside ${[...values].join(' and ')}`;
  return analysis.guards.some((guard) => guard.exemptionsUsed.length > 0)
    ? 'from every network, except for the accepted exceptions (the Deny has no network condition)'
    : 'unconditionally (the Deny has no condition)';
};

const wildcardNote = (analysis: GuardAnalysis, params: Params): string[] =>
  params.allowedVpceIds.length === 0 &&
  params.allowedVpcIds.length === 0 &&
  analysis.guards.some((guard) =>
    guard.statement.conditions.some(
      (entry) =>
        (NETWORK_KEYS as readonly string[]).includes(entry.keyLower) &&
        entry.values.some(hasWildcard),
    ),
  )
    ? ['Values use wildcards; set allowedVpceIds/allowedVpcIds to pin them.']
    : [];

const guardSpec = (params: Params): BucketGuardSpec => ({
  guardKeys: NETWORK_KEYS,
  checkGuardEntry: (entry) => checkNetworkEntry(entry, params),
  words: WORDS,
  accepts: 'requests from outside your VPC endpoints',
  noGuard: 'no Deny statement is conditioned on aws:SourceVpce, aws:SourceVpc or aws:SourceVpcArn',
  fix: FIX,
  unreadableAdvice:
    "A VPC-endpoint-only policy often blocks the scanner itself: run the scan inside the VPC through the allowed endpoint, or exempt the scanner's role with aws:PrincipalArn in the Deny and list aws:PrincipalArn in exemptionConditionKeys.",
  mustShow: 'deny requests from outside your VPC endpoints',
  describeScope: describeGuardValues,
  notes: (analysis) => wildcardNote(analysis, params),
});

const s3BucketPolicyVpceOnly = defineRule({
  id: RULE_ID,
  title: 'S3 buckets should deny access from outside approved VPC endpoints',
  description:
    'Checks that the bucket policy denies every S3 action on the bucket and its objects, for every principal, unless the request arrives through an approved VPC endpoint or VPC (aws:SourceVpce, aws:SourceVpc or aws:SourceVpcArn). The policy is analysed semantically: split statements, wildcards, NotAction/NotResource, IfExists and ANDed condition keys are all taken into account.',
  rationale:
    'Stolen credentials, or an insider, can otherwise read or exfiltrate the data from any network: the internet, another AWS account, a NAT gateway. A Deny that only lets requests through your own VPC endpoints keeps the data reachable solely from your private network, whatever IAM identity policies grant. An Allow with a condition does not do this, and an ANDed condition key quietly lets some outside requests through.',
  severity: 'high',
  resourceType: 'AWS::S3::Bucket',
  triggerTypes: [],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '1.3.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.4.4', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '7.2.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '7.3.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '7.3.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.4.2', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '7.2.2', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '7.2.5', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '7.3.3', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(a)(1)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.308(a)(3)(i)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.308(a)(4)(i)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.308(a)(4)(ii)(B)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.308(a)(4)(ii)(C)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'evidence' },
  ],
  parameters,
  remediation:
    'Add a Deny statement for Principal "*" and Action "s3:*" on both the bucket ARN and its objects (bucket/*), conditioned with StringNotEquals on aws:SourceVpce (your S3 endpoint ids) or aws:SourceVpc/aws:SourceVpcArn. Do not AND other keys into it; if you need a break-glass role or AWS service access, add aws:PrincipalArn or aws:ViaAWSService to the Deny and list those keys in exemptionConditionKeys. Apply the policy from inside the VPC, or keep the break-glass exception, so you do not lock yourself out.',
  remediationExample: REMEDIATION_EXAMPLE,
  iamActions: [...BUCKET_READ_ACTIONS, 'ec2:DescribeVpcEndpoints'],
  async evaluate(bucket, view, params) {
    const verdict = evaluateBucketGuard(bucket, params, guardSpec(params));
    if (!params.verifyEndpoints || verdict.compliance !== 'COMPLIANT') return verdict;
    if (bucket.policy.kind !== 'present') return verdict;
    const problems = await endpointProblems(namedEndpointIds(bucket.policy.text), view);
    if (problems.length === 0) return verdict;
    return nonCompliant(
      `Bucket ${bucket.name} names endpoints that do not protect it: ${problems.join('; ')}. List only this account's S3 endpoints in aws:SourceVpce.`,
    );
  },
});

export { s3BucketPolicyVpceOnly };

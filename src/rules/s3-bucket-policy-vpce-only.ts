import { PolicyParseError } from '../errors.js';
import type { Verdict } from '../model/compliance.js';
import { compliant, nonCompliant, notApplicable, unverifiable } from '../model/compliance.js';
import type { Bucket } from '../model/resources.js';
import type { ConditionEntry, PolicyDocument } from '../policy/document.js';
import { parsePolicy } from '../policy/document.js';
import {
  describeExemptions,
  describeGap,
  describeGuards,
  describeRejections,
  type ExplainWords,
} from '../policy/explain.js';
import {
  analyseGuards,
  type GuardAnalysis,
  type GuardTarget,
  matchesOutsideValues,
  matchesWhenAbsent,
} from '../policy/guard.js';
import { hasWildcard } from '../policy/wildcard.js';
import { bucketArn, bucketOutOfScope, bucketScopeParams } from './bucket-scope.js';
import type { ParamsOf } from './params.js';
import { defineRule } from './rule.js';

const RULE_ID = 's3-bucket-policy-vpce-only';

const NETWORK_KEYS = ['aws:sourcevpce', 'aws:sourcevpc', 'aws:sourcevpcarn'] as const;
type NetworkKey = (typeof NETWORK_KEYS)[number];

/** Values no sane policy allows, used to ask "is a request from elsewhere denied?". */
const OUTSIDE_PROBES: Record<NetworkKey, string[]> = {
  'aws:sourcevpce': ['vpce-00000000000000000'],
  'aws:sourcevpc': ['vpc-00000000000000000'],
  'aws:sourcevpcarn': ['arn:aws:ec2:us-east-1:000000000000:vpc/vpc-00000000000000000'],
};

const parameters = {
  allowedVpceIds: {
    type: 'list',
    description:
      'VPC endpoint ids the bucket policy may allow (aws:SourceVpce values). When set, every value in the condition must be one of these; wildcard values are NON_COMPLIANT.',
    pattern: /^vpce-[0-9a-f]{8,17}$/,
  },
  allowedVpcIds: {
    type: 'list',
    description:
      'VPC ids the bucket policy may allow (aws:SourceVpc values, or the VPC in aws:SourceVpcArn). When set, every value must be one of these; wildcard values are NON_COMPLIANT.',
    pattern: /^vpc-[0-9a-f]{8,17}$/,
  },
  exemptionConditionKeys: {
    type: 'list',
    description:
      'Condition keys that may be ANDed into the Deny as accepted exceptions, for example aws:PrincipalArn (break-glass role) and aws:ViaAWSService (AWS services acting for a principal). aws:PrincipalArn also accepts NotPrincipal.',
    pattern: /^[A-Za-z0-9-]+:[A-Za-z0-9/_.:-]+$/,
  },
  ...bucketScopeParams,
} as const;

type Params = ParamsOf<typeof parameters>;

const REMEDIATION_EXAMPLE = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyOutsideVpce',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::amzn-s3-demo-bucket', 'arn:aws:s3:::amzn-s3-demo-bucket/*'],
        Condition: {
          StringNotEquals: { 'aws:SourceVpce': ['vpce-0a1b2c3d4e5f67890'] },
          ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/BreakGlass' },
        },
      },
    ],
  },
  null,
  2,
);

const FIX =
  'Add a Deny for Principal "*", Action "s3:*" on the bucket and bucket/* ARNs with StringNotEquals on aws:SourceVpce (or aws:SourceVpc/aws:SourceVpcArn).';

const vpcIdOfArn = (arn: string): string | undefined => /vpc\/(vpc-[0-9a-z*?]+)$/.exec(arn)?.[1];

/** The allow-list check of one network entry's values (each one must be listed, none a wildcard). */
const allowListProblem = (entry: ConditionEntry, params: Params): string | undefined => {
  const key = entry.keyLower as NetworkKey;
  const list = key === 'aws:sourcevpce' ? params.allowedVpceIds : params.allowedVpcIds;
  const listName = key === 'aws:sourcevpce' ? 'allowedVpceIds' : 'allowedVpcIds';
  if (list.length === 0) return undefined;
  for (const value of entry.values) {
    const id = key === 'aws:sourcevpcarn' ? (vpcIdOfArn(value) ?? value) : value;
    if (hasWildcard(value)) {
      return `${entry.key} value "${value}" is a wildcard, so endpoints or VPCs outside ${listName} (${list.join(', ')}) are let through`;
    }
    if (!list.includes(id)) {
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
  if (!matchesOutsideValues(entry, OUTSIDE_PROBES[entry.keyLower as NetworkKey])) {
    return `${what} does not match requests through other VPC endpoints or VPCs, so those are not denied; use StringNotEquals with the allowed ids`;
  }
  return allowListProblem(entry, params);
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
  return values.size === 0
    ? 'unconditionally (the Deny has no network condition)'
    : `from outside ${[...values].join(' and ')}`;
};

const compliantVerdict = (bucket: Bucket, analysis: GuardAnalysis, params: Params): Verdict => {
  const wildcard =
    params.allowedVpceIds.length === 0 &&
    params.allowedVpcIds.length === 0 &&
    analysis.guards.some((guard) =>
      guard.statement.conditions.some(
        (entry) =>
          (NETWORK_KEYS as readonly string[]).includes(entry.keyLower) &&
          entry.values.some(hasWildcard),
      ),
    );
  return compliant(
    [
      `Bucket ${bucket.name}: ${describeGuards(analysis)} every S3 action on the bucket and its objects ${describeGuardValues(analysis)}.`,
      describeExemptions(analysis),
      wildcard ? 'Values use wildcards; set allowedVpceIds/allowedVpcIds to pin them.' : '',
    ]
      .filter((part) => part !== '')
      .join(' '),
  );
};

const nonCompliantVerdict = (bucket: Bucket, analysis: GuardAnalysis): Verdict => {
  const rejections = describeRejections(analysis, WORDS);
  if (analysis.guards.length === 0) {
    const reason =
      rejections.length > 0
        ? rejections.join('; ')
        : 'no Deny statement is conditioned on aws:SourceVpce, aws:SourceVpc or aws:SourceVpcArn';
    return nonCompliant(
      `Bucket ${bucket.name} accepts requests from outside your VPC endpoints: ${reason}. ${FIX}`,
    );
  }
  const gaps = analysis.gaps.map((gap) => describeGap(gap, WORDS));
  const also = rejections.length > 0 ? ` Also: ${rejections.join('; ')}.` : '';
  return nonCompliant(
    `Bucket ${bucket.name} accepts some requests from outside your VPC endpoints: ${gaps.join('; ')}.${also}`,
  );
};

const analyse = (bucket: Bucket, policy: PolicyDocument, params: Params): Verdict => {
  const arn = bucketArn(bucket);
  const targets: GuardTarget[] = [
    { label: 'the bucket', resource: arn },
    { label: 'its objects', resource: `${arn}/*` },
  ];
  const analysis = analyseGuards(policy, {
    guardKeys: NETWORK_KEYS,
    checkGuardEntry: (entry) => checkNetworkEntry(entry, params),
    exemptKeys: params.exemptionConditionKeys.map((key) => key.toLowerCase()),
    actions: 's3:*',
    targets,
  });
  return analysis.complete
    ? compliantVerdict(bucket, analysis, params)
    : nonCompliantVerdict(bucket, analysis);
};

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
  iamActions: [
    's3:GetBucketPolicy',
    's3:GetBucketTagging',
    's3:ListAllMyBuckets',
    'config:BatchGetResourceConfig',
    'config:ListDiscoveredResources',
  ],
  async evaluate(bucket, _view, params) {
    const outOfScope = bucketOutOfScope(bucket, params);
    if (outOfScope !== undefined) return notApplicable(outOfScope);
    const source = bucket.policy;
    if (source.kind === 'unreadable') {
      return unverifiable(
        `Could not verify the bucket policy of ${bucket.name}: reading it was denied (${source.reason}). A VPC-endpoint-only policy often blocks the scanner itself: run the scan inside the VPC through the allowed endpoint, or exempt the scanner's role with aws:PrincipalArn in the Deny and list aws:PrincipalArn in exemptionConditionKeys.`,
      );
    }
    if (source.kind === 'absent') {
      return nonCompliant(
        `Bucket ${bucket.name} has no bucket policy, so nothing denies requests from outside your VPC endpoints. ${FIX}`,
      );
    }
    let policy: PolicyDocument;
    try {
      policy = parsePolicy(source.text);
    } catch (error) {
      if (!(error instanceof PolicyParseError)) throw error;
      return nonCompliant(
        `The bucket policy of ${bucket.name} cannot be analysed (${error.message}), so it cannot be shown to deny requests from outside your VPC endpoints.`,
      );
    }
    return analyse(bucket, policy, params);
  },
});

export { s3BucketPolicyVpceOnly };

import { PolicyParseError } from '../errors.js';
import type { Verdict } from '../model/compliance.js';
import { compliant, nonCompliant, notApplicable, unverifiable } from '../model/compliance.js';
import type { Bucket } from '../model/resources.js';
import { conditionEntryMatches } from '../policy/condition.js';
import type { ConditionEntry, PolicyDocument } from '../policy/document.js';
import { parsePolicy } from '../policy/document.js';
import {
  describeExemptions,
  describeGap,
  describeGuards,
  describeRejections,
  type ExplainWords,
} from '../policy/explain.js';
import { analyseGuards, type GuardAnalysis } from '../policy/guard.js';
import { bucketArn, bucketOutOfScope, bucketScopeParams } from './bucket-scope.js';
import type { ParamsOf } from './params.js';
import { defineRule } from './rule.js';

const SECURE_TRANSPORT = 'aws:securetransport';

const parameters = {
  exemptionConditionKeys: {
    type: 'list',
    description:
      'Condition keys that may be ANDed into the TLS Deny as accepted exceptions (for example aws:PrincipalArn). aws:PrincipalArn also accepts NotPrincipal.',
    pattern: /^[A-Za-z0-9-]+:[A-Za-z0-9/_.:-]+$/,
  },
  ...bucketScopeParams,
} as const;

type Params = ParamsOf<typeof parameters>;

const WORDS: ExplainWords = {
  guard: 'TLS Deny',
  actions: 'S3 actions',
  allActions: 's3:*',
  exemptionParam: 'exemptionConditionKeys',
};

const REMEDIATION_EXAMPLE = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::amzn-s3-demo-bucket', 'arn:aws:s3:::amzn-s3-demo-bucket/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  },
  null,
  2,
);

const FIX =
  'Add a Deny for Principal "*", Action "s3:*" on the bucket and bucket/* ARNs with Bool {"aws:SecureTransport": "false"}.';

/** The entry must match a plain-HTTP request, in which aws:SecureTransport is "false". */
const checkTlsEntry = (entry: ConditionEntry): string | undefined =>
  conditionEntryMatches(entry, { [SECURE_TRANSPORT]: 'false' })
    ? undefined
    : `${entry.operator} ${entry.key} ${JSON.stringify(entry.values)} does not match plain-HTTP requests (aws:SecureTransport "false"), so they are not denied; use Bool with "false"`;

const compliantVerdict = (bucket: Bucket, analysis: GuardAnalysis): Verdict =>
  compliant(
    [
      `Bucket ${bucket.name}: ${describeGuards(analysis)} every S3 action on the bucket and its objects over plain HTTP (aws:SecureTransport false).`,
      describeExemptions(analysis),
    ]
      .filter((part) => part !== '')
      .join(' '),
  );

const nonCompliantVerdict = (bucket: Bucket, analysis: GuardAnalysis): Verdict => {
  const rejections = describeRejections(analysis, WORDS);
  if (analysis.guards.length === 0) {
    const reason =
      rejections.length > 0
        ? rejections.join('; ')
        : 'no Deny statement is conditioned on aws:SecureTransport being false';
    return nonCompliant(`Bucket ${bucket.name} accepts plain-HTTP requests: ${reason}. ${FIX}`);
  }
  const gaps = analysis.gaps.map((gap) => describeGap(gap, WORDS));
  const also = rejections.length > 0 ? ` Also: ${rejections.join('; ')}.` : '';
  return nonCompliant(
    `Bucket ${bucket.name} accepts some plain-HTTP requests: ${gaps.join('; ')}.${also}`,
  );
};

const analyse = (bucket: Bucket, policy: PolicyDocument, params: Params): Verdict => {
  const arn = bucketArn(bucket);
  const analysis = analyseGuards(policy, {
    guardKeys: [SECURE_TRANSPORT],
    checkGuardEntry: checkTlsEntry,
    exemptKeys: params.exemptionConditionKeys.map((key) => key.toLowerCase()),
    actions: 's3:*',
    targets: [
      { label: 'the bucket', resource: arn },
      { label: 'its objects', resource: `${arn}/*` },
    ],
  });
  return analysis.complete
    ? compliantVerdict(bucket, analysis)
    : nonCompliantVerdict(bucket, analysis);
};

const s3BucketPolicyTlsOnly = defineRule({
  id: 's3-bucket-policy-tls-only',
  title: 'S3 buckets should deny requests that do not use TLS',
  description:
    'Checks that the bucket policy denies every S3 action on the bucket and its objects, for every principal, when aws:SecureTransport is false (Bool or BoolIfExists). Split statements count together; a Deny narrowed by another ANDed condition key does not count unless that key is listed in exemptionConditionKeys.',
  rationale:
    'Without an explicit Deny, S3 accepts plain-HTTP requests: object data and request signatures cross the network unencrypted and can be read or replayed by anyone on the path. Inside a VPC this is defence in depth; through a NAT gateway or the internet it is the only guarantee.',
  severity: 'medium',
  resourceType: 'AWS::S3::Bucket',
  triggerTypes: [],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '4.2.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '2.2.7', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '8.3.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.2.5', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '2.2.5', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(e)(2)(i)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(e)(2)(ii)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(a)(2)(iv)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(c)(2)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(c)(1)', strength: 'supporting' },
  ],
  parameters,
  remediation:
    'Add a Deny statement for Principal "*" and Action "s3:*" on both the bucket ARN and its objects (bucket/*), conditioned with Bool {"aws:SecureTransport": "false"}. Keep other condition keys out of that statement.',
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
        `Could not verify the bucket policy of ${bucket.name}: reading it was denied (${source.reason}). If the bucket policy limits access to VPC endpoints, run the scan inside the VPC through the allowed endpoint, or exempt the scanner's role in that Deny.`,
      );
    }
    if (source.kind === 'absent') {
      return nonCompliant(
        `Bucket ${bucket.name} has no bucket policy, so plain-HTTP requests are not denied. ${FIX}`,
      );
    }
    let policy: PolicyDocument;
    try {
      policy = parsePolicy(source.text);
    } catch (error) {
      if (!(error instanceof PolicyParseError)) throw error;
      return nonCompliant(
        `The bucket policy of ${bucket.name} cannot be analysed (${error.message}), so it cannot be shown to deny plain-HTTP requests.`,
      );
    }
    return analyse(bucket, policy, params);
  },
});

export { s3BucketPolicyTlsOnly };

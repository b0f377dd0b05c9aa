import { conditionEntryMatches } from '../policy/condition.js';
import type { ConditionEntry } from '../policy/document.js';
import type { ExplainWords } from '../policy/explain.js';
import {
  BUCKET_READ_ACTIONS,
  type BucketGuardSpec,
  evaluateBucketGuard,
} from './bucket-policy-guard.js';
import { bucketScopeParams } from './bucket-scope.js';
import { policyDocument, tlsOnlyStatement } from './example-policies.js';
import type { ParamsOf } from './params.js';
import { defineRule } from './rule.js';

const SECURE_TRANSPORT = 'aws:securetransport';

const parameters = {
  exemptionConditionKeys: {
    type: 'list',
    description:
      'Condition keys that may be ANDed into the TLS Deny as accepted exceptions (for example aws:PrincipalArn). Such an entry may only carve named principals out of the Deny (ArnNotLike aws:PrincipalArn); one that restricts the Deny to a few principals (StringEquals aws:PrincipalArn) is NON_COMPLIANT. aws:PrincipalArn also accepts NotPrincipal.',
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
  policyDocument([tlsOnlyStatement('amzn-s3-demo-bucket')]),
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

const GUARD_SPEC: BucketGuardSpec = {
  guardKeys: [SECURE_TRANSPORT],
  checkGuardEntry: checkTlsEntry,
  words: WORDS,
  accepts: 'plain-HTTP requests',
  noGuard: 'no Deny statement is conditioned on aws:SecureTransport being false',
  fix: FIX,
  unreadableAdvice:
    "If the bucket policy limits access to VPC endpoints, run the scan inside the VPC through the allowed endpoint, or exempt the scanner's role in that Deny.",
  mustShow: 'deny plain-HTTP requests',
  describeScope: () => 'over plain HTTP (aws:SecureTransport false)',
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
  iamActions: BUCKET_READ_ACTIONS,
  async evaluate(bucket, _view, params: Params) {
    return evaluateBucketGuard(bucket, params, GUARD_SPEC);
  },
});

export { s3BucketPolicyTlsOnly };

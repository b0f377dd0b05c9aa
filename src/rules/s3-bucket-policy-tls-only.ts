import { EXEMPTIONS_DESCRIPTION, validateExemptions } from '../policy/exemptions.js';
import {
  BUCKET_READ_ACTIONS,
  type BucketGuardSpec,
  evaluateBucketGuard,
} from './bucket-policy-guard.js';
import { bucketScopeParams } from './bucket-scope.js';
import { policyDocument, tlsOnlyStatement } from './example-policies.js';
import type { ParamsOf } from './params.js';
import { defineRule } from './rule.js';

const parameters = {
  exemptions: {
    type: 'object',
    description: EXEMPTIONS_DESCRIPTION,
    validate: validateExemptions,
  },
  ...bucketScopeParams,
} as const;

type Params = ParamsOf<typeof parameters>;

const REMEDIATION_EXAMPLE = JSON.stringify(
  policyDocument([tlsOnlyStatement('amzn-s3-demo-bucket')]),
  null,
  2,
);

const FIX =
  'Add a Deny for Principal "*", Action "s3:*" on the bucket and bucket/* with Bool {"aws:SecureTransport": "false"}.';

const GUARD_SPEC: BucketGuardSpec = {
  fence: { kind: 'tls' },
  outside: 'plain-HTTP requests',
  fenceKeys: ['aws:securetransport'],
  fenceAdvice: 'Condition the Deny on Bool {"aws:SecureTransport": "false"}.',
  fix: FIX,
  unreadableAdvice:
    "If the bucket policy limits access to VPC endpoints, run the scan inside the VPC through the allowed endpoint, or carve the scanner's role out of that Deny and list it in exemptions.",
  describeFence: () => 'over plain HTTP (aws:SecureTransport false)',
};

const s3BucketPolicyTlsOnly = defineRule({
  id: 's3-bucket-policy-tls-only',
  title: 'S3 buckets should deny requests that do not use TLS',
  description:
    'Checks that every plain-HTTP request (aws:SecureTransport false) to the bucket and its objects that is not an accepted exemption is denied by the bucket policy. The policy is analysed as sets of requests: split statements count together, NotAction/NotResource/NotPrincipal, every condition operator, IfExists and ANDed carve-outs are taken into account, and what cannot be decided counts as letting requests in. Every NON_COMPLIANT verdict carries one concrete request that gets through.',
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
    'Add a Deny statement for Principal "*" and Action "s3:*" on both the bucket ARN and its objects (bucket/*), conditioned with Bool {"aws:SecureTransport": "false"}. Carve out only what the exemptions parameter accepts. `vpce-guard fix --bucket NAME` prints the policy with the missing statement appended.',
  remediationExample: REMEDIATION_EXAMPLE,
  iamActions: BUCKET_READ_ACTIONS,
  async evaluate(bucket, _view, params: Params) {
    return evaluateBucketGuard(bucket, params, GUARD_SPEC);
  },
  evaluateSync(bucket, _reads, params: Params) {
    return evaluateBucketGuard(bucket, params, GUARD_SPEC);
  },
});

export { s3BucketPolicyTlsOnly };

import { type Counterexample, nonCompliant } from '../model/compliance.js';
import type { Bucket } from '../model/resources.js';
import { isLiveEndpoint } from '../network/gateway-endpoints.js';
import { matchesService } from '../network/service-name.js';
import { parsePolicy } from '../policy/document.js';
import { EXEMPTIONS_DESCRIPTION, validateExemptions } from '../policy/exemptions.js';
import { fitAnnotation } from '../policy/explain.js';
import type { FenceResult } from '../policy/fence.js';
import { hasWildcard } from '../policy/wildcard.js';
import type { AccountView } from '../sources/view.js';
import {
  BUCKET_READ_ACTIONS,
  type BucketGuardSpec,
  evaluateBucketGuard,
} from './bucket-policy-guard.js';
import { bucketArn, bucketScopeParams } from './bucket-scope.js';
import { policyDocument, vpceOnlyStatement } from './example-policies.js';
import type { ParamsOf } from './params.js';
import { defineRule } from './rule.js';

const RULE_ID = 's3-bucket-policy-vpce-only';

const NETWORK_KEYS = [
  'aws:sourcevpce',
  'aws:sourcevpc',
  'aws:sourcevpcarn',
  'aws:vpceaccount',
  'aws:vpceorgid',
  'aws:vpceorgpaths',
];

const parameters = {
  allowedVpceIds: {
    type: 'list',
    description:
      'VPC endpoint ids (wildcards * and ? allowed) that requests may come through. When this list or allowedVpcIds is set, the approved network is exactly these endpoints and VPCs: a Deny whose aws:SourceVpce/aws:SourceVpc values (wildcards included) let other endpoints or VPCs through is NON_COMPLIANT. When neither is set, the literal endpoint and VPC ids the Deny names are the approved network, and wildcard values are NON_COMPLIANT (anyone can create endpoints until one matches).',
    pattern: /^vpce-[0-9a-f*?]{1,17}$/,
  },
  allowedVpcIds: {
    type: 'list',
    description:
      'VPC ids (wildcards allowed) that requests may come from (aws:SourceVpc, or the VPC of aws:SourceVpcArn). See allowedVpceIds.',
    pattern: /^vpc-[0-9a-f*?]{1,17}$/,
  },
  trustedAccountIds: {
    type: 'list',
    description:
      "Accounts besides the bucket's own whose VPCs and endpoints count as approved for aws:SourceVpcArn and aws:VpceAccount fences. Used only when neither allowedVpceIds nor allowedVpcIds is set: pinned ids are the whole approved network.",
    pattern: /^\d{12}$/,
  },
  trustedOrgIds: {
    type: 'list',
    description:
      'AWS Organizations ids (o-...) whose endpoints count as approved for aws:VpceOrgID and aws:VpceOrgPaths fences. Used only when neither allowedVpceIds nor allowedVpcIds is set: pinned ids are the whole approved network.',
    pattern: /^o-[a-z0-9]{10,32}$/,
  },
  exemptions: {
    type: 'object',
    description: EXEMPTIONS_DESCRIPTION,
    validate: validateExemptions,
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

/** A request through an endpoint the account does not own: what a named foreign id admits. */
const throughEndpoint = (bucket: Bucket, id: string): Counterexample => {
  const arn = bucketArn(bucket);
  const partition = arn.split(':')[1] ?? 'aws';
  const principal = `arn:${partition}:iam::999999999999:user/x`;
  return {
    principal,
    action: 's3:GetObject',
    resource: `${arn}/key`,
    context: {
      'aws:PrincipalArn': principal,
      'aws:PrincipalAccount': '999999999999',
      'aws:SourceVpce': id,
      'aws:SourceIp': null,
      'aws:SecureTransport': 'true',
    },
  };
};

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
const endpointProblems = async (
  ids: readonly string[],
  view: AccountView,
): Promise<{ id: string; text: string }[]> => {
  const problems: { id: string; text: string }[] = [];
  for (const id of ids) {
    const endpoint = await view.get('AWS::EC2::VPCEndpoint', id);
    if (!endpoint) {
      problems.push({
        id,
        text: `${id} is not a VPC endpoint of this account and region, so it may be another account's endpoint and requests through it are let in`,
      });
    } else if (!matchesService(endpoint.serviceName, 's3')) {
      problems.push({ id, text: `${id} is an endpoint for ${endpoint.serviceName}, not S3` });
    } else if (!isLiveEndpoint(endpoint)) {
      problems.push({ id, text: `${id} is ${endpoint.state}` });
    }
  }
  return problems;
};

// The recommended Deny, with the default exemptions written out as carve-outs.
const REMEDIATION_EXAMPLE = JSON.stringify(
  policyDocument([
    vpceOnlyStatement('amzn-s3-demo-bucket', ['vpce-0a1b2c3d4e5f67890'], '111122223333'),
  ]),
  null,
  2,
);

const FIX =
  'Add a Deny for Principal "*", Action "s3:*" on the bucket and bucket/* with StringNotEquals aws:SourceVpce (or aws:SourceVpc) set to your ids.';

/** The network values the covering Deny statements name, for the compliant annotation. */
const describeFence = (result: FenceResult): string => {
  const values = new Set<string>();
  for (const statement of result.denies) {
    for (const entry of statement.conditions) {
      if (NETWORK_KEYS.includes(entry.keyLower))
        values.add(`${entry.key} ${entry.values.join('|')}`);
    }
  }
  return values.size > 0 ? `from outside ${[...values].join(' and ')}` : 'from any network';
};

// One spec per parameter value, so the guard's per-spec memos hold across a scan's buckets.
const specs = new WeakMap<Params, BucketGuardSpec>();

const guardSpec = (params: Params): BucketGuardSpec => {
  let spec = specs.get(params);
  if (spec === undefined) {
    spec = specOf(params);
    specs.set(params, spec);
  }
  return spec;
};

const specOf = (params: Params): BucketGuardSpec => ({
  fence: {
    kind: 'network',
    allowedVpceIds: params.allowedVpceIds,
    allowedVpcIds: params.allowedVpcIds,
    trustedAccountIds: params.trustedAccountIds,
    trustedOrgIds: params.trustedOrgIds,
  },
  outside: 'requests from outside the approved VPC endpoints',
  fenceKeys: NETWORK_KEYS,
  fenceAdvice:
    'Use StringNotEquals with only your own endpoint or VPC ids (pin them with allowedVpceIds/allowedVpcIds).',
  fix: FIX,
  unreadableAdvice:
    "A VPC-endpoint-only policy often blocks the scanner itself: run the scan inside the VPC through the allowed endpoint, or carve the scanner's role out of the Deny with aws:PrincipalArn and list it in exemptions.",
  describeFence,
});

const s3BucketPolicyVpceOnly = defineRule({
  id: RULE_ID,
  title: 'S3 buckets should deny access from outside approved VPC endpoints',
  description:
    'Checks that every request to the bucket and its objects that does not arrive through an approved VPC endpoint or VPC, and is not an accepted exemption, is denied by the bucket policy. The policy is analysed as sets of requests, not probed: Principal/NotPrincipal, Action/NotAction (every S3 action AWS documents), Resource/NotResource, every condition operator with its case rules, IfExists, ForAllValues/ForAnyValue, policy variables, aws:SourceVpce/SourceVpc/SourceVpcArn and aws:VpceAccount/VpceOrgID/VpceOrgPaths fences. What it cannot decide counts as letting requests in. Every NON_COMPLIANT verdict carries one concrete request that gets through.',
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
    'Add a Deny statement for Principal "*" and Action "s3:*" on both the bucket ARN and its objects (bucket/*), conditioned with StringNotEquals on aws:SourceVpce (your S3 endpoint ids) or aws:SourceVpc. Carve out only what the exemptions parameter accepts (by default AWS service principals, AWS services acting for a caller and the account\'s service-linked roles). `vpce-guard fix --bucket NAME` prints the policy with the missing statement appended. Apply it from inside the VPC so you do not lock yourself out.',
  remediationExample: REMEDIATION_EXAMPLE,
  iamActions: [...BUCKET_READ_ACTIONS, 'ec2:DescribeVpcEndpoints'],
  evaluateSync(bucket, _reads, params) {
    const verdict = evaluateBucketGuard(bucket, params, guardSpec(params));
    // Checking the named endpoints reads the view: that one goes the asynchronous way.
    const verifies =
      params.verifyEndpoints &&
      verdict.compliance === 'COMPLIANT' &&
      bucket.policy.kind === 'present';
    return verifies ? undefined : verdict;
  },
  async evaluate(bucket, view, params) {
    const verdict = evaluateBucketGuard(bucket, params, guardSpec(params));
    if (!params.verifyEndpoints || verdict.compliance !== 'COMPLIANT') return verdict;
    if (bucket.policy.kind !== 'present') return verdict;
    const problems = await endpointProblems(namedEndpointIds(bucket.policy.text), view);
    if (problems.length === 0) return verdict;
    const [first] = problems;
    const text = `Bucket ${bucket.name} names endpoints that do not protect it: ${problems.map((p) => p.text).join('; ')}. List only this account's S3 endpoints in aws:SourceVpce.`;
    return {
      ...nonCompliant(
        fitAnnotation(
          text,
          `Bucket ${bucket.name} names ${first?.id}, not an available S3 endpoint of this account, so requests through it get in. List only this account's S3 endpoints.`,
        ),
      ),
      detail: text,
      counterexample: first === undefined ? undefined : throughEndpoint(bucket, first.id),
    };
  },
});

export { s3BucketPolicyVpceOnly };

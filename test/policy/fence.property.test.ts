import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/document.js';
import { analyseFence, type Exemptions, type Fence } from '../../src/policy/fence.js';
import { S3_ACTIONS } from '../../src/policy/s3-actions.generated.js';
import { arnLike, decide, fromCounterexample, inCidr, type OracleRequest } from './oracle.js';

/*
 * Soundness of the bucket-policy analyser against the plain evaluator in ./oracle.ts, over
 * generated policies: every counterexample is an outside, unexempted request the policy does not
 * deny; and when the verdict is COMPLIANT, generated outside requests are always denied.
 */

const ACCOUNT = '111122223333';
const BUCKET = 'acme-data';
const ARN = `arn:aws:s3:::${BUCKET}`;
const VPCE = 'vpce-0a1b2c3d4e5f67890';
const VPC = 'vpc-0f1e2d3c4b5a69788';
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/BreakGlass`;
const SERVICE_ROLES = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/*`;

const bucket = { name: BUCKET, arn: ARN, partition: 'aws', account: ACCOUNT };

const EXEMPTION_SETS: Exemptions[] = [
  {
    'aws:PrincipalIsAWSService': ['true'],
    'aws:ViaAWSService': ['true'],
    'aws:PrincipalArn': [SERVICE_ROLES],
  },
  { 'aws:PrincipalArn': [BREAK_GLASS], 'aws:SourceIp': ['203.0.113.0/24'] },
  {},
];

const FENCES: Fence[] = [
  {
    kind: 'network',
    allowedVpceIds: [],
    allowedVpcIds: [],
    trustedAccountIds: [],
    trustedOrgIds: [],
  },
  { kind: 'tls' },
];

const condition = fc.oneof(
  fc.record({
    op: fc.constantFrom(
      'StringNotEquals',
      'StringNotEqualsIfExists',
      'StringNotLike',
      'StringEquals',
      'StringLike',
      'StringNotEqualsIgnoreCase',
      'ForAnyValue:StringNotEquals',
      'Null',
    ),
    key: fc.constant('aws:SourceVpce'),
    values: fc.subarray([VPCE, 'vpce-0a*', '*', 'vpce-1?', VPCE.toUpperCase(), 'true', 'false'], {
      minLength: 1,
      maxLength: 2,
    }),
  }),
  fc.record({
    op: fc.constantFrom('StringNotEquals', 'StringNotEqualsIfExists', 'StringNotLike'),
    key: fc.constant('aws:SourceVpc'),
    values: fc.subarray([VPC, 'vpc-*', 'vpc-0f*'], { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    op: fc.constantFrom('IpAddress', 'NotIpAddress', 'NotIpAddressIfExists'),
    key: fc.constant('aws:SourceIp'),
    values: fc.subarray(['10.0.0.0/8', '0.0.0.0/1', '203.0.113.0/24', '::/0', '2001:db8::/32'], {
      minLength: 1,
      maxLength: 2,
    }),
  }),
  fc.record({
    op: fc.constantFrom(
      'ArnNotLike',
      'ArnLike',
      'StringNotLike',
      'StringNotEquals',
      'StringEquals',
    ),
    key: fc.constant('aws:PrincipalArn'),
    values: fc.subarray(
      [BREAK_GLASS, 'arn:aws:iam::*:user/*', SERVICE_ROLES, '*', `arn:aws:iam::${ACCOUNT}:*`],
      { minLength: 1, maxLength: 2 },
    ),
  }),
  fc.record({
    op: fc.constantFrom('StringNotEquals', 'StringEquals'),
    key: fc.constant('aws:PrincipalAccount'),
    values: fc.subarray([ACCOUNT, '444455556666'], { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    op: fc.constantFrom('Bool', 'BoolIfExists'),
    key: fc.constantFrom('aws:ViaAWSService', 'aws:PrincipalIsAWSService', 'aws:SecureTransport'),
    values: fc.subarray(['true', 'false'], { minLength: 1, maxLength: 1 }),
  }),
  fc.record({
    op: fc.constantFrom(
      'StringEquals',
      'StringEqualsIfExists',
      'ForAllValues:StringEquals',
      'ForAnyValue:StringEquals',
      'StringNotEquals',
    ),
    key: fc.constantFrom('aws:PrincipalOrgID', 'aws:VpceAccount', 'aws:PrincipalTag/team'),
    values: fc.subarray(['o-aaaaaaaaaa', ACCOUNT, 'payments'], { minLength: 1, maxLength: 2 }),
  }),
);

const statement = fc.record({
  Effect: fc.constantFrom('Deny', 'Deny', 'Deny', 'Allow'),
  principal: fc.constantFrom<Record<string, unknown>>(
    { Principal: '*' },
    { Principal: '*' },
    { Principal: { AWS: '*' } },
    { Principal: { AWS: ACCOUNT } },
    { NotPrincipal: { AWS: BREAK_GLASS } },
    { Principal: { Service: 'cloudtrail.amazonaws.com' } },
  ),
  action: fc.constantFrom<Record<string, unknown>>(
    { Action: 's3:*' },
    { Action: 's3:*' },
    { Action: '*' },
    { Action: ['s3:GetObject', 's3:PutObject'] },
    { Action: 's3:Get*' },
    { NotAction: 's3:GetObject' },
    { NotAction: 'iam:*' },
  ),
  resource: fc.constantFrom<Record<string, unknown>>(
    { Resource: [ARN, `${ARN}/*`] },
    { Resource: [ARN, `${ARN}/*`] },
    { Resource: `${ARN}/*` },
    { Resource: '*' },
    { Resource: 'arn:aws:s3:::*' },
    { NotResource: 'arn:aws:s3:::other/*' },
    { NotResource: `${ARN}/public/*` },
  ),
  conditions: fc.array(condition, { maxLength: 3 }),
});

const policyOf = (
  statements: {
    Effect: string;
    principal: Record<string, unknown>;
    action: Record<string, unknown>;
    resource: Record<string, unknown>;
    conditions: { op: string; key: string; values: string[] }[];
  }[],
  version: string,
) => ({
  Version: version,
  Statement: statements.map((s, index) => {
    const block: Record<string, Record<string, string[]>> = {};
    for (const c of s.conditions) {
      block[c.op] = { ...(block[c.op] ?? {}), [c.key]: c.values };
    }
    return {
      Sid: `S${index}`,
      Effect: s.Effect,
      ...s.principal,
      ...s.action,
      ...s.resource,
      ...(s.conditions.length > 0 ? { Condition: block } : {}),
    };
  }),
});

const policy = fc.tuple(
  fc.array(statement, { minLength: 1, maxLength: 3 }),
  fc.constantFrom('2012-10-17', '2008-10-17'),
);

/** The literal endpoint/VPC ids the Deny statements name: the approved network when no list is set. */
const namedIds = (document: ReturnType<typeof policyOf>, key: string): string[] =>
  document.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) =>
    Object.values(
      (s as { Condition?: Record<string, Record<string, string[]>> }).Condition ?? {},
    ).flatMap((block) =>
      Object.entries(block)
        .filter(([k]) => k.toLowerCase() === key)
        .flatMap(([, values]) => values.filter((v) => !/[*?]/.test(v))),
    ),
  );

const ctx = (request: OracleRequest, key: string): string[] | undefined => {
  const raw = request.context[key];
  return raw === undefined ? undefined : Array.isArray(raw) ? raw : [raw];
};

/** Whether a request is one the fence must keep out: outside, not exempt, not the root's policy rights. */
const mustBeDenied = (
  request: OracleRequest,
  fence: Fence,
  exemptions: Exemptions,
  document: ReturnType<typeof policyOf>,
): boolean => {
  if (fence.kind === 'tls') {
    if (ctx(request, 'aws:securetransport')?.[0] !== 'false') return false;
  } else {
    const vpce = ctx(request, 'aws:sourcevpce')?.[0];
    const vpc = ctx(request, 'aws:sourcevpc')?.[0];
    const ids = namedIds(document, 'aws:sourcevpce');
    const vpcs = namedIds(document, 'aws:sourcevpc');
    if (vpce !== undefined && ids.some((id) => id.toLowerCase() === vpce.toLowerCase()))
      return false;
    if (vpc !== undefined && vpcs.includes(vpc)) return false;
    if (ctx(request, 'aws:vpceaccount')?.[0] === ACCOUNT) return false;
  }
  const arn = request.principal.arn;
  if (
    arn === `arn:aws:iam::${ACCOUNT}:root` &&
    /^s3:(Get|Put|Delete)BucketPolicy$/.test(request.action) &&
    request.resource === ARN
  )
    return false;
  for (const [key, values] of Object.entries(exemptions)) {
    const k = key.toLowerCase();
    if (k === 'aws:principalarn' && arn && values.some((v) => arnLike(v, arn))) return false;
    if (k === 'aws:principalisawsservice' && request.principal.service && values.includes('true'))
      return false;
    if (k === 'aws:viaawsservice' && ctx(request, k)?.[0] === 'true' && values.includes('true'))
      return false;
    const ip = ctx(request, 'aws:sourceip')?.[0];
    if (k === 'aws:sourceip' && ip && values.some((v) => inCidr(ip, v))) return false;
  }
  return true;
};

const objectActions = S3_ACTIONS.filter(([, on]) => on.includes('o')).map(([name]) => `s3:${name}`);
const bucketActions = S3_ACTIONS.filter(([, on]) => on.includes('b')).map(([name]) => `s3:${name}`);

const outsideRequest = fc
  .record({
    principal: fc.constantFrom<OracleRequest['principal']>(
      { arn: 'arn:aws:iam::999999999999:user/x' },
      { arn: 'arn:aws:iam::444455556666:role/r' },
      { arn: BREAK_GLASS },
      {
        arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
      },
      { arn: `arn:aws:iam::${ACCOUNT}:root` },
      { arn: `arn:aws:iam::${ACCOUNT}:user/alice` },
      { service: 'cloudtrail.amazonaws.com' },
      {},
    ),
    object: fc.boolean(),
    objectAction: fc.constantFrom(...objectActions),
    bucketAction: fc.constantFrom(...bucketActions),
    key: fc.constantFrom('key', 'public/x', 'a/b'),
    network: fc.constantFrom('direct', 'endpoint'),
    ip: fc.constantFrom('198.51.100.7', '10.1.2.3', '203.0.113.9', '2001:db8::1', '2600::1'),
    vpce: fc.constantFrom('vpce-0a9999', 'vpce-11', 'vpce-0fffffffffffffff0', VPCE),
    vpc: fc.constantFrom('vpc-0aaaa', VPC),
    tls: fc.constantFrom('true', 'false'),
    via: fc.constantFrom('true', 'false'),
    org: fc.constantFrom(undefined, 'o-aaaaaaaaaa', 'o-bbbbbbbbbb'),
    tag: fc.constantFrom(undefined, 'payments'),
  })
  .map((r): OracleRequest => {
    const context: Record<string, string | string[]> = {
      'aws:securetransport': r.tls,
      'aws:viaawsservice': r.via,
    };
    if (r.network === 'direct') context['aws:sourceip'] = r.ip;
    else {
      context['aws:sourcevpce'] = r.vpce;
      context['aws:sourcevpc'] = r.vpc;
      context['aws:vpceaccount'] = '999999999999';
    }
    if (r.principal.arn && r.org) context['aws:principalorgid'] = r.org;
    if (r.principal.arn && r.tag) context['aws:principaltag/team'] = r.tag;
    return {
      principal: r.principal,
      action: r.object ? r.objectAction : r.bucketAction,
      resource: r.object ? `${ARN}/${r.key}` : ARN,
      context,
    };
  });

describe('bucket-policy analyser against the plain evaluator', () => {
  it('never offers a counterexample the policy denies, or one that is inside or exempt', () => {
    fc.assert(
      fc.property(
        policy,
        fc.constantFrom(...FENCES),
        fc.constantFrom(...EXEMPTION_SETS),
        ([statements, version], fence, exemptions) => {
          const document = policyOf(statements, version);
          const result = analyseFence(
            parsePolicy(JSON.stringify(document)),
            bucket,
            fence,
            exemptions,
          );
          // Undecidable escapes are counted as getting in without proof; only decided ones are checked.
          for (const found of result.escapes.filter(
            (e) => !e.misses.some((m) => m.kind === 'undecided'),
          )) {
            const request = fromCounterexample(found.counterexample);
            expect(decide(document, request), JSON.stringify(found.counterexample)).not.toBe(
              'deny',
            );
            expect(
              mustBeDenied(request, fence, exemptions, document),
              JSON.stringify(found.counterexample),
            ).toBe(true);
          }
          expect(result.compliant).toBe(result.escapes.length === 0);
        },
      ),
      { numRuns: 1500 },
    );
  }, 300_000);

  it('denies every generated outside, unexempted request when it says COMPLIANT', () => {
    fc.assert(
      fc.property(
        policy,
        fc.constantFrom(...FENCES),
        fc.constantFrom(...EXEMPTION_SETS),
        fc.array(outsideRequest, { minLength: 20, maxLength: 20 }),
        ([statements, version], fence, exemptions, requests) => {
          const document = policyOf(statements, version);
          const result = analyseFence(
            parsePolicy(JSON.stringify(document)),
            bucket,
            fence,
            exemptions,
          );
          if (!result.compliant) return;
          for (const request of requests) {
            if (!mustBeDenied(request, fence, exemptions, document)) continue;
            expect(decide(document, request), JSON.stringify(request)).toBe('deny');
          }
        },
      ),
      { numRuns: 1500 },
    );
  }, 300_000);
});

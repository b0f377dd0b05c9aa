/**
 * Bucket-policy shapes of the synthetic accounts, each with the verdict AWS semantics give it for
 * the two bucket rules at their default parameters. The verdicts are ground truth by construction:
 * every shape either denies the whole class of outside (or plain-HTTP) requests on the bucket and
 * its objects for every principal, or visibly leaves a class of such requests allowed.
 */
import { tlsOnlyStatement, vpceOnlyStatement } from '../../src/rules/example-policies.js';
import type { Rng } from './synth-rng.js';

type Statement = Record<string, unknown>;

interface ShapeContext {
  bucket: string;
  /** S3 endpoint ids of the account (1-3 picked per bucket), or made-up ids when it has none. */
  vpces: string[];
  vpcId: string;
  account: string;
  rng: Rng;
}

interface BucketShape {
  id: string;
  /** Verdict of s3-bucket-policy-vpce-only: does some outside request go undenied? */
  vpceNonCompliant: boolean;
  /** Verdict of s3-bucket-policy-tls-only: does some plain-HTTP request go undenied? */
  tlsNonCompliant: boolean;
  /** The policy document, or null for a bucket without a policy. */
  build(ctx: ShapeContext): Record<string, unknown> | null;
}

const arnOf = (bucket: string) => `arn:aws:s3:::${bucket}`;
const vpceValue = (vpces: string[]) => (vpces.length === 1 ? vpces[0] : vpces);

const vpceDeny = (ctx: ShapeContext): Statement => vpceOnlyStatement(ctx.bucket, ctx.vpces);
const tlsDeny = (ctx: ShapeContext): Statement => tlsOnlyStatement(ctx.bucket);
const withCondition = (statement: Statement, condition: Record<string, unknown>): Statement => ({
  ...statement,
  Condition: condition,
});

/** An ordinary grant next to the guards: it changes no verdict, only makes every text differ. */
const roleAllow = (ctx: ShapeContext): Statement => ({
  Sid: `AllowApp${ctx.rng.int(1000)}`,
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ctx.account}:role/app-${ctx.rng.hex(6)}` },
  Action: ctx.rng.pick([['s3:GetObject'], ['s3:GetObject', 's3:PutObject'], ['s3:ListBucket']]),
  Resource: ctx.rng.pick([arnOf(ctx.bucket), `${arnOf(ctx.bucket)}/*`]),
});

const doc = (ctx: ShapeContext, statements: Statement[]): Record<string, unknown> => {
  // Half the policies carry an extra grant, in a random position: realistic, and verdict-neutral.
  const all = [...statements];
  if (ctx.rng.chance(0.5)) all.splice(ctx.rng.int(all.length + 1), 0, roleAllow(ctx));
  return { Version: '2012-10-17', Statement: all };
};

const shape = (
  id: string,
  vpceNonCompliant: boolean,
  tlsNonCompliant: boolean,
  statements: ((ctx: ShapeContext) => Statement[]) | null,
): BucketShape => ({
  id,
  vpceNonCompliant,
  tlsNonCompliant,
  build: (ctx) => (statements ? doc(ctx, statements(ctx)) : null),
});

const BUCKET_SHAPES: readonly BucketShape[] = [
  shape('no-policy', true, true, null),
  shape('recommended', false, false, (c) => [vpceDeny(c), tlsDeny(c)]),
  shape('tls-deny-only', true, false, (c) => [tlsDeny(c)]),
  shape('vpce-deny-only', false, true, (c) => [vpceDeny(c)]),
  // The grammar allows one statement object instead of a list.
  {
    id: 'single-statement-object',
    vpceNonCompliant: false,
    tlsNonCompliant: true,
    build: (c) => ({ Version: '2012-10-17', Statement: vpceDeny(c) }),
  },
  // Bucket-level actions (ListBucket, PutBucketPolicy) from outside are not denied.
  shape('vpce-deny-objects-only', true, false, (c) => [
    { ...vpceDeny(c), Resource: `${arnOf(c.bucket)}/*` },
    tlsDeny(c),
  ]),
  // An Allow grants; it never stops an IAM principal that is allowed elsewhere.
  shape('vpce-allow-not-deny', true, false, (c) => [
    {
      Sid: 'AllowFromVpce',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:*',
      Resource: [arnOf(c.bucket), `${arnOf(c.bucket)}/*`],
      Condition: { StringEquals: { 'aws:SourceVpce': vpceValue(c.vpces) } },
    },
    tlsDeny(c),
  ]),
  // Denies only what comes through the endpoint: the opposite of the intent.
  shape('vpce-deny-inverted', true, false, (c) => [
    withCondition(vpceDeny(c), { StringEquals: { 'aws:SourceVpce': vpceValue(c.vpces) } }),
    tlsDeny(c),
  ]),
  // PutObject and every other action from outside are not denied.
  shape('vpce-deny-getobject-only', true, false, (c) => [
    { ...vpceDeny(c), Action: 's3:GetObject' },
    tlsDeny(c),
  ]),
  shape('split-statements', false, false, (c) => [
    { ...vpceDeny(c), Sid: 'DenyOutsideVpceBucket', Resource: arnOf(c.bucket) },
    { ...vpceDeny(c), Sid: 'DenyOutsideVpceObjects', Resource: `${arnOf(c.bucket)}/*` },
    { ...tlsDeny(c), Sid: 'DenyHttpBucket', Resource: arnOf(c.bucket) },
    { ...tlsDeny(c), Sid: 'DenyHttpObjects', Resource: `${arnOf(c.bucket)}/*` },
  ]),
  // {"AWS": "*"} is every principal, as "*" is.
  shape('aws-star-principal', false, false, (c) => [
    { ...vpceDeny(c), Principal: { AWS: '*' } },
    { ...tlsDeny(c), Principal: { AWS: '*' } },
  ]),
  shape('action-star', false, false, (c) => [
    { ...vpceDeny(c), Action: '*' },
    { ...tlsDeny(c), Action: ['*'] },
  ]),
  shape('resource-star', false, false, (c) => [
    { ...vpceDeny(c), Resource: '*' },
    { ...tlsDeny(c), Resource: '*' },
  ]),
  shape('source-vpc', false, false, (c) => [
    withCondition(vpceDeny(c), { StringNotEquals: { 'aws:SourceVpc': c.vpcId } }),
    tlsDeny(c),
  ]),
  // Negated operators (and IfExists) match requests that carry no such key.
  shape('if-exists', false, false, (c) => [
    withCondition(vpceDeny(c), {
      StringNotEqualsIfExists: { 'aws:SourceVpce': vpceValue(c.vpces) },
    }),
    withCondition(tlsDeny(c), { BoolIfExists: { 'aws:SecureTransport': 'false' } }),
  ]),
  // Condition keys are case-insensitive.
  shape('lower-case-keys', false, false, (c) => [
    withCondition(vpceDeny(c), { StringNotEquals: { 'aws:sourcevpce': vpceValue(c.vpces) } }),
    withCondition(tlsDeny(c), { Bool: { 'aws:securetransport': 'false' } }),
  ]),
  // Every endpoint id matches "vpce-*": requests through any account's endpoint get in.
  shape('vpce-wildcard', true, false, (c) => [
    withCondition(vpceDeny(c), { StringNotLike: { 'aws:SourceVpce': 'vpce-*' } }),
    tlsDeny(c),
  ]),
  // Denies requests without an endpoint only; other accounts' endpoints get in.
  shape('vpce-null-test', true, false, (c) => [
    withCondition(vpceDeny(c), { Null: { 'aws:SourceVpce': 'true' } }),
    tlsDeny(c),
  ]),
  // ANDed keys: only requests that are outside AND plain HTTP are denied.
  shape('vpce-and-tls-in-one', true, true, (c) => [
    withCondition(vpceDeny(c), {
      StringNotEquals: { 'aws:SourceVpce': vpceValue(c.vpces) },
      Bool: { 'aws:SecureTransport': 'false' },
    }),
  ]),
  // The role is let in from anywhere; no exemption key is accepted by default.
  shape('vpce-break-glass', true, false, (c) => [
    withCondition(vpceDeny(c), {
      StringNotEquals: { 'aws:SourceVpce': vpceValue(c.vpces) },
      ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${c.account}:role/BreakGlass` },
    }),
    tlsDeny(c),
  ]),
  shape('tls-inverted', false, true, (c) => [
    vpceDeny(c),
    withCondition(tlsDeny(c), { Bool: { 'aws:SecureTransport': 'true' } }),
  ]),
  // Plain-HTTP requests carry no s3:TlsVersion, so NumericLessThan never matches them.
  shape('tls-version-only', false, true, (c) => [
    vpceDeny(c),
    withCondition(tlsDeny(c), { NumericLessThan: { 's3:TlsVersion': '1.2' } }),
  ]),
  // NotAction leaves GetObject from outside undenied.
  shape('vpce-not-action', true, false, (c) => {
    const { Action: _unused, ...rest } = vpceDeny(c);
    return [{ ...rest, NotAction: 's3:GetObject' }, tlsDeny(c)];
  }),
  // Copied from another bucket's policy: this bucket is not covered.
  shape('vpce-other-bucket', true, false, (c) => [
    vpceOnlyStatement(`${c.bucket}-old`, c.vpces),
    tlsDeny(c),
  ]),
];

export type { BucketShape, ShapeContext };
export { BUCKET_SHAPES };

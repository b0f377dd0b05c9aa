/**
 * Bucket-policy analysis speed: both bucket rules over 20,000 distinct generated bucket policies,
 * timed end to end. Policies come from templates filled per account (its endpoints, its roles,
 * its office ranges) and per bucket (the bucket's own name), as an organisation's buckets are;
 * `--unique` gives every bucket its own endpoint ids and roles instead (nothing shared).
 * Run: `node bin/run-ts.js scripts/bench-policies.ts [count] [--unique]`. It uses only the rules'
 * public surface, so the same file times older versions too.
 */
import { performance } from 'node:perf_hooks';
import { RULES } from '../src/rules/index.js';
import { parseParams } from '../src/rules/params.js';
import { SnapshotView } from '../src/sources/snapshot.js';

const COUNT = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 20_000);
const UNIQUE = process.argv.includes('--unique');
const ACCOUNTS = ['111122223333', '222233334444', '333344445555', '444455556666', '555566667777'];

/** A deterministic pseudo-random stream, so every run judges the same policies. */
let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const hex = (length: number): string =>
  Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
/** A per-bucket random part, or one of a few shared ones when buckets follow templates. */
const variant = (length: number): string =>
  UNIQUE ? hex(length) : pick(['0a', '1b', '2c']).padEnd(length, '0');

const shapes: ((arn: string, vpces: string[], account: string) => unknown[])[] = [
  (arn, vpces) => [deny(arn, { StringNotEquals: { 'aws:SourceVpce': vpces } }), tls(arn)],
  (arn, vpces, account) => [
    deny(arn, {
      StringNotEquals: { 'aws:SourceVpce': vpces },
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
      ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${account}:role/aws-service-role/*` },
    }),
    tls(arn),
  ],
  (arn, _vpces, account) => [
    deny(arn, {
      StringNotLike: { 'aws:SourceVpce': `vpce-${variant(2)}*` },
      ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${account}:role/ops-${variant(4)}` },
    }),
  ],
  (arn, vpces) => [
    deny(arn, {
      StringNotEquals: { 'aws:SourceVpce': vpces },
      NotIpAddress: { 'aws:SourceIp': `198.51.${UNIQUE ? Math.floor(random() * 255) : 100}.0/24` },
    }),
  ],
  (arn, vpces) => [
    {
      ...deny(arn, { StringNotEquals: { 'aws:SourceVpce': vpces } }),
      Action: undefined,
      NotAction: 's3:GetObject',
    },
    tls(arn),
  ],
  (arn) => [tls(arn)],
  (arn, vpces) => [
    {
      Sid: 'AllowVpce',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `${arn}/*`,
      Condition: { StringEquals: { 'aws:SourceVpce': vpces } },
    },
  ],
  (arn, vpces) => [
    {
      ...deny(arn, { StringNotEquals: { 'aws:SourceVpce': vpces } }),
      Resource: arn,
      Sid: 'Bucket',
    },
    {
      ...deny(arn, { StringNotEquals: { 'aws:SourceVpce': vpces } }),
      Resource: `${arn}/*`,
      Sid: 'Objects',
    },
    tls(arn),
  ],
  (arn, _vpces, account) => [
    deny(arn, { StringNotEqualsIfExists: { 'aws:VpceAccount': account } }),
    deny(arn, { Null: { 'aws:SourceVpce': 'true' } }),
    tls(arn),
  ],
];

function deny(arn: string, condition: Record<string, unknown>) {
  return {
    Sid: 'DenyOutsideVpce',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
    Condition: condition,
  };
}
function tls(arn: string) {
  return {
    Sid: 'DenyHttp',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** Each account's own endpoints; with --unique, every bucket gets fresh ones. */
const accountEndpoints = new Map(
  ACCOUNTS.map((account) => [account, [`vpce-${hex(17)}`, `vpce-${hex(17)}`]]),
);

const buckets = Array.from({ length: COUNT }, (_, index) => {
  const name = `bench-${index}-${hex(6)}`;
  const arn = `arn:aws:s3:::${name}`;
  const account = pick(ACCOUNTS);
  const own = accountEndpoints.get(account) as string[];
  const vpces = UNIQUE
    ? Array.from({ length: 1 + Math.floor(random() * 2) }, () => `vpce-${hex(17)}`)
    : own.slice(0, 1 + Math.floor(random() * 2));
  const statements = pick(shapes)(arn, vpces, account);
  return {
    type: 'AWS::S3::Bucket' as const,
    id: name,
    name,
    accountId: account,
    region: 'eu-west-1',
    arn,
    tags: {},
    policy: {
      kind: 'present' as const,
      text: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    },
  };
});

const rules = RULES.filter((rule) => rule.resourceType === 'AWS::S3::Bucket');
const view = SnapshotView.fromResources(buckets);
const params = new Map(rules.map((rule) => [rule.id, parseParams(rule.id, rule.parameters, {})]));
const distinct = new Set(buckets.map((bucket) => bucket.policy.text)).size;
const counts: Record<string, number> = {};
const start = performance.now();
for (const bucket of buckets) {
  for (const rule of rules) {
    const verdict = await rule.evaluate(bucket, view, params.get(rule.id) as never);
    counts[verdict.compliance] = (counts[verdict.compliance] ?? 0) + 1;
  }
}
const elapsed = performance.now() - start;
console.log(
  `${UNIQUE ? 'unique: ' : 'templated: '}${buckets.length} buckets (${distinct} distinct policy texts), ${rules.length} rules: ${elapsed.toFixed(0)} ms, ${((elapsed / buckets.length) * 1000).toFixed(0)} µs per bucket; ${JSON.stringify(counts)}`,
);

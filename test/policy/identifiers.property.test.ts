import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseFenceCached } from '../../src/policy/cache.js';
import { parsePolicy } from '../../src/policy/document.js';
import { analyseFence, type Exemptions, type Fence } from '../../src/policy/fence.js';
import { abstractIdentifiers, restoreText, surroundingsOf } from '../../src/policy/identifiers.js';
import { decide, fromCounterexample } from './oracle.js';

/*
 * The shape cache renames identifiers (endpoint and VPC ids, role names, Sids, other buckets) so
 * policies written from one template share one analysis. These properties write pairs of policies
 * from one template with identifiers drawn from pools built to collide with the rest (ids equal to
 * the fence's, ids a pattern matches, upper-case ids, a session of a renamed role, ids that are
 * prefixes of each other) and check the cached answer for the second policy against an analysis of
 * it without any cache, and its counterexample against the plain evaluator in ./oracle.ts.
 */

const ACCOUNT = '111122223333';

// Slots of the templates; each is filled from its pool.
const POOLS: Record<string, readonly string[]> = {
  VPCE: [
    'vpce-0a1b2c3d4e5f67890',
    'vpce-11112222333344445',
    'vpce-0a1b2c3d',
    'vpce-0A1B2C3D4E5F67890',
    'vpce-10000000000000001',
    'vpce-1a2b3c4d5e6f70000',
    'vpce-0a1b2c3d4e5f6789',
  ],
  VPC: ['vpc-0f1e2d3c4b5a69788', 'vpc-12345678', 'vpc-0f1e2d3c'],
  ROLE: ['BreakGlass', 'app-3d0dfd', 'Admin', 'app-3d0dfd-ro', 'x'],
  TAG: ['payments', 'Payments', 'pay', 'ledger-2024'],
  BUCKET: ['acme-data', 'acme-data-old', 'other-bucket', 'acme'],
  SID: ['DenyOutside', 'S1', 'DenyOutsideVpce', 'Allow1'],
};

const BUCKETS = POOLS.BUCKET as readonly string[];

const bucketOf = (name: string) => ({
  name,
  arn: `arn:aws:s3:::${name}`,
  partition: 'aws',
  account: ACCOUNT,
});

const CONDITIONS = [
  '{"StringNotEquals":{"aws:SourceVpce":"{VPCE1}"}}',
  '{"StringNotEquals":{"aws:SourceVpce":["{VPCE1}","{VPCE2}"]}}',
  '{"StringNotEqualsIfExists":{"aws:SourceVpce":"{VPCE1}"}}',
  '{"StringNotEqualsIgnoreCase":{"aws:SourceVpce":"{VPCE1}"}}',
  '{"StringNotLike":{"aws:SourceVpce":["{VPCE1}","vpce-0a1b*"]}}',
  '{"StringEquals":{"aws:SourceVpce":"{VPCE2}"}}',
  '{"StringNotEquals":{"aws:SourceVpc":"{VPC1}"}}',
  '{"StringNotEquals":{"aws:SourceVpce":"{VPCE1}"},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/{ROLE1}"}}',
  '{"StringNotEquals":{"aws:SourceVpce":"{VPCE1}","aws:PrincipalTag/team":"{TAG1}"}}',
  '{"StringNotLike":{"aws:SourceVpce":"{VPCE1}","aws:PrincipalArn":"arn:aws:iam::*:role/{ROLE2}*"}}',
  '{"Bool":{"aws:SecureTransport":"false"}}',
];

const PRINCIPALS = [
  '"Principal":"*"',
  '"Principal":{"AWS":"*"}',
  '"NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/{ROLE1}"]}',
  '"NotPrincipal":{"AWS":["arn:aws:sts::111122223333:assumed-role/{ROLE2}/s","arn:aws:iam::111122223333:role/{ROLE2}"]}',
];

const RESOURCES = [
  '"Resource":["arn:aws:s3:::{B}","arn:aws:s3:::{B}/*"]',
  '"Resource":"arn:aws:s3:::{B}/*"',
  '"Resource":["arn:aws:s3:::{BUCKET1}","arn:aws:s3:::{BUCKET1}/*"]',
  '"NotResource":"arn:aws:s3:::{BUCKET1}/*"',
];

const statementTemplate = fc
  .record({
    effect: fc.constantFrom('Deny', 'Deny', 'Allow'),
    sid: fc.constantFrom('"Sid":"{SID1}",', '"Sid":"{SID2}",', ''),
    principal: fc.constantFrom(...PRINCIPALS),
    action: fc.constantFrom(
      '"Action":"s3:*"',
      '"Action":["s3:GetObject"]',
      '"NotAction":"s3:List*"',
    ),
    resource: fc.constantFrom(...RESOURCES),
    condition: fc.option(fc.constantFrom(...CONDITIONS), { nil: undefined }),
  })
  .map(
    (s) =>
      `{${s.sid}"Effect":"${s.effect}",${s.principal},${s.action},${s.resource}${s.condition ? `,"Condition":${s.condition}` : ''}}`,
  );

const template = fc
  .array(statementTemplate, { minLength: 1, maxLength: 3 })
  .map((statements) => `{"Version":"2012-10-17","Statement":[${statements.join(',')}]}`);

const assignment = fc.record(
  Object.fromEntries(
    ['VPCE1', 'VPCE2', 'VPC1', 'ROLE1', 'ROLE2', 'TAG1', 'BUCKET1', 'SID1', 'SID2'].map((slot) => [
      slot,
      fc.constantFrom(...(POOLS[slot.replace(/\d$/, '')] as string[])),
    ]),
  ) as Record<string, fc.Arbitrary<string>>,
);

const fill = (text: string, values: Record<string, string>, bucket: string): string =>
  text.replace(/\{([A-Z]+\d?)\}/g, (_, slot: string) =>
    slot === 'B' ? bucket : (values[slot] ?? slot),
  );

const FENCES: Fence[] = [
  {
    kind: 'network',
    allowedVpceIds: [],
    allowedVpcIds: [],
    trustedAccountIds: [],
    trustedOrgIds: [],
  },
  {
    kind: 'network',
    allowedVpceIds: ['vpce-0a1b2c3d4e5f67890'],
    allowedVpcIds: [],
    trustedAccountIds: [],
    trustedOrgIds: [],
  },
  { kind: 'tls' },
];

const EXEMPTIONS: Exemptions[] = [
  {
    'aws:PrincipalIsAWSService': ['true'],
    'aws:ViaAWSService': ['true'],
    'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:role/aws-service-role/*`],
  },
  { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:role/BreakGlass`] },
];

const PLACEHOLDER_TEXT = /__vg_|__vpce_guard_bucket__|vpce-1000000000000000[2-9]/;

describe('identifier renaming in the shape cache', () => {
  it('gives each policy of a template the answer of its own uncached analysis', () => {
    fc.assert(
      fc.property(
        template,
        assignment,
        assignment,
        fc.constantFrom(...BUCKETS),
        fc.constantFrom(...BUCKETS),
        fc.constantFrom(...FENCES),
        fc.constantFrom(...EXEMPTIONS),
        (shape, first, second, firstBucket, secondBucket, fence, exemptions) => {
          // Prepare: the first policy fills the cache; the second is the one judged.
          const warm = fill(shape, first, firstBucket);
          const text = fill(shape, second, secondBucket);
          const bucket = bucketOf(secondBucket);
          analyseFenceCached(warm, bucketOf(firstBucket), fence, exemptions);

          // Act
          const cached = analyseFenceCached(text, bucket, fence, exemptions);
          const direct = analyseFence(parsePolicy(text), bucket, fence, exemptions);

          // Assess
          expect(cached.compliant).toBe(direct.compliant);
          expect(cached.lockOut).toBe(direct.lockOut);
          expect(cached.allActionsEscape).toBe(direct.allActionsEscape);
          expect([...cached.escapingActions].sort()).toEqual([...direct.escapingActions].sort());
          expect(cached.denies.map((s) => s.sid)).toEqual(direct.denies.map((s) => s.sid));
          const shown = JSON.stringify([cached.escapes, cached.undecided]);
          expect(shown).not.toMatch(PLACEHOLDER_TEXT);
          const document = JSON.parse(text) as { Statement: unknown };
          for (const found of cached.escapes) {
            expect(decide(document, fromCounterexample(found.counterexample))).not.toBe('Deny');
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 240_000);

  it('renames only identifiers that compare alike with everything the analysis holds', () => {
    // Prepare: one id the fence names, one a pattern matches, one free.
    const policy = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Fence',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: '*',
            Condition: {
              StringNotEquals: {
                'aws:SourceVpce': ['vpce-0a1b2c3d4e5f67890', 'vpce-99998888777766665'],
              },
              StringNotLike: { 'aws:SourceVpc': ['vpc-0f1e2d3c', 'vpc-0f*'] },
            },
          },
        ],
      }),
    );

    // Act
    const renamed = abstractIdentifiers(policy, surroundingsOf(['vpce-0a1b2c3d4e5f67890']));

    // Assess
    const values = renamed?.policy.statements[0]?.conditions.flatMap((c) => c.values);
    expect(values).toEqual([
      'vpce-0a1b2c3d4e5f67890',
      expect.stringMatching(/^vpce-1\d{16}$/),
      'vpc-0f1e2d3c',
      'vpc-0f*',
    ]);
    expect(renamed?.policy.statements[0]?.sid).toMatch(/^__vg_sid\d+__$/);
  });

  it('puts a value back only where it stands alone', () => {
    // Act
    const text = restoreText('vpce-10000000000000001, not vpce-10000000000000001x or x1000000', [
      { placeholder: 'vpce-10000000000000001', original: 'vpce-0a1b2c3d4e5f67890', kind: 'token' },
      { placeholder: '1000000', original: '123456', kind: 'token' },
    ]);

    // Assess
    expect(text).toBe('vpce-0a1b2c3d4e5f67890, not vpce-10000000000000001x or x1000000');
  });
});

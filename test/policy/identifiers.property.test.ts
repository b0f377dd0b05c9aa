import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseFenceCached } from '../../src/policy/cache.js';
import { parsePolicy } from '../../src/policy/document.js';
import { analyseFence, type Exemptions, type Fence } from '../../src/policy/fence.js';
import { surroundingsOf } from '../../src/policy/identifier-checks.js';
import { abstractIdentifiers } from '../../src/policy/identifiers.js';
import { restoreText } from '../../src/policy/restore.js';
import { decide, fromCounterexample } from './oracle.js';
import {
  ACCOUNT,
  assignment,
  assignmentPair,
  BUCKETS,
  bucketOf,
  fill,
  policyTemplate,
} from './policy-templates.js';

/*
 * The shape cache renames identifiers (endpoint and VPC ids, role names, Sids, other buckets) so
 * policies written from one template share one analysis. These properties write pairs of policies
 * from one template with identifiers drawn from pools built to collide with the rest (ids equal to
 * the fence's, ids a pattern matches, upper-case ids, a session of a renamed role, ids that are
 * prefixes of each other) and check the cached answer for the second policy against an analysis of
 * it without any cache, and its counterexample against the plain evaluator in ./oracle.ts.
 */

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
        policyTemplate,
        fc.oneof(assignmentPair, fc.tuple(assignment, assignment)),
        fc.constantFrom(...BUCKETS),
        fc.constantFrom(...BUCKETS),
        fc.constantFrom(...FENCES),
        fc.constantFrom(...EXEMPTIONS),
        (shape, [first, second], firstBucket, secondBucket, fence, exemptions) => {
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
            expect(decide(document, fromCounterexample(found.counterexample))).not.toBe('deny');
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

  it('renames nothing in a policy that spells a placeholder of its own', () => {
    // Prepare: a legal role name written like the Sid placeholder.
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyOutside',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::acme-data', 'arn:aws:s3:::acme-data/*'],
          Condition: {
            StringNotEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' },
            ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/__vg_sid1__*' },
          },
        },
      ],
    });
    const bucket = bucketOf('acme-data');
    const fence: Fence = {
      kind: 'network',
      allowedVpceIds: [],
      allowedVpcIds: [],
      trustedAccountIds: [],
      trustedOrgIds: [],
    };

    // Act
    const cached = analyseFenceCached(text, bucket, fence, {});
    const direct = analyseFence(parsePolicy(text), bucket, fence, {});

    // Assess
    expect(cached.escapes).toEqual(direct.escapes);
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

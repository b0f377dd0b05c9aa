import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { Evaluation } from '../../src/model/compliance.js';
import type { Bucket } from '../../src/model/resources.js';
import {
  assignment,
  BUCKETS,
  fill,
  ACCOUNT as POOL_ACCOUNT,
  policyTemplate,
} from './policy-templates.js';

/*
 * Adversarial review of the bucket-policy speed path (text templates, planned restores, shared
 * tokens, literal heads, resource-major judging): a scan, where every cache is warm from the
 * buckets before, must give each bucket exactly what it gets judged alone in a fresh module state.
 */

const ACCOUNT = '111122223333';
const BUCKET_RULES = ['s3-bucket-policy-vpce-only', 's3-bucket-policy-tls-only'];

const bucketNamed = (name: string, text: string, id = name): Bucket => ({
  type: 'AWS::S3::Bucket',
  id,
  name,
  accountId: ACCOUNT,
  region: 'eu-west-1',
  tags: {},
  policy: { kind: 'present', text },
});

type Raw = Record<string, Record<string, unknown>>;

/** A scan of these buckets under both bucket rules, in a module state of its own (cold caches). */
const freshScan = async (buckets: readonly Bucket[], raw: Raw = {}): Promise<Evaluation[]> => {
  vi.resetModules();
  const { scan } = await import('../../src/scan/scan.js');
  const { RULES } = await import('../../src/rules/index.js');
  const { SnapshotView } = await import('../../src/sources/snapshot.js');
  const { parseParams } = await import('../../src/rules/params.js');
  const rules = RULES.filter((rule) => BUCKET_RULES.includes(rule.id));
  return scan({
    rules,
    view: SnapshotView.fromResources(buckets),
    params: new Map(
      rules.map((rule) => [rule.id, parseParams(rule.id, rule.parameters, raw[rule.id] ?? {})]),
    ),
  });
};

/** One scan over all the buckets: each bucket meets the caches the ones before it left. */
const warmScan = freshScan;

/** Each bucket judged alone, from scratch. */
const aloneScan = async (buckets: readonly Bucket[], raw: Raw = {}): Promise<Evaluation[]> => {
  const out: Evaluation[] = [];
  for (const bucket of buckets) out.push(...(await freshScan([bucket], raw)));
  return out;
};

const key = (e: Evaluation) => `${e.ruleId} ${e.resource.id}`;
const byKey = (list: Evaluation[]) => new Map(list.map((e) => [key(e), e]));

const diffs = async (buckets: readonly Bucket[], raw: Raw = {}) => {
  const warm = byKey(await warmScan(buckets, raw));
  const alone = byKey(await aloneScan(buckets, raw));
  const out: { key: string; warm: Evaluation | undefined; alone: Evaluation | undefined }[] = [];
  for (const [k, a] of alone) {
    const w = warm.get(k);
    if (JSON.stringify(w) !== JSON.stringify(a)) out.push({ key: k, warm: w, alone: a });
  }
  return out;
};

const R = (b: string) => `"Resource":["arn:aws:s3:::${b}","arn:aws:s3:::${b}/*"]`;
const deny = (sid: string, condition: string, resource: string) =>
  `{"Sid":"${sid}","Effect":"Deny","Principal":"*","Action":"s3:*",${resource},"Condition":${condition}}`;
const policyOf = (...statements: string[]) =>
  `{"Version":"2012-10-17","Statement":[${statements.join(',')}]}`;

/** The evaluations of one bucket (both rules), by rule id. */
const ofBucket = (list: readonly Evaluation[], id: string) =>
  Object.fromEntries(list.filter((e) => e.resource.id === id).map((e) => [e.ruleId, e]));

/** The same policy in another layout: no text template matches it. */
const relaid = (text: string): string => JSON.stringify(JSON.parse(text), null, 2);

describe('template review: a scan gives each bucket the verdict it gets alone', () => {
  // A Deny on every bucket (no bucket named): the TLS rule finds plain HTTP let in, with a
  // counterexample naming this bucket.
  const text = policyOf(
    deny(
      'DenyOutside',
      '{"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f67890"}}',
      '"Resource":["arn:aws:s3:::*","arn:aws:s3:::*/*"]',
    ),
  );

  it.each([
    ['the same text (text template)', text],
    ['the same policy in another layout (shape cache)', relaid(text)],
  ])(
    'names the bucket in the counterexample after a legacy bucket named __vpce_guard_bucket__ (%s)',
    async (_, second) => {
      // Prepare: a legacy (underscore) bucket spelled like the bucket placeholder goes first.
      const buckets = [
        bucketNamed('__vpce_guard_bucket__', text),
        bucketNamed('acme-data', second),
      ];

      // Act
      const warm = ofBucket(await warmScan(buckets), 'acme-data');
      const alone = ofBucket(await aloneScan([buckets[1] as Bucket]), 'acme-data');

      // Assess: the shared counterexample was planned with renames whose original equals the
      // placeholder, so it was taken to hold no placeholder and is copied as it is.
      expect(alone['s3-bucket-policy-tls-only']?.counterexample?.resource).toBe(
        'arn:aws:s3:::acme-data',
      );
      expect(warm).toEqual(alone);
    },
  );
});

describe('template review: names put back only where a placeholder stood', () => {
  it('names a legacy bucket spelled like a Sid placeholder as itself', async () => {
    // Prepare: the Deny does not cover the bucket and its pattern depends on the bucket's name,
    // so the bucket keeps its real name in the analysis while the Sid becomes __vg_sid1__.
    const name = '__vg_sid1__';
    const text = policyOf(
      deny(
        'DenyOutside',
        '{"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f67890"}}',
        '"Resource":["arn:aws:s3:::*data*"]',
      ),
    );

    // Act
    const judged = ofBucket(await aloneScan([bucketNamed(name, text)]), name);

    // Assess: putting "DenyOutside" back for __vg_sid1__ renamed the bucket too ("Bucket
    // DenyOutside lets …", a counterexample on arn:aws:s3:::DenyOutside).
    for (const evaluation of Object.values(judged)) {
      expect(evaluation.detail).toContain(`Bucket ${name} lets`);
      expect(evaluation.counterexample?.resource).toBe(`arn:aws:s3:::${name}`);
    }
  });
});

describe('template review: buckets of one account id spelled two ways', () => {
  it('resolves the exemptions of a bucket with an empty account id for that id', async () => {
    // Prepare: one bucket without an account id, then one with an empty one (API callers).
    const text = policyOf(
      deny(
        'DenyOutside',
        '{"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f67890"}}',
        R('acme-data'),
      ),
    );
    const first = { ...bucketNamed('acme-data', text, 'a-first'), accountId: undefined };
    const second = { ...bucketNamed('acme-data', text, 'b-second'), accountId: '' };

    // Act
    const warm = ofBucket(await warmScan([first, second]), 'b-second');
    const alone = ofBucket(await aloneScan([second]), 'b-second');

    // Assess: exemptions are memoised under `${partition}:${account ?? ''}`, so the empty id takes
    // the exemptions resolved without an account (the service-linked role ARN left out).
    expect(warm).toEqual(alone);
  });
});

// Parameters the generated scans run under (one value per scan, as a real scan has).
const PARAMS: Raw[] = [
  {},
  { 's3-bucket-policy-vpce-only': { allowedVpceIds: ['vpce-0a1b2c3d4e5f67890'] } },
  {
    's3-bucket-policy-vpce-only': {
      exemptions: { 'aws:PrincipalArn': [`arn:aws:iam::${POOL_ACCOUNT}:role/BreakGlass`] },
    },
    's3-bucket-policy-tls-only': {
      exemptions: { 'aws:PrincipalArn': [`arn:aws:iam::${POOL_ACCOUNT}:role/BreakGlass`] },
    },
  },
];

/** A scan: a few templates, each filled several times for several buckets (so templates hit). */
const scanOf = fc
  .tuple(
    fc.array(policyTemplate, { minLength: 1, maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), assignment, fc.constantFrom(...BUCKETS), fc.boolean()), {
      minLength: 2,
      maxLength: 7,
    }),
  )
  .map(([shapes, fills]) =>
    fills.map(([which, values, name, relay], index) => {
      const text = fill(shapes[which % shapes.length] as string, values, name);
      return bucketNamed(
        name,
        relay ? relaid(text) : text,
        `${String(index).padStart(2, '0')}-${name}`,
      );
    }),
  );

describe.runIf(process.env.VG_REVIEW_FUZZ !== undefined)('template review: fuzz', () => {
  it('cached == alone over generated scans', async () => {
    await fc.assert(
      fc.asyncProperty(scanOf, fc.constantFrom(...PARAMS), async (buckets, raw) => {
        const found = await diffs(buckets, raw);
        if (found.length > 0) console.log(JSON.stringify({ buckets, raw, found }, null, 1));
        expect(found).toEqual([]);
      }),
      { numRuns: Number(process.env.VG_REVIEW_FUZZ) || 50 },
    );
  }, 3_600_000);
});

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

describe('template review: one worded verdict for policies renamed and not', () => {
  it('puts the endpoint back into the counterexample after a policy that names the placeholder id', async () => {
    // Prepare: the first policy names vpce-10000000000000001, which is the placeholder the second
    // policy's endpoint gets. The first is judged with no renaming (its id shows in the result),
    // the second renamed: both have one shape, so they share one worded verdict and one plan of
    // where its counterexample holds placeholders, made for the first (no endpoint placeholder).
    // No Sid: a renamed Sid would tell the two shapes apart.
    const text = (vpce: string) =>
      policyOf(
        `{"Effect":"Deny","Principal":"*","Action":"s3:*",${R('acme-data')},"Condition":{"StringNotEquals":{"aws:SourceVpce":"${vpce}"}}}`,
      );
    const buckets = [
      bucketNamed('acme-data', text('vpce-10000000000000001'), 'a-first'),
      bucketNamed('acme-data', text('vpce-0a1b2c3d4e5f67890'), 'b-second'),
    ];

    // Act
    const warm = ofBucket(await warmScan(buckets), 'b-second');
    const alone = ofBucket(await aloneScan([buckets[1] as Bucket]), 'b-second');

    // Assess: the TLS counterexample goes through the policy's own endpoint.
    expect(alone['s3-bucket-policy-tls-only']?.counterexample?.context['aws:SourceVpce']).toBe(
      'vpce-0a1b2c3d4e5f67890',
    );
    expect(warm).toEqual(alone);
  });

  it('shows each bucket its own team tag after a team tagged like the placeholder', async () => {
    // Prepare: realistic tag values. "team-1001" is exactly the placeholder "team-blue" is renamed
    // to, so the first policy (not renamed: its value shows in the result) and the second (renamed)
    // share one shape and one worded verdict, planned for the first.
    const text = (team: string) =>
      policyOf(
        `{"Effect":"Deny","Principal":"*","Action":"s3:*",${R('acme-data')},"Condition":{"Bool":{"aws:SecureTransport":"false"},"StringNotEquals":{"aws:PrincipalTag/team":"${team}"}}}`,
      );
    const buckets = [
      bucketNamed('acme-data', text('team-1001'), 'a-first'),
      bucketNamed('acme-data', text('team-blue'), 'b-second'),
    ];

    // Act
    const warm = ofBucket(await warmScan(buckets), 'b-second');
    const alone = ofBucket(await aloneScan([buckets[1] as Bucket]), 'b-second');

    // Assess: plain HTTP gets in for the one team the Deny leaves out, team-blue.
    const tls = alone['s3-bucket-policy-tls-only'];
    expect(tls?.counterexample?.context['aws:PrincipalTag/team']).toBe('team-blue');
    expect(warm).toEqual(alone);
  });
});

describe('template review: a shape entry marked shareable by a policy judged as written', () => {
  it('keeps a renamed policy from taking a result whose counterexample only spells its placeholder', async () => {
    // Prepare: one bucket judged twice in one process (its policy changed; here two items of one
    // name). The Deny statements name the bucket by a wildcard, so the bucket keeps its name in
    // the analysis. The first policy spells a placeholder (in an Allow Sid), so nothing is
    // renamed and it reaches the shape entry first, with no renames: the entry is marked
    // shareable. The second renames team-blue to team-1001, the first policy's value, and takes
    // that entry: its counterexample (a case variant, teaM-1001) is no placeholder, so it is not
    // put back, and the second bucket is shown a request its own policy denies.
    const resource = '"Resource":"arn:aws:s3:::acme-data*"';
    const denies = (team: string) =>
      [
        `{"Effect":"Deny","Principal":"*","Action":"s3:*",${resource},"Condition":{"Bool":{"aws:SecureTransport":"false"},"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"${team}"}}}`,
        `{"Effect":"Deny","Principal":"*","Action":"s3:*",${resource},"Condition":{"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:PrincipalTag/team":"${team}"}}}`,
      ].join(',');
    const allow = (sid: string) =>
      `{"Sid":"${sid}","Effect":"Allow","Principal":"*","Action":"s3:GetObject",${resource}}`;
    const buckets = [
      bucketNamed('acme-data', policyOf(denies('team-1001'), allow('__vg_note')), 'a-first'),
      bucketNamed('acme-data', policyOf(denies('team-blue'), allow('Note')), 'b-second'),
    ];

    // Act
    const warm = ofBucket(await warmScan(buckets), 'b-second');
    const alone = ofBucket(await aloneScan([buckets[1] as Bucket]), 'b-second');

    // Assess: the request that gets in carries a case variant of the second policy's own team.
    const team =
      alone['s3-bucket-policy-tls-only']?.counterexample?.context['aws:PrincipalTag/team'];
    expect(String(team).toLowerCase()).toBe('team-blue');
    expect(warm).toEqual(alone);
  });
});

describe('template review: the slot a name is checked by', () => {
  it('checks the renamed principal, not another account role of that name met first', async () => {
    // Prepare: the Allow statement comes first and names a role of another account with the
    // same name as the Deny's NotPrincipal role; that other ARN is also the first Deny's Sid, so it
    // counts as a slot of the role's placeholder, and, first in the text, the one checked. The
    // second Deny denies the role from outside unless it matches role/B*: for Admin the two Deny
    // statements together deny everyone from outside; for Bdmin nothing denies it.
    const vpce = '"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f67890"}';
    const policy = (bucket: string, role: string) =>
      policyOf(
        `{"Sid":"Reader","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/${role}"},"Action":"s3:GetObject",${R(bucket)}}`,
        `{"Sid":"arn:aws:iam::444455556666:role/${role}","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/${role}"},"Action":"s3:*",${R(bucket)},"Condition":{${vpce}}}`,
        `{"Sid":"DenyRole","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/${role}"},"Action":"s3:*",${R(bucket)},"Condition":{${vpce},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/B*"}}}`,
      );
    const buckets = [
      bucketNamed('acme-data', policy('acme-data', 'Admin')),
      bucketNamed('other-data', policy('other-data', 'Bdmin')),
    ];

    // Act
    const warm = ofBucket(await warmScan(buckets), 'other-data');
    const alone = ofBucket(await aloneScan([buckets[1] as Bucket]), 'other-data');

    // Assess: role Bdmin gets in from outside; the text template said COMPLIANT.
    expect(alone['s3-bucket-policy-vpce-only']?.compliance).toBe('NON_COMPLIANT');
    expect(warm['s3-bucket-policy-vpce-only']?.compliance).toBe('NON_COMPLIANT');
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

// A wider generator: pools that collide with the bucket names, the fence and each other.
const POOL: Record<string, readonly string[]> = {
  V: [
    'vpce-0a1b2c3d4e5f67890',
    'vpce-10000000000000001',
    'vpce-10000000000000002',
    'vpce-0A1B2C3D4E5F67890',
    'vpce-1a2b3c4d5e6f70000',
    'vpce-0a1b2c3d4e5f6789a',
    'vpce-acme0data1',
  ],
  VPC: ['vpc-0f1e2d3c4b5a69788', 'vpc-12345678', 'vpc-10000001'],
  R: ['BreakGlass', 'app-3d0dfd', 'app-3d0dfd-ro', 'acme-data', 'Admin.1', 'x'],
  T: [
    'payments',
    'pay-1000',
    'ledger-2024',
    'acme-data',
    'vpce-0a1b2c3d4e5f67890',
    'team-1001',
    'team-blue',
  ],
  B: [
    'acme-data',
    'acme',
    'vpce-0a1b2c3d4e5f67890',
    'vpce-10000000000000001',
    'logs.2024-1',
    'DenyOutside',
    `a${'-b'.repeat(30)}`,
  ],
  S: [
    'DenyOutside',
    'S1',
    'acme-data',
    'vpce-0a1b2c3d4e5f67890',
    'Allow1',
    'ſid-K',
    'vpce-10000000000000001',
    '$&$1 $` K',
    `DenyEverythingFromOutsideTheApprovedNetwork-${'x'.repeat(150)}`,
  ],
  ID: ['Policy-1001', 'vpce-0a1b2c3d4e5f67890', 'acme-data'],
};

// Exploration only: leave out ids spelled like the placeholders (a known finding above).
if (process.env.VG_REVIEW_NO_KNOWN !== undefined) {
  for (const slot of Object.keys(POOL)) {
    POOL[slot] = (POOL[slot] as string[]).filter((value) => !/-1000000/.test(value));
  }
}

const WIDE_CONDITIONS = [
  '{"StringNotEquals":{"aws:SourceVpce":"{V1}"}}',
  '{"StringNotEquals":{"aws:SourceVpce":["{V1}","{V2}"]}}',
  '{"StringNotEqualsIgnoreCase":{"aws:SourceVpce":"{V1}"}}',
  '{"StringNotLike":{"aws:SourceVpce":["{V1}","vpce-0a1b*"]}}',
  '{"StringNotLike":{"aws:SourceVpce":["{V1}","VPCE-1*"]}}',
  '{"StringEquals":{"aws:SourceVpce":"{V2}"}}',
  '{"StringNotEquals":{"aws:SourceVpc":"{VPC}"}}',
  '{"StringNotEquals":{"aws:SourceVpce":"{V1}"},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/{R1}"}}',
  '{"StringNotEquals":{"aws:SourceVpce":"{V1}"},"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::111122223333:role/{R1}","arn:aws:iam::*:role/app-*"]}}',
  '{"StringNotEquals":{"aws:SourceVpce":"{V1}","aws:PrincipalTag/team":"{T}"}}',
  '{"StringNotEqualsIgnoreCase":{"aws:SourceVpce":"{V1}","aws:PrincipalTag/team":["{T}","PAY-*"]}}',
  '{"StringNotLike":{"aws:SourceVpce":"{V1}","aws:PrincipalArn":"arn:aws:iam::*:role/{R2}*"}}',
  '{"Bool":{"aws:SecureTransport":"false"}}',
  '{"Bool":{"aws:SecureTransport":false}}',
  '{"StringNotEquals":{"aws:SourceVpce":"{V1}","Sid":"{S1}"}}',
  '{"Bool":{"aws:SecureTransport":"false"},"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"{T}"}}',
  '{"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:PrincipalTag/team":"{T}"}}',
  '{"StringNotEquals":{"aws:SourceVpce":"{V1}"},"StringNotEqualsIgnoreCase":{"aws:SourceVpce":"{V2}"}}',
];

const WIDE_PRINCIPALS = [
  '"Principal":"*"',
  '"Principal":{"AWS":"*"}',
  '"NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/{R1}"]}',
  '"NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/{R2}","arn:aws:iam::111122223333:role/{R1}"]}',
];

const WIDE_RESOURCES = [
  '"Resource":["arn:aws:s3:::{B}","arn:aws:s3:::{B}/*"]',
  '"Resource":"arn:aws:s3:::{B}/*"',
  '"Resource":["arn:aws:s3:::*","arn:aws:s3:::*/*"]',
  '"Resource":["arn:aws:s3:::{OB}","arn:aws:s3:::{OB}/*","arn:aws:s3:::{B}","arn:aws:s3:::{B}/*"]',
  '"NotResource":"arn:aws:s3:::{OB}/*"',
  '"Resource":"arn:aws:s3:::{B}/{T}/*"',
  '"Resource":"arn:aws:s3:::{B}*"',
];

const wideStatement = fc
  .record({
    effect: fc.constantFrom('Deny', 'Deny', 'Allow'),
    sid: fc.constantFrom(
      '"Sid":"{S1}",',
      '"Sid":"{S2}",',
      '"Sid":"",',
      '',
      ...(process.env.VG_REVIEW_SPELL === undefined ? [] : ['"Sid":"__vg_{S1}",']),
    ),
    principal: fc.constantFrom(...WIDE_PRINCIPALS),
    action: fc.constantFrom(
      '"Action":"s3:*"',
      '"Action":["s3:GetObject"]',
      '"NotAction":"s3:List*"',
    ),
    resource: fc.constantFrom(...WIDE_RESOURCES),
    condition: fc.option(fc.constantFrom(...WIDE_CONDITIONS), { nil: undefined }),
  })
  .map(
    (s) =>
      `{${s.sid}"Effect":"${s.effect}",${s.principal},${s.action},${s.resource}${s.condition ? `,"Condition":${s.condition}` : ''}}`,
  );

const widePolicy = fc
  .tuple(
    fc.array(wideStatement, { minLength: 1, maxLength: 3 }),
    fc.constantFrom('', '"Id":"{ID}",'),
    fc.constantFrom('[', '[', '', 'broken'),
  )
  .map(([statements, id, listed]) =>
    listed === 'broken'
      ? `{${id}"Version":"2012-10-17","Statement":[${statements.join(',')}}`
      : listed === '' && statements.length === 1
        ? `{${id}"Version":"2012-10-17","Statement":${statements[0]}}`
        : `{${id}"Version":"2012-10-17","Statement":[${statements.join(',')}]}`,
  );

const SLOTS = ['V1', 'V2', 'VPC', 'R1', 'R2', 'T', 'OB', 'S1', 'S2', 'ID'];

const wideAssignment = fc.record(
  Object.fromEntries(
    SLOTS.map((slot) => [
      slot,
      fc.constantFrom(...(POOL[slot === 'OB' ? 'B' : slot.replace(/\d$/, '')] as string[])),
    ]),
  ) as Record<string, fc.Arbitrary<string>>,
);

const wideFill = (text: string, values: Record<string, string>, bucket: string): string =>
  text.replace(/\{([A-Z]+\d?)\}/g, (_, slot: string) =>
    slot === 'B' ? bucket : (values[slot] ?? slot),
  );

const wideScan = fc
  .tuple(
    fc.array(widePolicy, { minLength: 1, maxLength: 3 }),
    fc.array(
      fc.tuple(
        fc.nat(),
        wideAssignment,
        fc.constantFrom(...(POOL.B as string[])),
        fc.constantFrom('eu-west-1', 'eu-west-1', 'us-gov-west-1'),
        fc.constantFrom(ACCOUNT, ACCOUNT, '444455556666'),
      ),
      { minLength: 2, maxLength: Number(process.env.VG_REVIEW_BUCKETS) || 8 },
    ),
  )
  .map(([shapes, fills]) =>
    fills.map(([which, values, name, region, account], index) => ({
      ...bucketNamed(
        name,
        wideFill(shapes[which % shapes.length] as string, values, name),
        `${String(index).padStart(2, '0')}-${name}`,
      ),
      region,
      accountId: account,
    })),
  );

// A fleet: buckets written from a few templates with ids of their own (so text templates hit),
// now and then one id drawn from the colliding pools.
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const word = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
  minLength: 4,
  maxLength: 4,
});
const fleetValues = fc
  .record({
    V1: hex(17).map((h) => `vpce-${h}`),
    V2: hex(17).map((h) => `vpce-${h}`),
    VPC: hex(17).map((h) => `vpc-${h}`),
    R1: word.map((w) => `app-${w}`),
    R2: word.map((w) => `ops-${w}`),
    // A digit makes a tag an identifier slot of the text (a word stays in the skeleton).
    T: word.map((w) => `team-${w}9`),
    OB: word.map((w) => `other-${w}`),
    S1: word.map((w) => `Deny${w}`),
    S2: word.map((w) => `Guard${w}`),
    // The policy Id is kept as written: one per fleet.
    ID: fc.constant('Policy-1001'),
  })
  .chain((values) =>
    fc.option(
      fc.tuple(fc.constantFrom(...SLOTS), wideAssignment).map(([slot, other]) => ({
        ...values,
        [slot]: other[slot] as string,
      })),
      { nil: values, freq: 3 },
    ),
  );

const fleetScan = fc
  .tuple(
    fc.array(widePolicy, { minLength: 1, maxLength: 2 }),
    fc.array(fc.tuple(fc.nat(), fleetValues, word, fc.boolean()), {
      minLength: 2,
      maxLength: Number(process.env.VG_REVIEW_BUCKETS) || 8,
    }),
  )
  .map(([shapes, fills]) =>
    fills.map(([which, values, name, shared], index) => {
      const bucket = shared ? 'acme-data' : `data-${name}`;
      return bucketNamed(
        bucket,
        wideFill(shapes[which % shapes.length] as string, values, bucket),
        `${String(index).padStart(2, '0')}-${bucket}`,
      );
    }),
  );

const WIDE_PARAMS: Raw[] = [
  {},
  { 's3-bucket-policy-vpce-only': { allowedVpceIds: ['vpce-0a1b*'] } },
  {
    's3-bucket-policy-vpce-only': {
      allowedVpceIds: ['vpce-0a1b2c3d4e5f67890'],
      verifyEndpoints: true,
    },
  },
  {
    's3-bucket-policy-vpce-only': {
      exemptions: {
        'aws:PrincipalArn': ['arn:aws:iam::*:role/app-*', 'arn:aws:iam::111122223333:role/ACME-*'],
      },
    },
    's3-bucket-policy-tls-only': {
      exemptions: { 'aws:PrincipalTag/team': ['pay-*'], 'aws:SourceVpce': ['vpce-1*'] },
    },
  },
];

describe.runIf(process.env.VG_REVIEW_WIDE !== undefined)('template review: wide fuzz', () => {
  it('cached == alone over wide generated scans', async () => {
    await fc.assert(
      fc.asyncProperty(wideScan, fc.constantFrom(...WIDE_PARAMS), async (buckets, raw) => {
        const found = await diffs(buckets, raw);
        if (found.length > 0) console.log(JSON.stringify({ buckets, raw, found }, null, 1));
        expect(found).toEqual([]);
      }),
      { numRuns: Number(process.env.VG_REVIEW_WIDE) || 50 },
    );
  }, 3_600_000);
});

describe('template review: property', () => {
  // A guard in the suite (the fuzz blocks above run the same with many more cases on demand):
  // each bucket of a generated scan gets exactly what it gets alone, from cold caches.
  it('gives every bucket of a scan the verdicts it gets alone (template pools)', async () => {
    await fc.assert(
      fc.asyncProperty(scanOf, fc.constantFrom(...PARAMS), async (buckets, raw) => {
        expect(await diffs(buckets, raw)).toEqual([]);
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('gives every bucket of a scan the verdicts it gets alone (colliding pools)', async () => {
    await fc.assert(
      fc.asyncProperty(wideScan, fc.constantFrom(...WIDE_PARAMS), async (buckets, raw) => {
        expect(await diffs(buckets, raw)).toEqual([]);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});

describe.runIf(process.env.VG_REVIEW_FLEET !== undefined)('template review: fleet fuzz', () => {
  it('cached == alone over fleets', async () => {
    await fc.assert(
      fc.asyncProperty(fleetScan, fc.constantFrom(...WIDE_PARAMS), async (buckets, raw) => {
        const found = await diffs(buckets, raw);
        if (found.length > 0) console.log(JSON.stringify({ buckets, raw, found }, null, 1));
        expect(found).toEqual([]);
      }),
      { numRuns: Number(process.env.VG_REVIEW_FLEET) || 50 },
    );
  }, 3_600_000);
});

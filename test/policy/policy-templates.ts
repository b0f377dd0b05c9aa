import fc from 'fast-check';

/*
 * Pairs of bucket policies written from one template, with identifiers drawn from pools built to
 * collide with the rest (ids equal to a fence's, ids a pattern matches, upper-case ids, a session of
 * a renamed role, ids that are prefixes of each other, another bucket named like this one): the
 * shape cache and the text templates must give each policy its own answer.
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
  SID: ['DenyOutside', 'S1', 'DenyOutsideVpce', 'Allow1', ''],
  ACCT: ['111122223333', '444455556666'],
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
  // Decoded, the escape spells a pool id; the number equals a pool account.
  '{"StringNotEquals":{"aws:SourceVpce":["{VPCE1}","vpce-0a1b2c3d4e5f6789\\u0030"]}}',
  '{"StringNotEquals":{"aws:SourceVpce":"{VPCE1}","aws:VpceAccount":["{ACCT1}",111122223333]}}',
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

const policyTemplate = fc
  .array(statementTemplate, { minLength: 1, maxLength: 3 })
  .map((statements) => `{"Version":"2012-10-17","Statement":[${statements.join(',')}]}`);

const assignment = fc.record(
  Object.fromEntries(
    ['VPCE1', 'VPCE2', 'VPC1', 'ROLE1', 'ROLE2', 'TAG1', 'BUCKET1', 'SID1', 'SID2', 'ACCT1'].map(
      (slot) => [slot, fc.constantFrom(...(POOLS[slot.replace(/\d$/, '')] as string[]))],
    ),
  ) as Record<string, fc.Arbitrary<string>>,
);

const fill = (text: string, values: Record<string, string>, bucket: string): string =>
  text.replace(/\{([A-Z]+\d?)\}/g, (_, slot: string) =>
    slot === 'B' ? bucket : (values[slot] ?? slot),
  );

/**
 * An assignment and a second one whose every identifier has the first one's length (each slot
 * keeps its value or takes another of its pool as long), so the two policies mostly share a
 * template: the case where a shared verdict is tempting.
 */
const assignmentPair = assignment.chain((first) =>
  fc
    .record(
      Object.fromEntries(
        Object.entries(first).map(([slot, value]) => {
          const pool = POOLS[slot.replace(/\d$/, '')] ?? [value];
          const alike = pool.filter((candidate) => candidate.length === value.length);
          return [slot, fc.constantFrom(...alike)];
        }),
      ) as Record<string, fc.Arbitrary<string>>,
    )
    .map((second) => [first, second] as const),
);

export { ACCOUNT, assignment, assignmentPair, BUCKETS, bucketOf, fill, POOLS, policyTemplate };

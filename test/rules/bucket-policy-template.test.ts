import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bucket } from '../../src/model/resources.js';
import { parseParams } from '../../src/rules/params.js';
import { s3BucketPolicyTlsOnly } from '../../src/rules/s3-bucket-policy-tls-only.js';
import { s3BucketPolicyVpceOnly } from '../../src/rules/s3-bucket-policy-vpce-only.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import {
  ACCOUNT,
  assignment,
  assignmentPair,
  BUCKETS,
  fill,
  policyTemplate,
} from '../policy/policy-templates.js';

/*
 * Text templates (src/policy/template.ts) hand a policy the verdict of an earlier policy of the
 * same skeleton. The oracle is the same policy laid out differently: a text no template matches,
 * judged the whole way, must get exactly the same verdict.
 */

const RULES = [s3BucketPolicyVpceOnly, s3BucketPolicyTlsOnly] as const;

const PARAMS: Record<string, string | undefined>[] = [
  {},
  { allowedVpceIds: 'vpce-0a1b2c3d4e5f67890' },
  {
    exemptions: JSON.stringify({ 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:role/BreakGlass`] }),
  },
];

const bucketNamed = (name: string, text: string): Bucket => ({
  type: 'AWS::S3::Bucket',
  id: name,
  name,
  accountId: ACCOUNT,
  region: 'eu-west-1',
  tags: {},
  policy: { kind: 'present', text },
});

let layouts = 0;

/** The same policy in a layout of its own: an `Id` no other text has, and other spacing. */
const relaid = (text: string): string => {
  layouts += 1;
  const id = layouts.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'.charAt(Number(d)));
  // Laid out anew character by character, not through JSON.parse: a repeated key must stay.
  const indent = ' '.repeat(1 + (layouts % 3));
  let out = '';
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    out += char;
    if (inString) {
      if (char === '\\') out += text.charAt(++index);
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === ',' || char === '{' || char === '[') out += `\n${indent}`;
    else if (char === ':') out += ' ';
  }
  return text.includes('"Id"') ? out : out.replace('{', `{"Id": "layout${id}", `);
};

describe('bucket-policy text templates', () => {
  it('give a policy exactly the verdict it gets judged the whole way', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyTemplate,
        fc.oneof(assignmentPair, fc.tuple(assignment, assignment)),
        fc.constantFrom(...BUCKETS),
        fc.constantFrom(...BUCKETS),
        fc.constantFrom(...RULES),
        fc.constantFrom(...PARAMS),
        async (shape, [first, second], firstName, secondName, rule, raw) => {
          // Prepare: the first policy leaves a template for the second.
          const known = rule.id === s3BucketPolicyTlsOnly.id ? { exemptions: raw.exemptions } : raw;
          const params = parseParams(
            rule.id,
            rule.parameters,
            Object.fromEntries(Object.entries(known).filter(([, v]) => v !== undefined)),
          );
          const judge = (name: string, text: string) => {
            const bucket = bucketNamed(name, text);
            return rule.evaluate(bucket, SnapshotView.fromResources([bucket]), params as never);
          };
          await judge(firstName, fill(shape, first, firstName));
          const text = fill(shape, second, secondName);

          // Act
          const templated = await judge(secondName, text);
          const whole = await judge(secondName, relaid(text));

          // Assess
          expect(templated).toEqual(whole);
        },
      ),
      { numRuns: 800 },
    );
  }, 240_000);
});

const R = '"Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"]';
const deny = (condition: string, sid = 'DenyOutside', resource = R) =>
  `{"Sid":"${sid}","Effect":"Deny","Principal":"*","Action":"s3:*",${resource},"Condition":${condition}}`;
const policyOf = (...statements: string[]) =>
  `{"Version":"2012-10-17","Statement":[${statements.join(',')}]}`;
const allow = (action: string, extra?: string) =>
  `{"Sid":"AllowApp1","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ACCOUNT}:role/app"},"Action":${action},${R}${extra ? `,${extra}` : ''}}`;
const VPCE = '{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}';

// Pairs found by an adversarial review: the first text leaves a template, the second must still
// get its own verdict (each is a text that once took a wrong one).
const PAIRS: [string, string, string, string][] = [
  [
    'an escaped copy of the bucket ARN',
    policyOf(
      deny(
        '{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}',
        'D',
        '"Resource":["arn:aws:s3:::acme-data","arn:aws:s3:::acme-data\\/*"]',
      ),
    ),
    policyOf(
      deny(
        '{"StringNotEquals":{"aws:SourceVpce":"vpce-0fedcba9876543210"}}',
        'D',
        '"Resource":["arn:aws:s3:::other-bucket","arn:aws:s3:::acme-data\\/*"]',
      ),
    ),
    'other-bucket',
  ],
  [
    'an escaped copy of a renamed id',
    policyOf(
      deny('{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}'),
      deny('{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef\\u0030"}}', 'DenyRetired'),
    ),
    policyOf(
      deny('{"StringNotEquals":{"aws:SourceVpce":"vpce-0fedcba9876543210"}}'),
      deny('{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef\\u0030"}}', 'DenyRetired'),
    ),
    'B',
  ],
  [
    'a number equal to a renamed string',
    policyOf(
      deny('{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}'),
      deny('{"StringEquals":{"aws:VpceAccount":["444455556666",444455556666]}}', 'DenyPartner'),
    ),
    policyOf(
      deny('{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}'),
      deny('{"StringEquals":{"aws:VpceAccount":["777788889999",444455556666]}}', 'DenyPartner'),
    ),
    'B',
  ],
  [
    'the bucket ARN in a condition',
    policyOf(
      deny(
        '{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"},"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::acme-data"}}',
        'D',
        '"Resource":["arn:aws:s3:::acme-data","arn:aws:s3:::acme-data/*"]',
      ),
    ),
    policyOf(
      deny(
        '{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"},"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::other-bucket"}}',
        'D',
        '"Resource":["arn:aws:s3:::other-bucket","arn:aws:s3:::other-bucket/*"]',
      ),
    ),
    'other-bucket',
  ],
  [
    'an empty Sid',
    policyOf(deny('{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}')),
    policyOf(deny('{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}', '')),
    'B',
  ],
  // Valid Allow statements stand as one mark in a skeleton (template-tokens.ts).
  [
    'an Allow the policy parser refuses, after a valid one',
    policyOf(allow('"s3:GetObject"'), deny(VPCE)),
    policyOf(allow('[]'), deny(VPCE)),
    'B',
  ],
  [
    'a valid Allow of another shape',
    policyOf(allow('"s3:GetObject"'), deny(VPCE)),
    policyOf(
      allow(
        '["s3:PutObject","s3:GetObject"]',
        '"Condition":{"Bool":{"aws:SecureTransport":"true"}}',
      ),
      deny(VPCE),
    ),
    'B',
  ],
  [
    'an Allow whose Effect is given again as Deny',
    policyOf(allow('"s3:GetObject"'), deny(VPCE)),
    policyOf(allow('"s3:*"', '"Effect":"Deny"'), deny(VPCE)),
    'B',
  ],
];

describe('bucket-policy text templates: review cases', () => {
  it.each(PAIRS)('give each policy its own verdict (%s)', async (_, first, second, secondName) => {
    // Prepare
    const rule = s3BucketPolicyVpceOnly;
    const params = parseParams(rule.id, rule.parameters, {});
    const judge = (name: string, text: string) => {
      const bucket = bucketNamed(name, text.replaceAll('arn:aws:s3:::B', `arn:aws:s3:::${name}`));
      return rule.evaluate(bucket, SnapshotView.fromResources([bucket]), params as never);
    };
    await judge(first.includes('acme-data') ? 'acme-data' : 'B', first);

    // Act
    const templated = await judge(secondName, second);
    const whole = await judge(
      secondName,
      relaid(second.replaceAll('arn:aws:s3:::B', `arn:aws:s3:::${secondName}`)),
    );

    // Assess
    expect(templated).toEqual(whole);
  });
});

describe('bucket-policy verdicts: text spelled like a placeholder', () => {
  it('shows exemptions and Allow labels as written', async () => {
    // Prepare: an exemption and an Allow Sid spelled like the placeholders.
    const rule = s3BucketPolicyTlsOnly;
    const exemption = `arn:aws:iam::${ACCOUNT}:role/__vpce_guard_bucket__`;
    const params = parseParams(rule.id, rule.parameters, {
      exemptions: JSON.stringify({ 'aws:PrincipalArn': [exemption] }),
    });
    const judge = (text: string) => {
      const bucket = bucketNamed('acme-data', text);
      return rule.evaluate(bucket, SnapshotView.fromResources([bucket]), params as never);
    };
    const denied = policyOf(
      deny('{"Bool":{"aws:SecureTransport":"false"}}', '__vg_sid1__').replaceAll(
        'arn:aws:s3:::B',
        'arn:aws:s3:::acme-data',
      ),
    );
    const allowOnly = `{"Version":"2012-10-17","Statement":[{"Sid":"__vpce_guard_bucket__","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-data/*"}]}`;

    // Act
    const compliant = await judge(denied);
    const open = await judge(allowOnly);

    // Assess
    expect(compliant.detail).toContain(exemption);
    expect(compliant.annotation).toContain('__vg_sid1__');
    expect(open.annotation).toContain('statement "__vpce_guard_bucket__" is an Allow');
  });
});

// Allow statements the parser accepts and ones it refuses (template-tokens.ts cuts only the first).
const allowPart = {
  principal: fc.constantFrom(
    '"Principal":"*"',
    `"Principal":{"AWS":"arn:aws:iam::${ACCOUNT}:role/app"}`,
    `"Principal":{"AWS":["arn:aws:iam::${ACCOUNT}:role/app","arn:aws:iam::444455556666:root"]}`,
    '"Principal":{}',
    '"NotPrincipal":{"AWS":"*"},"Principal":"*"',
    '',
  ),
  action: fc.constantFrom(
    '"Action":"s3:GetObject"',
    '"Action":["s3:GetObject","s3:PutObject"]',
    '"NotAction":"s3:DeleteBucket"',
    '"Action":[]',
    '"Action":"s3:*","NotAction":"s3:GetObject"',
  ),
  resource: fc.constantFrom(
    '"Resource":"arn:aws:s3:::B/*"',
    '"Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"]',
    '"Resource":"*"',
    '"Resource":[""]',
  ),
  condition: fc.constantFrom(
    '',
    ',"Condition":{"Bool":{"aws:SecureTransport":"true"}}',
    ',"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}',
    ',"Condition":{"Foo:StringEquals":{"aws:SourceVpce":"x"}}',
    ',"Condition":"no"',
  ),
  effect: fc.constantFrom(
    '"Effect":"Allow"',
    '"Effect":"Deny","Effect":"Allow"',
    '"Effect":"Allow","Effect":"Deny"',
  ),
};

const allowStatement = fc
  .record(allowPart)
  .map(
    ({ principal, action, resource, condition, effect }) =>
      `{"Sid":"Grant",${effect},${[principal, action, resource].filter((part) => part !== '').join(',')}${condition}}`,
  );

describe('bucket-policy text templates: Allow statements', () => {
  it('give a policy the verdict it gets judged the whole way, whatever its Allows', async () => {
    const guards = [
      deny('{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}'),
      deny('{"Bool":{"aws:SecureTransport":"false"}}', 'DenyPlainHttp'),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(allowStatement, { minLength: 1, maxLength: 2 }),
        fc.array(allowStatement, { minLength: 1, maxLength: 2 }),
        fc.nat(2),
        fc.constantFrom(...RULES),
        async (firstAllows, secondAllows, at, rule) => {
          // Prepare: two policies with the same guards at the same place, different grants.
          const params = parseParams(rule.id, rule.parameters, {});
          const judge = (name: string, text: string) => {
            const bucket = bucketNamed(
              name,
              text.replaceAll('arn:aws:s3:::B', `arn:aws:s3:::${name}`),
            );
            return rule.evaluate(bucket, SnapshotView.fromResources([bucket]), params as never);
          };
          const place = (allows: string[]) => {
            const statements = [...guards];
            statements.splice(Math.min(at, statements.length), 0, ...allows);
            return policyOf(...statements);
          };
          await judge('acme-data', place(firstAllows));
          const text = place(secondAllows);

          // Act
          const templated = await judge('other-bucket', text);
          const whole = await judge(
            'other-bucket',
            relaid(text.replaceAll('arn:aws:s3:::B', 'arn:aws:s3:::other-bucket')),
          );

          // Assess
          expect(templated).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abstractPolicy, analyseFenceCached } from '../../src/policy/cache.js';
import { parsePolicy } from '../../src/policy/document.js';
import { analyseFence } from '../../src/policy/fence.js';
import { analysePerimeter, trustOf } from '../../src/policy/perimeter.js';
import { ACCOUNT, DEFAULTS, NETWORK, VPCE } from './fences.js';

/*
 * Analyser-level checks for the confirmed wrong verdicts of the issue-8 review (the rule-level
 * cases are fixtures named review-*.json under test/fixtures/rules/).
 */

const bucketFacts = (name: string) => ({
  name,
  arn: `arn:aws:s3:::${name}`,
  partition: 'aws',
  account: ACCOUNT,
});

const denyOutside = (resource: Record<string, unknown>, condition: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        ...resource,
        Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE }, ...condition },
      },
    ],
  });

describe('anonymous callers carry no aws:PrincipalIsAWSService', () => {
  it.each(['Bool', 'StringEquals'])(
    'lets anonymous callers past a Deny conditioned on %s aws:PrincipalIsAWSService "false"',
    (operator) => {
      // Prepare
      const text = denyOutside(
        { Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'] },
        { [operator]: { 'aws:PrincipalIsAWSService': 'false' } },
      );

      // Act
      const result = analyseFence(
        parsePolicy(text),
        bucketFacts('examplebucket'),
        NETWORK,
        DEFAULTS,
      );

      // Assess
      expect(result.compliant).toBe(false);
      const anonymous = result.escapes.find((e) => e.counterexample.principal === '*');
      expect(anonymous?.counterexample.context['aws:PrincipalIsAWSService']).toBeNull();
    },
  );

  it('still denies anonymous callers under BoolIfExists aws:PrincipalIsAWSService "false"', () => {
    // Prepare
    const text = denyOutside(
      { Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'] },
      { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
    );

    // Act
    const result = analyseFence(parsePolicy(text), bucketFacts('examplebucket'), NETWORK, DEFAULTS);

    // Assess
    expect(result.compliant).toBe(true);
  });
});

describe('organization keys of an endpoint outside any organization', () => {
  it('shows the escape through an endpoint that carries no aws:VpceOrgID', () => {
    // Prepare
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'],
          Condition: { Null: { 'aws:SourceVpce': 'true' } },
        },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'],
          Condition: {
            StringNotEquals: { 'aws:VpceOrgID': 'o-a1b2c3d4e5' },
            Null: { 'aws:VpceOrgID': 'false' },
          },
        },
      ],
    });

    // Act
    const result = analyseFence(
      parsePolicy(text),
      bucketFacts('examplebucket'),
      { ...NETWORK, trustedOrgIds: ['o-a1b2c3d4e5'] },
      DEFAULTS,
    );

    // Assess
    expect(result.compliant).toBe(false);
    const context = result.escapes[0]?.counterexample.context ?? {};
    expect(context['aws:SourceVpce']).not.toBeNull();
    expect(context['aws:VpceOrgID']).toBeNull();
  });
});

// Resource patterns that stress the shape cache: the bucket's own ARNs, JSON-escaped or not,
// wildcards that may or may not match the name, and the placeholder's own text.
const RESOURCES = [
  'arn:aws:s3:::examplebucket',
  'arn:aws:s3:::examplebucket/*',
  'arn:aws:s3:::examplebucket/public/*',
  'arn:aws:s3:::example*',
  'arn:aws:s3:::example?ucket/*',
  'arn:aws:s3::?_*',
  'arn:aws:s3:::_*',
  'arn:aws:s3:::*/*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::__vpce_guard_bucket__/*',
  'arn:aws:s3:::other/*',
  'arn:aws:ec2:*:*:vpc/*',
  '*',
  '*bucket',
];

describe('shape cache', () => {
  it('gives the answer of the uncached analysis, whatever the resources and their JSON escapes', () => {
    fc.assert(
      fc.property(
        fc.subarray(RESOURCES, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.constantFrom('examplebucket', 'example-bucket', 'exampleXucket'),
        fc.boolean(),
        (resources, not, name, escaped) => {
          // Prepare
          const plain = denyOutside(not ? { NotResource: resources } : { Resource: resources });
          const text = escaped ? plain.replaceAll('/', '\\/').replaceAll('_', '\\u005f') : plain;
          const bucket = bucketFacts(name);

          // Act
          const cached = analyseFenceCached(text, bucket, NETWORK, DEFAULTS);
          const direct = analyseFence(parsePolicy(text), bucket, NETWORK, DEFAULTS);

          // Assess
          expect(cached.compliant).toBe(direct.compliant);
          expect(cached.escapingActions).toEqual(direct.escapingActions);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('abstracts the bucket only where the name cannot change the answer', () => {
    // Prepare
    const of = (resource: string) =>
      parsePolicy(denyOutside({ Resource: resource })).statements.map((s) => s.resources);

    // Act
    const shared = abstractPolicy(
      parsePolicy(denyOutside({ Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::*/x'] })),
      'examplebucket',
      'aws',
    );

    // Assess
    expect(shared?.policy.statements[0]?.resources.patterns).toEqual([
      'arn:aws:s3:::__vpce_guard_bucket__',
      'arn:aws:s3:::*/x',
    ]);
    for (const resource of ['arn:aws:s3:::example*', 'arn:aws:s3::?_*', '*bucket']) {
      expect(of(resource)).toBeDefined();
      expect(
        abstractPolicy(parsePolicy(denyOutside({ Resource: resource })), 'examplebucket', 'aws'),
      ).toBeUndefined();
    }
  });
});

describe('counterexamples AWS can send', () => {
  it('gives a role session its role ARN as aws:PrincipalArn', () => {
    // Prepare
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/BreakGlass/s`;
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: [session] },
          Action: 's3:*',
          Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'],
          Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE } },
        },
      ],
    });

    // Act
    const result = analyseFence(parsePolicy(text), bucketFacts('examplebucket'), NETWORK, {});

    // Assess
    const bySession = result.escapes.find((e) => e.counterexample.principal === session);
    expect(bySession?.counterexample.context['aws:PrincipalArn']).toBe(
      `arn:aws:iam::${ACCOUNT}:role/BreakGlass`,
    );
    for (const found of result.escapes) {
      expect(String(found.counterexample.context['aws:PrincipalArn'])).not.toContain(':sts:');
    }
  });

  it('names objects with keys of at least one character', () => {
    // Prepare
    const text = denyOutside({ Resource: 'arn:aws:s3:::examplebucket/?*' });

    // Act
    const result = analyseFence(parsePolicy(text), bucketFacts('examplebucket'), NETWORK, DEFAULTS);

    // Assess
    expect(result.compliant).toBe(false);
    for (const found of result.escapes) {
      expect(found.counterexample.resource).not.toBe('arn:aws:s3:::examplebucket/');
    }
  });

  it('gives a principal pattern with a wildcard account a 12-digit account', () => {
    // Prepare
    const text = denyOutside(
      { Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'] },
      { StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::11112222333?:user/*' } },
    );

    // Act
    const result = analyseFence(parsePolicy(text), bucketFacts('examplebucket'), NETWORK, DEFAULTS);

    // Assess
    expect(result.compliant).toBe(false);
    for (const found of result.escapes) {
      const account = found.counterexample.context['aws:PrincipalAccount'];
      if (account !== null) expect(account).toMatch(/^\d{12}$/);
    }
  });
});

describe('actions AWS adds later', () => {
  const twoDenies = (first: Record<string, unknown>, second: Record<string, unknown>) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [first, second].map((actions) => ({
        Effect: 'Deny',
        Principal: '*',
        ...actions,
        Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'],
        Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE } },
      })),
    });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, boolean]>([
    [
      'a literal NotAction exclusion',
      { NotAction: 's3:GetObject' },
      { Action: 's3:GetObject' },
      false,
    ],
    ['a wildcard NotAction exclusion', { NotAction: 's3:Get*' }, { Action: 's3:Get*' }, true],
  ])('says whether the Deny covers them with %s', (_, first, second, explicit) => {
    // Act
    const result = analyseFence(
      parsePolicy(twoDenies(first, second)),
      bucketFacts('examplebucket'),
      NETWORK,
      DEFAULTS,
    );

    // Assess
    expect(result.compliant).toBe(true);
    expect(result.explicitActionsOnly).toBe(explicit);
  });
});

describe('undecided comparisons', () => {
  it('says a numeric comparison cannot be decided without showing a made-up value', () => {
    // Prepare
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'],
          Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
        },
      ],
    });

    // Act
    const result = analyseFence(
      parsePolicy(text),
      bucketFacts('examplebucket'),
      { kind: 'tls' },
      DEFAULTS,
    );

    // Assess
    const texts = result.escapes.flatMap((e) => e.misses.map((m) => m.text));
    expect(texts.some((t) => t.includes('does not compare numbers or dates'))).toBe(true);
    expect(texts.join('\n')).not.toContain('(any value)');
  });
});

describe('organization paths in endpoint counterexamples', () => {
  it('shows one well-formed path per key', () => {
    // Prepare
    const policy = parsePolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: '*',
          Resource: '*',
          Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/*' } },
        },
      ],
    });
    const endpoint = {
      id: 'vpce-0d1e2f3a4b5c6d7e8',
      vpcId: 'vpc-0f1e2d3c4b5a69788',
      account: ACCOUNT,
      partition: 'aws',
      region: 'eu-west-1',
      prefix: 's3',
    };

    // Act
    const result = analysePerimeter(policy, endpoint, trustOf(policy, [], ['o-bbbbbbbbbb']));

    // Assess
    expect(result.compliant).toBe(false);
    for (const found of result.escapes) {
      for (const key of ['aws:PrincipalOrgPaths', 'aws:ResourceOrgPaths']) {
        const value = found.counterexample.context[key];
        if (value !== null && value !== undefined) {
          expect(value).toMatch(/^o-[a-z0-9]{10,32}\/r-[a-z0-9]{4,32}\//);
        }
      }
    }
  });
});

describe('resources in endpoint counterexamples', () => {
  it('names a bucket anyone could create and an object key', () => {
    // Prepare
    const policy = parsePolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::corp-*/*',
        },
      ],
    });
    const endpoint = {
      id: 'vpce-0d1e2f3a4b5c6d7e8',
      vpcId: 'vpc-0f1e2d3c4b5a69788',
      account: ACCOUNT,
      partition: 'aws',
      region: 'eu-west-1',
      prefix: 's3',
    };

    // Act
    const result = analysePerimeter(policy, endpoint, trustOf(policy, [], []));

    // Assess
    expect(result.compliant).toBe(false);
    expect(result.escapes[0]?.counterexample.resource).toMatch(
      /^arn:aws:s3:::corp-[a-z0-9-]*[a-z0-9]\/.+$/,
    );
  });
});

describe("second review: keys and texts spelled like the analyser's own names", () => {
  it.each(['Resource', 'action', 'Principal', 'constructor', '__proto__', 'toString'])(
    'counts a condition on a key named %s as undecided, never crashing',
    (key) => {
      // Prepare
      const text = denyOutside(
        { Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'] },
        { StringNotEquals: { 'aws:SourceVpce': VPCE, [key]: 'x' } },
      );

      // Act
      const result = analyseFence(
        parsePolicy(text),
        bucketFacts('examplebucket'),
        NETWORK,
        DEFAULTS,
      );

      // Assess
      expect(result.compliant).toBe(false);
      expect(result.undecided.join(' ')).toContain(`${key} is not a condition key`);
    },
  );

  it.each([
    [
      'a Deny principal',
      {
        Principal: undefined,
        NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:user/__vpce_guard_bucket__` },
      },
    ],
    [
      'a Deny condition',
      { Condition: { StringNotEquals: { 'aws:userid': '__vpce_guard_bucket__' } } },
    ],
  ])('shows a placeholder-like literal in %s as written', (_, extra) => {
    // Prepare
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'D',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'],
          ...extra,
        },
      ],
    });
    const bucket = bucketFacts('examplebucket');

    // Act
    const cached = analyseFenceCached(text, bucket, NETWORK, DEFAULTS);
    const direct = analyseFence(parsePolicy(text), bucket, NETWORK, DEFAULTS);

    // Assess
    expect(cached.escapes).toEqual(direct.escapes);
  });
});

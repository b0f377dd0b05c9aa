/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables and escapes are the subject here. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidParametersError } from '../../src/errors.js';
import type { Bucket, PolicySource, VpcEndpoint } from '../../src/model/resources.js';
import { parsePolicy } from '../../src/policy/document.js';
import { policyText, vpceOnlyStatement } from '../../src/rules/example-policies.js';
import { parseParams } from '../../src/rules/params.js';
import { s3BucketPolicyVpceOnly as rule } from '../../src/rules/s3-bucket-policy-vpce-only.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

const NAME = 'acme-cardholder-data';
const ACCOUNT = '111122223333';
const ARN = `arn:aws:s3:::${NAME}`;
const VPCE = 'vpce-0a1b2c3d4e5f67890';
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/BreakGlass`;

const bucketWith = (policy: PolicySource, extra: Partial<Bucket> = {}): Bucket => ({
  type: 'AWS::S3::Bucket',
  id: NAME,
  name: NAME,
  accountId: ACCOUNT,
  region: 'eu-west-1',
  tags: {},
  policy,
  ...extra,
});

const present = (statements: unknown[], version = '2012-10-17'): PolicySource => ({
  kind: 'present',
  text: JSON.stringify({ Version: version, Statement: statements }),
});

const evaluate = (bucket: Bucket, raw: Record<string, unknown> = {}, extra: unknown[] = []) =>
  rule.evaluate(
    bucket,
    SnapshotView.fromResources([bucket, ...(extra as VpcEndpoint[])]),
    parseParams(rule.id, rule.parameters, raw),
  );

const deny = (condition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Sid: 'DenyOutsideVpce',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [ARN, `${ARN}/*`],
  Condition: condition,
  ...extra,
});

const outsideVpce = { StringNotEquals: { 'aws:SourceVpce': VPCE } };

describe('s3-bucket-policy-vpce-only', () => {
  describe('metadata', () => {
    it('accepts its own remediation example under the default exemptions', async () => {
      // Prepare
      const text = (rule.remediationExample ?? '').replaceAll('amzn-s3-demo-bucket', NAME);
      expect(parsePolicy(text).statements.length).toBeGreaterThan(0);

      // Act
      const verdict = await evaluate(bucketWith({ kind: 'present', text }));

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
    });

    it('names exemptions in its parameters, not exemptionConditionKeys', () => {
      expect(Object.keys(rule.parameters)).toContain('exemptions');
      expect(() =>
        parseParams(rule.id, rule.parameters, { exemptionConditionKeys: 'aws:PrincipalArn' }),
      ).toThrow(/replaced by exemptions/);
    });
  });

  describe('exemptions parameter', () => {
    const carveOut = [deny({ ...outsideVpce, ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS } })];

    it('accepts a carve-out contained in the exemptions, given as an object or as JSON text', async () => {
      const value = { 'aws:PrincipalArn': [BREAK_GLASS] };
      for (const exemptions of [value, JSON.stringify(value)]) {
        const verdict = await evaluate(bucketWith(present(carveOut)), { exemptions });
        expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
      }
    });

    it('rejects the same carve-out under the default exemptions, with a request that gets in', async () => {
      // Act
      const verdict = await evaluate(bucketWith(present(carveOut)));

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.counterexample?.principal).toBe(BREAK_GLASS);
      expect(verdict.counterexample?.context['aws:PrincipalArn']).toBe(BREAK_GLASS);
      expect(verdict.annotation).toContain('BreakGlass');
    });

    it('rejects a carve-out wider than the accepted values', async () => {
      const wide = [
        deny({
          ...outsideVpce,
          ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/*` },
        }),
      ];
      const verdict = await evaluate(bucketWith(present(wide)), {
        exemptions: { 'aws:PrincipalArn': [BREAK_GLASS] },
      });
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.counterexample?.principal).not.toBe(BREAK_GLASS);
      expect(verdict.counterexample?.principal).toMatch(/^arn:aws:iam::111122223333:role\//);
    });

    it('fills {account} and {partition} from the bucket', async () => {
      const verdict = await evaluate(
        bucketWith(
          present([
            deny({
              ...outsideVpce,
              ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Ops*` },
            }),
          ]),
        ),
        { exemptions: { 'aws:PrincipalArn': ['arn:{partition}:iam::{account}:role/Ops*'] } },
      );
      expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
    });

    it('rejects unknown keys and malformed values', () => {
      const parse = (exemptions: unknown) => () =>
        parseParams(rule.id, rule.parameters, { exemptions });
      expect(parse({ 'aws:SourceVpcee': ['x'] })).toThrow(InvalidParametersError);
      expect(parse({ 'aws:SourceIp': ['not-an-ip'] })).toThrow(/not an IP address/);
      expect(parse('{not json')).toThrow(/JSON object/);
      expect(parse(['aws:PrincipalArn'])).toThrow(/JSON object/);
    });
  });

  describe('request-space verdicts', () => {
    it.each([
      [
        'every IAM user of every account',
        { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } },
      ],
      ['every role session', { StringNotLike: { 'aws:userid': 'AROA*' } }],
      ['half of the IPv4 internet', { NotIpAddress: { 'aws:SourceIp': '0.0.0.0/1' } }],
      ['every IPv6 caller', { NotIpAddress: { 'aws:SourceIp': '::/0' } }],
      ['account 444455556666', { StringNotEquals: { 'aws:PrincipalAccount': '444455556666' } }],
      ['account 999999999999', { StringNotEquals: { 'aws:PrincipalAccount': '999999999999' } }],
    ])('rejects a carve-out for %s with a counterexample', async (_name, carve) => {
      const verdict = await evaluate(bucketWith(present([deny({ ...outsideVpce, ...carve })])), {
        exemptions: { 'aws:PrincipalArn': [BREAK_GLASS] },
      });
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.counterexample).toBeDefined();
      expect(verdict.detail).toContain('For example');
    });

    it.each(['vpce-0a*', '*f*', 'vpce-*', '*'])(
      'rejects StringNotLike aws:SourceVpce %s: anyone can create a matching endpoint',
      async (pattern) => {
        const verdict = await evaluate(
          bucketWith(present([deny({ StringNotLike: { 'aws:SourceVpce': pattern } })])),
        );
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        const vpce = verdict.counterexample?.context['aws:SourceVpce'];
        expect(
          typeof vpce === 'string' && vpce.startsWith('vpce-') ? 'through an endpoint' : vpce,
        ).toBeTruthy();
      },
    );

    it('counts a carve-out whose principal patterns are too many to tell apart as letting requests in', async () => {
      // Prepare: each pattern remembers the last eleven characters; together they pass the class
      // search's bound, and the roles they spare (any account) must not vanish from the analysis.
      const tail = '?'.repeat(10);
      const carve = {
        ArnNotLike: {
          'aws:PrincipalArn': [`arn:aws:iam::*:role/*a${tail}`, `arn:aws:iam::*:role/*b${tail}`],
        },
      };
      const buckets = [NAME, `${NAME}-replica`].map((name) => {
        const arn = `arn:aws:s3:::${name}`;
        return bucketWith(
          present([deny({ ...outsideVpce, ...carve }, { Resource: [arn, `${arn}/*`] })]),
          {
            id: name,
            name,
          },
        );
      });

      // Act
      const verdicts = [];
      for (const bucket of buckets) verdicts.push(await evaluate(bucket));

      // Assess
      for (const verdict of verdicts) {
        expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
        expect(verdict.detail).toContain('too many patterns to tell apart');
      }
    });

    it('counts a NotResource whose object patterns are too many to tell apart as letting requests in', async () => {
      // Prepare: the objects these patterns spare must not vanish when the class search stops.
      const tail = '?'.repeat(10);
      const statement = {
        ...deny(outsideVpce),
        Resource: undefined,
        NotResource: [`${ARN}/*a${tail}`, `${ARN}/*b${tail}`],
      };

      // Act
      const verdict = await evaluate(bucketWith(present([statement])));

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
      expect(verdict.detail).toContain('Resource patterns of the policy are too many');
    });

    it('rejects a Deny that writes one Condition operator twice, for each bucket of the template', async () => {
      // Prepare: JSON.parse keeps the fence and drops the carve-out; AWS documents neither reading.
      const text = (name: string) =>
        `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::${name}","arn:aws:s3:::${name}/*"],"Condition":{"StringNotEquals":{"aws:PrincipalArn":"${BREAK_GLASS}"},"StringNotEquals":{"aws:SourceVpce":"${VPCE}"}}}]}`;
      const buckets = [NAME, `${NAME}-replica`].map((name) =>
        bucketWith({ kind: 'present', text: text(name) }, { id: name, name }),
      );

      // Act
      const verdicts = [];
      for (const bucket of buckets) verdicts.push(await evaluate(bucket));

      // Assess
      for (const verdict of verdicts) {
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain('"StringNotEquals" twice');
      }
    });

    it('accepts a wildcard value contained in allowedVpceIds', async () => {
      const verdict = await evaluate(
        bucketWith(present([deny({ StringNotLike: { 'aws:SourceVpce': 'vpce-0a1b*' } })])),
        { allowedVpceIds: 'vpce-0a1b*' },
      );
      expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
    });

    it('treats ${...} as a variable under 2012-10-17 and as literal text without a Version', async () => {
      const statements = [deny({ StringNotEquals: { 'aws:SourceVpce': '${aws:SourceVpce}' } })];
      const live = await evaluate(bucketWith(present(statements)));
      expect(live.compliance).toBe('NON_COMPLIANT');
      expect(live.detail).toContain('policy variable');
      const literal = await evaluate(
        bucketWith({ kind: 'present', text: JSON.stringify({ Statement: statements }) }),
      );
      expect(literal.compliance, literal.annotation).toBe('COMPLIANT');
    });

    it('judges a GovCloud bucket without an ARN against arn:aws-us-gov resources', async () => {
      const gov = `arn:aws-us-gov:s3:::${NAME}`;
      const verdict = await evaluate(
        bucketWith(present([deny(outsideVpce, { Resource: [gov, `${gov}/*`] })]), {
          region: 'us-gov-west-1',
          arn: undefined,
        }),
      );
      expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
    });

    it('counts an aws:VpceAccount fence on the bucket account, with a Null test for direct requests', async () => {
      const statements = [
        deny({ StringNotEquals: { 'aws:VpceAccount': ACCOUNT } }),
        deny({ Null: { 'aws:SourceVpce': 'true' } }, { Sid: 'DenyDirect' }),
      ];
      expect((await evaluate(bucketWith(present(statements)))).compliance).toBe('COMPLIANT');
      const foreign = [
        deny({ StringNotEquals: { 'aws:VpceAccount': '999999999999' } }),
        statements[1],
      ];
      expect((await evaluate(bucketWith(present(foreign)))).compliance).toBe('NON_COMPLIANT');
    });

    it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
      ['aws:VpceAccount', { StringNotEquals: { 'aws:VpceAccount': ACCOUNT } }, {}],
      [
        'aws:VpceOrgID',
        { StringNotEquals: { 'aws:VpceOrgID': 'o-a1b2c3d4e5' } },
        { trustedOrgIds: 'o-a1b2c3d4e5' },
      ],
    ])(
      'rejects an %s fence when allowedVpceIds pins the approved endpoints: other endpoints of the account get in',
      async (_key, condition, extra) => {
        // Prepare
        const statements = [deny(condition)];

        // Act
        const verdict = await evaluate(bucketWith(present(statements)), {
          allowedVpceIds: VPCE,
          ...extra,
        });
        const unpinned = await evaluate(bucketWith(present(statements)), extra);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        const through = verdict.counterexample?.context['aws:SourceVpce'];
        expect(typeof through === 'string' && through !== VPCE).toBe(true);
        expect(unpinned.compliance, unpinned.annotation).toBe('COMPLIANT');
      },
    );

    it('says that a Deny of everything also locks out the approved endpoints', async () => {
      const verdict = await evaluate(
        bucketWith(
          present([
            { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [ARN, `${ARN}/*`] },
          ]),
        ),
      );
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('nobody gets in');
    });

    it('names the escaping actions and notes that explicit action lists miss future actions', async () => {
      const some = await evaluate(
        bucketWith(
          present([
            deny(outsideVpce, { Action: 's3:*', NotAction: undefined, Resource: `${ARN}/*` }),
          ]),
        ),
      );
      expect(some.detail).toMatch(/s3:\w+ on the bucket/);
      const explicit = await evaluate(
        bucketWith(
          present([
            deny(outsideVpce, {
              Action: [
                's3:Get*',
                's3:Put*',
                's3:List*',
                's3:Delete*',
                's3:Abort*',
                's3:Bypass*',
                's3:Create*',
                's3:Initiate*',
                's3:Pause*',
                's3:Replicate*',
                's3:Restore*',
                's3:Object*',
                's3:Update*',
                's3:Allow*',
                's3:Rename*',
                's3:Write*',
                's3:Describe*',
                's3:Submit*',
                's3:Associate*',
                's3:Dissociate*',
                's3:Tag*',
                's3:Untag*',
              ],
            }),
          ]),
        ),
      );
      if (explicit.compliance === 'COMPLIANT') {
        expect(explicit.annotation).toContain('actions AWS adds later');
      } else {
        expect(explicit.detail).toContain('Escaping actions');
      }
    });
  });

  describe('verifyEndpoints', () => {
    it('gives a counterexample through an endpoint the account does not own', async () => {
      const verdict = await evaluate(bucketWith(present([deny(outsideVpce)])), {
        verifyEndpoints: true,
      });
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.counterexample?.context['aws:SourceVpce']).toBe(VPCE);
    });
  });

  describe('annotations', () => {
    it('are at most 256 characters, never cut, for any bucket name and generated carve-outs', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.stringMatching(/^[a-z0-9][a-z0-9.-]{2,62}$/),
          fc.subarray(
            [
              'arn:aws:iam::*:user/*',
              BREAK_GLASS,
              'arn:aws:iam::444455556666:role/a-very-long-role-name-for-testing-annotations',
            ],
            { minLength: 1 },
          ),
          async (name, arns) => {
            const arn = `arn:aws:s3:::${name}`;
            const text = policyText([
              {
                ...vpceOnlyStatement(name, [VPCE]),
                Condition: { ...outsideVpce, ArnNotLike: { 'aws:PrincipalArn': arns } },
              },
              {
                Sid: 'Other',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:Get*',
                Resource: `${arn}/*`,
                Condition: { NotIpAddress: { 'aws:SourceIp': '0.0.0.0/1' } },
              },
            ]);
            const verdict = await evaluate(
              bucketWith({ kind: 'present', text }, { id: name, name }),
            );
            expect(verdict.annotation.length).toBeLessThanOrEqual(256);
            expect(verdict.annotation).not.toContain('[truncated]');
            expect(verdict.annotation.endsWith('.')).toBe(true);
          },
        ),
        { numRuns: 50 },
      );
    });
  });
});

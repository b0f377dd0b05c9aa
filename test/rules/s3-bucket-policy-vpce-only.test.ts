import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bucket, PolicySource } from '../../src/model/resources.js';
import { parsePolicy } from '../../src/policy/document.js';
import { evaluateRequest, type Request } from '../../src/policy/statement.js';
import { parseParams } from '../../src/rules/params.js';
import { s3BucketPolicyVpceOnly as rule } from '../../src/rules/s3-bucket-policy-vpce-only.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

const NAME = 'acme-cardholder-data';
const BUCKET_ARN = `arn:aws:s3:::${NAME}`;
const VPCE = 'vpce-0a1b2c3d4e5f67890';
const VPC = 'vpc-0f1e2d3c4b5a69788';

const bucketWith = (policy: PolicySource, extra: Partial<Bucket> = {}): Bucket => ({
  type: 'AWS::S3::Bucket',
  id: NAME,
  name: NAME,
  tags: {},
  policy,
  ...extra,
});

const present = (document: unknown): PolicySource => ({
  kind: 'present',
  text: JSON.stringify(document),
});

const evaluate = (bucket: Bucket, raw: Record<string, unknown> = {}) =>
  rule.evaluate(
    bucket,
    SnapshotView.fromResources([bucket]),
    parseParams(rule.id, rule.parameters, raw),
  );

const denyOutsideVpce = (extra: Record<string, unknown> = {}) => ({
  Sid: 'DenyOutsideVpce',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
  Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE } },
  ...extra,
});

describe('s3-bucket-policy-vpce-only', () => {
  describe('metadata', () => {
    it('declares the read APIs it needs and framework references', () => {
      // Assess
      expect(rule.title).toMatch(/^S3 buckets should /);
      expect(rule.iamActions).toEqual(
        expect.arrayContaining([
          's3:GetBucketPolicy',
          's3:GetBucketTagging',
          's3:ListAllMyBuckets',
        ]),
      );
      expect(rule.frameworks).toContainEqual({
        framework: 'PCI-DSS-4.0',
        id: '1.3.1',
        strength: 'evidence',
      });
      expect(rule.frameworks).toContainEqual({
        framework: 'PCI-DSS-4.0',
        id: '7.3.3',
        strength: 'supporting',
      });
      expect(() => parsePolicy(rule.remediationExample)).not.toThrow();
    });

    it('accepts its own remediation example when the break-glass key is exempted', async () => {
      // Prepare
      const example = (rule.remediationExample ?? '').replaceAll('amzn-s3-demo-bucket', NAME);

      // Act
      const strict = await evaluate(bucketWith({ kind: 'present', text: example }));
      const exempted = await evaluate(bucketWith({ kind: 'present', text: example }), {
        exemptionConditionKeys: 'aws:PrincipalArn',
      });

      // Assess
      expect(strict.compliance).toBe('NON_COMPLIANT');
      expect(exempted.compliance).toBe('COMPLIANT');
    });
  });

  describe('evaluate', () => {
    it('returns an unverifiable NON_COMPLIANT when the policy could not be read', async () => {
      // Prepare
      const bucket = bucketWith({
        kind: 'unreadable',
        reason: 'AccessDenied on s3:GetBucketPolicy',
      });

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toMatch(/^Could not verify/);
      expect(verdict.annotation).toContain('inside the VPC');
      expect(verdict.annotation).toContain('exemptionConditionKeys');
    });

    it('returns NOT_APPLICABLE for exempt buckets before reading the policy', async () => {
      // Prepare
      const bucket = bucketWith({ kind: 'unreadable', reason: 'AccessDenied' });

      // Act
      const verdict = await evaluate(bucket, { exemptBuckets: 'acme-*' });

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
    });

    it('returns COMPLIANT when a bucket tag matches the scope and the Deny is complete', async () => {
      // Prepare
      const bucket = bucketWith(present({ Statement: [denyOutsideVpce()] }), {
        tags: { 'data-class': 'pci' },
      });

      // Act
      const verdict = await evaluate(bucket, { bucketTagKey: 'data-class', bucketTagValue: 'pci' });

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('accepts NotPrincipal as a break-glass exception only when aws:PrincipalArn is exempt', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({
              Principal: undefined,
              NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/BreakGlass' },
            }),
          ],
        }),
      );

      // Act
      const strict = await evaluate(bucket);
      const exempted = await evaluate(bucket, { exemptionConditionKeys: 'aws:PrincipalArn' });

      // Assess
      expect(strict.compliance).toBe('NON_COMPLIANT');
      expect(strict.annotation).toContain('uses NotPrincipal');
      expect(exempted.compliance).toBe('COMPLIANT');
      expect(exempted.annotation).toContain('NotPrincipal in statement "DenyOutsideVpce"');
    });

    it('returns COMPLIANT for a NotResource Deny that excludes only other buckets', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({ Resource: undefined, NotResource: 'arn:aws:s3:::other-bucket/*' }),
          ],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('returns NON_COMPLIANT for a NotResource Deny that spares a prefix of this bucket', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({ Resource: undefined, NotResource: `${BUCKET_ARN}/public/*` }),
          ],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('its objects');
    });

    it('names the partial resource when the Deny reaches only a prefix of the objects', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [denyOutsideVpce({ Resource: [BUCKET_ARN, `${BUCKET_ARN}/cardholder/*`] })],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        `reaches only ${BUCKET_ARN}, ${BUCKET_ARN}/cardholder/* of its objects`,
      );
    });

    it('uses the partition of the bucket ARN', async () => {
      // Prepare
      const arn = `arn:aws-cn:s3:::${NAME}`;
      const bucket = bucketWith(
        present({ Statement: [denyOutsideVpce({ Resource: [arn, `${arn}/*`] })] }),
        {
          arn,
          region: 'cn-north-1',
        },
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('checks aws:SourceVpcArn values against allowedVpcIds', async () => {
      // Prepare
      const arnOf = (vpc: string) => `arn:aws:ec2:eu-west-1:111122223333:vpc/${vpc}`;
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({
              Condition: {
                ArnNotEquals: { 'aws:SourceVpcArn': [arnOf(VPC), arnOf('vpc-0aaaaaaaaaaaaaaaa')] },
              },
            }),
          ],
        }),
      );

      // Act
      const verdict = await evaluate(bucket, { allowedVpcIds: VPC });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('vpc-0aaaaaaaaaaaaaaaa');
      expect(verdict.annotation).toContain('not in allowedVpcIds');
    });

    it('rejects a Null test that denies only requests without an endpoint', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [denyOutsideVpce({ Condition: { Null: { 'aws:SourceVpce': 'true' } } })],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('other VPC endpoints');
    });

    it('notes wildcard values when no allow-list pins them', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({ Condition: { StringNotLike: { 'aws:SourceVpce': 'vpce-0a1b*' } } }),
          ],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('set allowedVpceIds/allowedVpcIds to pin them');
    });

    it('rejects invalid allow-list parameters', () => {
      // Act
      const act = () =>
        parseParams(rule.id, rule.parameters, { allowedVpceIds: 'vpc-0f1e2d3c4b5a69788' });

      // Assess
      expect(act).toThrow(/allowedVpceIds has invalid value/);
    });
  });

  describe('properties', () => {
    const principals = fc.constantFrom<unknown>(
      '*',
      { AWS: '*' },
      { AWS: 'arn:aws:iam::111122223333:root' },
      { AWS: ['111122223333', 'arn:aws:iam::444455556666:role/partner'] },
    );
    const actionPatterns = fc.constantFrom<string | string[]>(
      's3:*',
      '*',
      's3:GetObject',
      ['s3:Get*', 's3:Put*'],
      ['s3:List*', 's3:*Policy'],
    );
    const resources = fc.constantFrom<string | string[]>(
      [BUCKET_ARN, `${BUCKET_ARN}/*`],
      BUCKET_ARN,
      `${BUCKET_ARN}/*`,
      'arn:aws:s3:::acme-*',
      '*',
      `${BUCKET_ARN}/private/*`,
    );
    const networkEntries = fc.constantFrom<[string, string, string | string[]]>(
      ['StringNotEquals', 'aws:SourceVpce', VPCE],
      ['StringNotEqualsIfExists', 'aws:sourcevpce', [VPCE, 'vpce-0b2c3d4e5f6789012']],
      ['StringNotLike', 'aws:SourceVpce', 'vpce-*'],
      ['StringEquals', 'aws:SourceVpce', VPCE],
      ['ForAnyValue:StringNotEquals', 'aws:SourceVpce', VPCE],
      ['StringNotEquals', 'aws:SourceVpc', VPC],
      ['Null', 'aws:SourceVpce', 'true'],
    );
    const otherEntries = fc.constantFrom<[string, string, string | string[]]>(
      ['ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/BreakGlass'],
      ['StringEquals', 'aws:PrincipalTag/team', 'payments'],
      ['Bool', 'aws:ViaAWSService', 'false'],
      ['Bool', 'aws:SecureTransport', 'false'],
      ['NotIpAddress', 'aws:SourceIp', '203.0.113.0/24'],
    );
    const conditionOf = (entries: [string, string, string | string[]][]) => {
      const condition: Record<string, Record<string, string | string[]>> = {};
      for (const [operator, key, value] of entries) {
        condition[operator] = { ...condition[operator], [key]: value };
      }
      return condition;
    };
    const statement = fc.record({
      Effect: fc.constantFrom('Allow', 'Deny'),
      Principal: principals,
      actions: actionPatterns,
      notAction: fc.boolean(),
      Resource: resources,
      entries: fc.array(fc.oneof(networkEntries, networkEntries, otherEntries), { maxLength: 3 }),
    });
    const toStatement = (s: {
      Effect: string;
      Principal: unknown;
      actions: string | string[];
      notAction: boolean;
      Resource: string | string[];
      entries: [string, string, string | string[]][];
    }) => ({
      Effect: s.Effect,
      Principal: s.Principal,
      ...(s.notAction ? { NotAction: s.actions } : { Action: s.actions }),
      Resource: s.Resource,
      ...(s.entries.length > 0 ? { Condition: conditionOf(s.entries) } : {}),
    });
    const policies = fc.array(statement.map(toStatement), { minLength: 0, maxLength: 4 });
    // Deny statements built from the blocks that can make a policy compliant, so the soundness
    // property sees many COMPLIANT policies instead of skipping most runs.
    const likelyGuard = fc
      .record({
        Effect: fc.constant('Deny'),
        Principal: fc.constantFrom<unknown>('*', { AWS: '*' }),
        actions: fc.constantFrom<string | string[]>('s3:*', '*', ['s3:Get*', 's3:Put*']),
        notAction: fc.boolean(),
        Resource: resources,
        entries: fc.array(networkEntries, { minLength: 1, maxLength: 2 }),
      })
      .map(toStatement);
    const likelyCompliant = fc
      .tuple(fc.array(likelyGuard, { minLength: 1, maxLength: 2 }), policies)
      .map(([guards, rest]) => [...guards, ...rest]);
    const params = fc.record({
      exemptionConditionKeys: fc.constantFrom(
        '',
        'aws:PrincipalArn',
        'aws:PrincipalArn,aws:ViaAWSService',
      ),
      allowedVpceIds: fc.constantFrom('', VPCE),
    });
    const verdictOf = (statements: unknown[], raw: Record<string, unknown>) =>
      evaluate(bucketWith(present({ Version: '2012-10-17', Statement: statements })), raw);

    it('adding an Allow statement never changes the verdict', async () => {
      await fc.assert(
        fc.asyncProperty(policies, statement.map(toStatement), params, async (base, extra, raw) => {
          // Prepare
          const allow = { ...extra, Effect: 'Allow' };

          // Act
          const before = await verdictOf(base, raw);
          const after = await verdictOf([...base, allow], raw);

          // Assess
          expect(after.compliance).toBe(before.compliance);
        }),
        { numRuns: 300 },
      );
    });

    it('adding an ANDed condition key to a Deny never turns NON_COMPLIANT into COMPLIANT', async () => {
      await fc.assert(
        fc.asyncProperty(
          policies,
          fc.nat(),
          fc.oneof(otherEntries, networkEntries),
          params,
          async (base, pick, [operator, key, value], raw) => {
            // Prepare
            const denies = base.flatMap((s, index) => (s.Effect === 'Deny' ? [index] : []));
            fc.pre(denies.length > 0);
            const index = denies[pick % denies.length] ?? 0;
            const target = base[index] as { Condition?: Record<string, Record<string, unknown>> };
            fc.pre(target.Condition?.[operator]?.[key] === undefined);
            const narrowed = {
              ...target,
              Condition: {
                ...target.Condition,
                [operator]: { ...target.Condition?.[operator], [key]: value },
              },
            };
            const after = base.map((s, i) => (i === index ? narrowed : s));

            // Act
            const beforeVerdict = await verdictOf(base, raw);
            const afterVerdict = await verdictOf(after, raw);

            // Assess
            if (beforeVerdict.compliance === 'NON_COMPLIANT') {
              expect(afterVerdict.compliance).toBe('NON_COMPLIANT');
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('COMPLIANT means IAM explicitly denies every request from outside the allowed endpoint', async () => {
      const outside = fc.record({
        action: fc.constantFrom(
          's3:GetObject',
          's3:PutObject',
          's3:ListBucket',
          's3:PutBucketPolicy',
          's3:DeleteObject',
        ),
        onObject: fc.boolean(),
        network: fc.constantFrom<Request['context']>(
          {},
          { 'aws:sourcevpce': 'vpce-0fedcba9876543210', 'aws:sourcevpc': 'vpc-0999999999999999a' },
        ),
        team: fc.constantFrom('payments', 'analytics'),
        secure: fc.constantFrom('true', 'false'),
      });
      let compliantPolicies = 0;
      await fc.assert(
        fc.asyncProperty(
          likelyCompliant,
          fc.array(outside, { minLength: 1, maxLength: 5 }),
          async (statements, requests) => {
            // Prepare
            const verdict = await verdictOf(statements, { allowedVpceIds: VPCE });
            fc.pre(verdict.compliance === 'COMPLIANT');
            compliantPolicies += 1;
            const policy = parsePolicy({ Statement: statements });

            for (const request of requests) {
              // Act
              const decision = evaluateRequest(policy, {
                principal: {
                  type: 'AWS',
                  arn: 'arn:aws:iam::111122223333:role/BreakGlass',
                  accountId: '111122223333',
                },
                action: request.action,
                resource: request.onObject ? `${BUCKET_ARN}/cardholder/2026.csv` : BUCKET_ARN,
                context: {
                  ...request.network,
                  'aws:principalarn': 'arn:aws:iam::111122223333:role/BreakGlass',
                  'aws:principaltag/team': request.team,
                  'aws:viaawsservice': 'false',
                  'aws:securetransport': request.secure,
                  'aws:sourceip': '198.51.100.10',
                },
              });

              // Assess
              expect(decision).toBe('explicit-deny');
            }
          },
        ),
        { numRuns: 200, maxSkipsPerRun: 100 },
      );

      // The property must not pass vacuously.
      expect(compliantPolicies).toBeGreaterThanOrEqual(200);
    }, 30_000);
  });
});

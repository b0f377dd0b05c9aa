import { describe, expect, it } from 'vitest';
import type { Bucket, PolicySource } from '../../src/model/resources.js';
import { parsePolicy } from '../../src/policy/document.js';
import { parseParams } from '../../src/rules/params.js';
import { s3BucketPolicyTlsOnly as rule } from '../../src/rules/s3-bucket-policy-tls-only.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

const NAME = 'acme-audit-logs';
const ARN = `arn:aws:s3:::${NAME}`;

const bucketWith = (policy: PolicySource, tags: Record<string, string> = {}): Bucket => ({
  type: 'AWS::S3::Bucket',
  id: NAME,
  name: NAME,
  tags,
  policy,
});

const present = (statements: unknown[]): PolicySource => ({
  kind: 'present',
  text: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
});

const evaluate = (bucket: Bucket, raw: Record<string, unknown> = {}) =>
  rule.evaluate(
    bucket,
    SnapshotView.fromResources([bucket]),
    parseParams(rule.id, rule.parameters, raw),
  );

const denyHttp = (extra: Record<string, unknown> = {}) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [ARN, `${ARN}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  ...extra,
});

describe('s3-bucket-policy-tls-only', () => {
  describe('metadata', () => {
    it('maps to PCI DSS 4.2.1 and HIPAA transmission security, with a valid example', () => {
      // Assess
      expect(rule.title).toMatch(/^S3 buckets should /);
      expect(rule.frameworks).toContainEqual({
        framework: 'PCI-DSS-4.0',
        id: '4.2.1',
        strength: 'evidence',
      });
      expect(rule.frameworks).toContainEqual({
        framework: 'HIPAA',
        id: '164.312(e)(1)',
        strength: 'evidence',
      });
      expect(rule.iamActions).toContain('s3:GetBucketPolicy');
      expect(() => parsePolicy(rule.remediationExample)).not.toThrow();
    });
  });

  describe('evaluate', () => {
    it.each([
      ['the string "false"', 'Bool', 'false'],
      ['the boolean false', 'Bool', false],
      ['BoolIfExists', 'BoolIfExists', 'false'],
    ])('returns COMPLIANT for a Deny on %s', async (_label, operator, value) => {
      // Prepare
      const bucket = bucketWith(
        present([denyHttp({ Condition: { [operator]: { 'aws:SecureTransport': value } } })]),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('statement "DenyInsecureTransport" denies');
    });

    it.each([
      ['the string "true"', 'true'],
      ['the boolean true', true],
    ])('returns NON_COMPLIANT for a Deny on %s', async (_label, value) => {
      // Prepare
      const bucket = bucketWith(
        present([denyHttp({ Condition: { Bool: { 'aws:SecureTransport': value } } })]),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('Bool aws:SecureTransport "true" is false');
      expect(verdict.counterexample?.context['aws:SecureTransport']).toBe('false');
    });

    it('returns NON_COMPLIANT for a Deny on BinaryEquals, which compares base-64 decoded bytes, not the text "false"', async () => {
      // Prepare
      const bucket = bucketWith(
        present([denyHttp({ Condition: { BinaryEquals: { 'aws:SecureTransport': 'false' } } })]),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.detail).toContain('Could not decide');
    });

    it.each([[['arn:aws:*:::acme-audit-logs', 'arn:aws:*:::acme-audit-logs/*']], ['arn:aws:*']])(
      'returns NON_COMPLIANT for a Deny whose Resource has a wildcard in the service segment (%j), which AWS does not allow',
      async (resource) => {
        // Prepare
        const bucket = bucketWith(present([denyHttp({ Resource: resource })]));

        // Act
        const verdict = await evaluate(bucket);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.detail).toContain("wildcard in an ARN's service segment");
      },
    );

    it('returns COMPLIANT for a Deny on arn:aws:s3:* (a wildcard ending a segment spans the rest)', async () => {
      // Act
      const verdict = await evaluate(bucketWith(present([denyHttp({ Resource: 'arn:aws:s3:*' })])));

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
    });

    it('returns NON_COMPLIANT naming the escaping actions when the Deny lists a few', async () => {
      // Prepare
      const bucket = bucketWith(present([denyHttp({ Action: ['s3:GetObject'] })]));

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('Use Action "s3:*"');
      expect(verdict.counterexample?.action).not.toBe('s3:GetObject');
      expect(verdict.detail).toContain('Escaping actions');
    });

    it('accepts a carve-out only when the exemptions contain it', async () => {
      // Prepare
      const bucket = bucketWith(
        present([
          denyHttp({
            Condition: {
              Bool: { 'aws:SecureTransport': 'false' },
              ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/LegacyHttpReader' },
            },
          }),
        ]),
      );

      // Act
      const strict = await evaluate(bucket);
      const exempted = await evaluate(bucket, {
        exemptions: { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/LegacyHttpReader'] },
      });

      // Assess
      expect(strict.compliance).toBe('NON_COMPLIANT');
      expect(strict.counterexample?.principal).toBe(
        'arn:aws:iam::111122223333:role/LegacyHttpReader',
      );
      expect(exempted.compliance).toBe('COMPLIANT');
      expect(exempted.detail).toContain('Accepted exemptions: aws:PrincipalArn');
    });

    it('returns NON_COMPLIANT when the Deny spares some principals', async () => {
      // Prepare
      const bucket = bucketWith(
        present([denyHttp({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } })]),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('its Principal');
      expect(verdict.counterexample?.context['aws:PrincipalAccount']).not.toBe('111122223333');
    });

    it.each([
      ['StringEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/One'],
      ['StringNotLike', 'aws:PrincipalArn', '*'],
      ['Bool', 'aws:ViaAWSService', 'true'],
    ])(
      'returns NON_COMPLIANT when %s %s %s restricts the Deny to a few principals',
      async (op, key, value) => {
        // Prepare
        const bucket = bucketWith(
          present([
            denyHttp({
              Condition: { Bool: { 'aws:SecureTransport': 'false' }, [op]: { [key]: value } },
            }),
          ]),
        );

        // Act
        const verdict = await evaluate(bucket, {
          exemptions: {
            'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/One'],
            'aws:ViaAWSService': ['true'],
          },
        });

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain(`${op} ${key}`);
        expect(verdict.counterexample).toBeDefined();
      },
    );

    it('returns COMPLIANT when the exemptions contain the break-glass roles an ArnNotLike carves out', async () => {
      // Prepare
      const bucket = bucketWith(
        present([
          denyHttp({
            Condition: {
              Bool: { 'aws:SecureTransport': 'false' },
              ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/break-glass-*' },
            },
          }),
        ]),
      );

      // Act
      const verdict = await evaluate(bucket, {
        exemptions: { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/break-glass-*'] },
      });

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.detail).toContain('Accepted exemptions: aws:PrincipalArn');
    });

    it('returns NON_COMPLIANT when there is no bucket policy', async () => {
      // Act
      const verdict = await evaluate(bucketWith({ kind: 'absent' }));

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        'has no bucket policy, so plain-HTTP requests are not denied',
      );
    });

    it('returns an unverifiable NON_COMPLIANT when the policy could not be read', async () => {
      // Prepare
      const bucket = bucketWith({ kind: 'unreadable', reason: 'AccessDenied' });

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toMatch(/^Could not verify/);
    });

    it('never drops a bucket out of tag scope when its tags could not be read', async () => {
      // Prepare: a locked-down bucket whose tags the scanner may not read.
      const bucket = {
        ...bucketWith(present([denyHttp()])),
        tagsUnreadable: 's3:GetBucketTagging was denied (AccessDenied)',
      };

      // Act
      const scoped = await evaluate(bucket, { bucketTagKey: 'data-class', bucketTagValue: 'pci' });
      const unscoped = await evaluate(bucket);

      // Assess
      expect(scoped).toMatchObject({ compliance: 'NON_COMPLIANT', unverifiable: true });
      expect(scoped.annotation).toMatch(
        /^Could not verify whether bucket acme-audit-logs is in scope/,
      );
      expect(unscoped.compliance).toBe('COMPLIANT');
    });

    it('returns NOT_APPLICABLE outside the tag scope', async () => {
      // Prepare
      const bucket = bucketWith(present([]), { 'data-class': 'internal' });

      // Act
      const verdict = await evaluate(bucket, { bucketTagKey: 'data-class', bucketTagValue: 'pci' });

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
    });
  });
});

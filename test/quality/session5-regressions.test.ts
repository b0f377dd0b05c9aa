import { describe, expect, it } from 'vitest';
import type { Bucket } from '../../src/model/resources.js';
import { parseParams } from '../../src/rules/params.js';
import { s3BucketPolicyTlsOnly as tlsRule } from '../../src/rules/s3-bucket-policy-tls-only.js';
import { s3BucketPolicyVpceOnly as vpceRule } from '../../src/rules/s3-bucket-policy-vpce-only.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

/*
 * Session-5 differential review (97d4c1a against the session's fixes): verdicts or explanations
 * that changed without the changing commit calling for it. A class search that hits its bound
 * (826afbb, 22cdef8) leaves an element's answer unknown for the classes it found; the explanation
 * must then say it cannot decide, not state that the element excludes a request it plainly covers.
 */

const ACCOUNT = '111122223333';
const VPCE = 'vpce-0a1b2c3d4e5f67890';
const ROLES = ['admin', 'deploy', 'ci', 'etl', 'analytics', 'backup', 'audit', 'security', 'ops'];

const bucketWith = (name: string, statements: unknown[]): Bucket => ({
  type: 'AWS::S3::Bucket',
  id: name,
  name,
  accountId: ACCOUNT,
  region: 'eu-west-1',
  tags: {},
  policy: {
    kind: 'present',
    text: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
  },
});

const fence = (name: string, extra: Record<string, unknown> = {}) => ({
  Sid: 'DenyOutsideVpce',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
  Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE } },
  ...extra,
});

const tls = (name: string, extra: Record<string, unknown> = {}) => ({
  ...fence(name, extra),
  Sid: 'DenyInsecure',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

describe('session 5 regressions: bounded class searches explain what they cannot decide', () => {
  it('does not claim a NotPrincipal Deny spares a principal of another account when the exemptions are many infix patterns', async () => {
    // Prepare: an exemptions parameter of infix role patterns (role/*admin*, ...) has 2^n classes,
    // past the search's bound; the Deny's NotPrincipal names two roles of the bucket's account.
    const name = 'acme-np-infix';
    const exemptions = {
      'aws:PrincipalArn': ROLES.map(
        (role) => `arn:{partition}:iam::{account}:role/*${role}*`,
      ).concat(ROLES.map((role) => `arn:{partition}:iam::{account}:role/${role}-*`)),
    };
    const deny = fence(name, {
      NotPrincipal: {
        AWS: [`arn:aws:iam::${ACCOUNT}:role/admin`, `arn:aws:iam::${ACCOUNT}:role/deploy`],
      },
    });
    delete (deny as Record<string, unknown>).Principal;
    const bucket = bucketWith(name, [deny, tls(name)]);
    const params = parseParams(vpceRule.id, vpceRule.parameters, {
      allowedVpceIds: VPCE,
      exemptions,
    });

    // Act
    const verdict = await vpceRule.evaluate(bucket, SnapshotView.fromResources([bucket]), params);

    // Assess: a NotPrincipal of two literal role ARNs applies to every principal of another
    // account (IAM JSON reference, NotPrincipal); the analyser may fail to prove the fence, but it
    // must not say the statement does not apply to such a principal.
    const text = `${verdict.annotation}\n${verdict.detail ?? ''}`;
    expect(text).not.toMatch(/does not apply to arn:aws:iam::(?!111122223333)\d{12}:/);
    if (verdict.compliance !== 'COMPLIANT') expect(text).toMatch(/cannot be decided|too many/);
  });

  it('does not claim a Deny misses the bucket ARN its Resource names literally when object patterns are many', async () => {
    // Prepare: the Resource names the bucket, bucket/* and twelve infix object patterns.
    const name = 'acme-res-infix';
    const objects = [...ROLES, 'ml', 'batch', 'glue'].map(
      (part) => `arn:aws:s3:::${name}/*${part}*`,
    );
    const resource = [`arn:aws:s3:::${name}`, ...objects, `arn:aws:s3:::${name}/*`];
    const bucket = bucketWith(name, [
      fence(name, { Resource: resource }),
      tls(name, { Resource: resource }),
    ]);

    for (const rule of [vpceRule, tlsRule]) {
      // Act
      const raw = rule.id === vpceRule.id ? { allowedVpceIds: VPCE } : {};
      const verdict = await rule.evaluate(
        bucket,
        SnapshotView.fromResources([bucket]),
        parseParams(rule.id, rule.parameters, raw),
      );

      // Assess: the statement covers arn:aws:s3:::<name> by its first Resource entry.
      const text = `${verdict.annotation}\n${verdict.detail ?? ''}`;
      expect(text, rule.id).not.toContain(`does not cover arn:aws:s3:::${name}`);
      expect(text, rule.id).not.toContain('Cover the bucket ARN and bucket/* in the Deny');
    }
  });
});

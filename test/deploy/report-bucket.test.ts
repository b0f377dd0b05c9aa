import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../../src/deploy/shared-resources.js';
import type { Bucket } from '../../src/model/resources.js';
import { findRule } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { sharedPackage, TEMPLATE_FILE } from './packaging.js';
import { resolverFor, type Statement, type Template } from './template.js';

/**
 * The report bucket from the PACKAGED template, judged by vpce-guard's own bucket rules. With
 * `reportVpceId` its Deny must keep everything else out without locking out CloudFormation (its
 * S3 calls come through AWS services, never through an endpoint), AWS Config (a service-linked
 * role) or the break-glass admin role.
 */

const REPORT_VPCE = 'vpce-0a1b2c3d4e5f67890';
const ADMIN_ROLE = 'arn:aws:iam::111122223333:role/SecurityBreakGlass';
/** The rule's documented default exemptions, spelled out (setting the parameter replaces them). */
const DEFAULT_EXEMPTIONS = {
  'aws:PrincipalIsAWSService': ['true'],
  'aws:ViaAWSService': ['true'],
  'aws:PrincipalArn': ['arn:{partition}:iam::{account}:role/aws-service-role/*'],
};

let template: Template;

beforeAll(() => {
  template = JSON.parse(readFileSync(join(sharedPackage(), TEMPLATE_FILE), 'utf8')) as Template;
}, 300_000);

const policyOf = (parameters: Record<string, string>) => {
  const policy = template.Resources[SHARED.bucketPolicy];
  if (policy?.Type !== 'AWS::S3::BucketPolicy') throw new Error('no report bucket policy');
  const resolve = resolverFor(template, parameters);
  return {
    name: resolve<string>(policy.Properties['Bucket']),
    document: resolve<{ Statement: Statement[] }>(policy.Properties['PolicyDocument']),
  };
};

/** The bucket as the rules see it (what Config records), with the resolved policy. */
const reportBucket = (parameters: Record<string, string>): Bucket => {
  const { name, document } = policyOf(parameters);
  return {
    type: 'AWS::S3::Bucket',
    id: name,
    name,
    arn: `arn:aws:s3:::${name}`,
    region: 'us-east-1',
    accountId: '111122223333',
    tags: {},
    policy: { kind: 'present', text: JSON.stringify(document) },
  };
};

const evaluateRule = async (ruleId: string, bucket: Bucket, rawParams: Record<string, string>) => {
  const rule = findRule(ruleId);
  if (!rule) throw new Error(`rule ${ruleId} missing from the catalogue`);
  const params = parseParams(rule.id, rule.parameters, rawParams);
  return rule.evaluate(bucket, SnapshotView.fromResources([bucket]), params);
};

describe('packaged report bucket', () => {
  it('blocks public access, encrypts with the stack key, keeps versions and expires old ones', () => {
    const bucket = template.Resources[SHARED.bucket];
    const properties = resolverFor(template)<Record<string, unknown>>(bucket?.Properties);

    expect(properties['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.stringify(properties['BucketEncryption'])).toContain('"SSEAlgorithm":"aws:kms"');
    expect(properties['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(JSON.stringify(properties['LifecycleConfiguration'])).toContain(
      'NoncurrentVersionExpiration',
    );
  });

  it('has a policy that vpce-guard s3-bucket-policy-tls-only judges COMPLIANT', async () => {
    const verdict = await evaluateRule('s3-bucket-policy-tls-only', reportBucket({}), {});

    expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
  });

  it('without reportVpceId, carries no endpoint restriction (s3-bucket-policy-vpce-only NON_COMPLIANT)', async () => {
    const verdict = await evaluateRule('s3-bucket-policy-vpce-only', reportBucket({}), {});

    expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
  });
});

describe('packaged report bucket with reportVpceId', () => {
  it('spares only AWS services, the account service-linked roles and nothing else', () => {
    // Act
    const deny = policyOf({ ReportVpceId: REPORT_VPCE }).document.Statement.find(
      (statement) => statement.Sid === 'DenyOutsideReportVpce',
    );

    // Assess: every carve-out is ANDed into the one Deny.
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
    expect(deny?.Condition).toEqual({
      StringNotEquals: { 'aws:SourceVpce': REPORT_VPCE },
      BoolIfExists: { 'aws:ViaAWSService': 'false', 'aws:PrincipalIsAWSService': 'false' },
      ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/aws-service-role/*'] },
    });
  });

  it('is judged COMPLIANT by s3-bucket-policy-vpce-only with its default exemptions', async () => {
    // Act
    const bucket = reportBucket({ ReportVpceId: REPORT_VPCE });
    const vpceOnly = await evaluateRule('s3-bucket-policy-vpce-only', bucket, {
      allowedVpceIds: REPORT_VPCE,
    });
    const tlsOnly = await evaluateRule('s3-bucket-policy-tls-only', bucket, {});

    // Assess
    expect(vpceOnly.compliance, vpceOnly.annotation).toBe('COMPLIANT');
    expect(tlsOnly.compliance, tlsOnly.annotation).toBe('COMPLIANT');
  });

  it('with an admin role, spares it too, which the rule accepts once the role is an exemption', async () => {
    // Prepare
    const parameters = { ReportVpceId: REPORT_VPCE, ReportAdminRoleArn: ADMIN_ROLE };
    const deny = policyOf(parameters).document.Statement.find(
      (statement) => statement.Sid === 'DenyOutsideReportVpce',
    );
    const bucket = reportBucket(parameters);

    // Act
    const byDefault = await evaluateRule('s3-bucket-policy-vpce-only', bucket, {
      allowedVpceIds: REPORT_VPCE,
    });
    const accepted = await evaluateRule('s3-bucket-policy-vpce-only', bucket, {
      allowedVpceIds: REPORT_VPCE,
      exemptions: JSON.stringify({
        ...DEFAULT_EXEMPTIONS,
        'aws:PrincipalArn': [...DEFAULT_EXEMPTIONS['aws:PrincipalArn'], ADMIN_ROLE],
      }),
    });

    // Assess: a break-glass door is visible until the operator accepts it.
    expect(deny?.Condition?.['ArnNotLike']).toEqual({
      'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/aws-service-role/*', ADMIN_ROLE],
    });
    expect(byDefault.compliance, byDefault.annotation).toBe('NON_COMPLIANT');
    expect(accepted.compliance, accepted.annotation).toBe('COMPLIANT');
  });
});

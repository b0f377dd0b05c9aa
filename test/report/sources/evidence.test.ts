import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../../src/model/evidence.js';
import { joinEvidence } from '../../../src/report/sources/evidence.js';
import { evaluation } from '../helpers.js';

const s3 = mockClient(S3Client);
// Only transformToString is read from the SDK stream.
const body = (text: string) => ({ transformToString: async () => text }) as never;

const RULE = 's3-bucket-policy-vpce-only';

const record = (overrides: Partial<EvidenceRecord>): EvidenceRecord => ({
  schemaVersion: 1,
  accountId: '111122223333',
  region: 'eu-west-1',
  ruleId: RULE,
  resourceType: 'AWS::S3::Bucket',
  resourceId: 'data-bucket',
  complianceType: 'NON_COMPLIANT',
  annotation: 'old annotation',
  detail: 'Statement OldGrant lets account 444455556666 read every object.',
  remediation: 'Fix it.',
  evaluatedAt: '2026-11-19T10:00:00.000Z',
  ...overrides,
});

describe('joinEvidence', () => {
  beforeEach(() => s3.reset());

  it('does not attach the reason of an older evaluation that reached the same verdict', async () => {
    // Prepare: Config holds the evaluation of 20 Nov; the evidence object still holds 19 Nov's
    // (writing evidence failed after the 20 Nov delivery, which is only logged).
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify(record({}))) });
    const current = evaluation({
      ruleId: RULE,
      resourceId: 'data-bucket',
      annotation: 'Statement NewGrant lets any principal in.',
      evaluatedAt: '2026-11-20T10:00:00.000Z',
    });

    // Act
    const joined = await joinEvidence([current], { s3: new S3Client({}), bucket: 'reports' });

    // Assess: the report keeps Config's own annotation instead of another evaluation's reason.
    expect(joined.evaluations[0]?.detail).toBe('Statement NewGrant lets any principal in.');
    expect(joined.stale).toBe(1);
    expect(joined.joined).toBe(0);
  });

  it('attaches the full reason of the evaluation Config holds', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolves({
      Body: body(JSON.stringify(record({ evaluatedAt: '2026-11-20T10:00:00.000Z' }))),
    });
    const current = evaluation({
      ruleId: RULE,
      resourceId: 'data-bucket',
      evaluatedAt: '2026-11-20T10:00:00.000Z',
    });

    // Act
    const joined = await joinEvidence([current], { s3: new S3Client({}), bucket: 'reports' });

    // Assess
    expect(joined.evaluations[0]?.detail).toContain('OldGrant');
    expect(joined.joined).toBe(1);
  });
});

import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ReportError } from '../../src/errors.js';
import type { EvidenceRecord } from '../../src/model/evidence.js';
import { createS3EvidenceSink, evidenceSinkFromEnv } from '../../src/report/evidence-sink.js';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

const record = (resourceId: string): EvidenceRecord => ({
  schemaVersion: 1,
  accountId: '111122223333',
  region: 'eu-west-1',
  ruleId: 'vpc-endpoint-policy-restricted',
  resourceType: 'AWS::EC2::VPCEndpoint',
  resourceId,
  complianceType: 'NON_COMPLIANT',
  annotation: 'short',
  detail: 'the whole reason',
  remediation: 'restrict the policy',
  evaluatedAt: '2026-11-20T10:00:00.000Z',
});

describe('S3 evidence sink', () => {
  it('writes one KMS-encrypted object per evaluation at the documented key', async () => {
    s3.on(PutObjectCommand).resolves({});
    const sink = createS3EvidenceSink({
      s3: new S3Client({}),
      bucket: 'reports',
      kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
    });

    await sink.put([record('vpce-1'), record('arn:aws:ec2:eu-west-1:1:vpc-endpoint/vpce-2')]);

    const inputs = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.Key).sort()).toEqual([
      'evidence/111122223333/eu-west-1/vpc-endpoint-policy-restricted/arn%3Aaws%3Aec2%3Aeu-west-1%3A1%3Avpc-endpoint%2Fvpce-2.json',
      'evidence/111122223333/eu-west-1/vpc-endpoint-policy-restricted/vpce-1.json',
    ]);
    for (const input of inputs) {
      expect(input).toMatchObject({
        Bucket: 'reports',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
        ContentType: 'application/json',
      });
      expect(JSON.parse(String(input.Body)).detail).toBe('the whole reason');
    }
  });

  it('keeps at most `concurrency` writes in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    s3.on(PutObjectCommand).callsFake(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return {};
    });
    const sink = createS3EvidenceSink({ s3: new S3Client({}), bucket: 'reports', concurrency: 3 });
    await sink.put(Array.from({ length: 20 }, (_, index) => record(`vpce-${index}`)));
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(20);
    expect(peak).toBe(3);
  });

  it('attempts every record and reports the failures in one ReportError', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, {
      Key: 'evidence/111122223333/eu-west-1/vpc-endpoint-policy-restricted/vpce-bad.json',
    }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const sink = createS3EvidenceSink({ s3: new S3Client({}), bucket: 'reports' });
    await expect(
      sink.put([record('vpce-1'), record('vpce-bad'), record('vpce-3')]),
    ).rejects.toThrow(ReportError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(3);
  });

  it('is configured from REPORT_BUCKET, and absent without it', () => {
    expect(evidenceSinkFromEnv(new S3Client({}), {})).toBeUndefined();
    expect(evidenceSinkFromEnv(new S3Client({}), { REPORT_BUCKET: 'reports' })).toBeDefined();
  });
});

describe('S3 evidence sink with a lazily built client', () => {
  it('turns a client that cannot be built into a ReportError, so the engine only logs it', async () => {
    const sink = createS3EvidenceSink({
      s3: () => {
        throw new Error('@aws-sdk/client-s3 is not bundled into this function');
      },
      bucket: 'reports',
    });
    await expect(sink.put([record('vpce-1')])).rejects.toThrow(/no S3 client for the evidence/);
  });
});

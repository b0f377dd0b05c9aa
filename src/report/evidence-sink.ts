import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorMessage } from '../engine/aws-errors.js';
import { ReportError } from '../errors.js';
import { type EvidenceRecord, type EvidenceSink, evidenceKey } from '../model/evidence.js';
import { mapLimit } from '../util/concurrency.js';
import { REPORT_ENV } from './env.js';

interface S3EvidenceSinkOptions {
  /** The client, or how to get it on first write (a rule function builds clients lazily). */
  s3: S3Client | (() => S3Client);
  bucket: string;
  /** A customer managed key; without it SSE-KMS uses the bucket's default (or the AWS managed) key. */
  kmsKeyId?: string | undefined;
  /** Parallel PutObject calls: a periodic sweep may write thousands of objects. */
  concurrency?: number | undefined;
}

/**
 * Writes one object per evaluation at `evidence/<account>/<region>/<rule>/<resource>.json`,
 * SSE-KMS, overwriting the previous evaluation's. Every record is attempted; failures are summed
 * up in one ReportError afterwards (the engine logs it and never fails the run over evidence).
 */
const createS3EvidenceSink = (options: S3EvidenceSinkOptions): EvidenceSink => ({
  async put(records: readonly EvidenceRecord[]): Promise<void> {
    let s3: S3Client;
    try {
      s3 = typeof options.s3 === 'function' ? options.s3() : options.s3;
    } catch (error) {
      throw new ReportError(`no S3 client for the evidence: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    const failed: string[] = [];
    let firstError: unknown;
    await mapLimit(records, options.concurrency ?? 8, async (record) => {
      const key = evidenceKey(record.accountId, record.region, record.ruleId, record.resourceId);
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: key,
            Body: JSON.stringify(record),
            ContentType: 'application/json',
            ServerSideEncryption: 'aws:kms',
            ...(options.kmsKeyId ? { SSEKMSKeyId: options.kmsKeyId } : {}),
          }),
        );
      } catch (error) {
        firstError ??= error;
        failed.push(key);
      }
    });
    if (failed.length > 0) {
      throw new ReportError(
        `${failed.length} of ${records.length} evidence objects were not written (first: ${failed[0]}: ${errorMessage(firstError)})`,
        { cause: firstError },
      );
    }
  },
});

/** The sink the rule functions use, or undefined when no report bucket is configured. */
const evidenceSinkFromEnv = (
  s3: S3Client | (() => S3Client),
  env: NodeJS.ProcessEnv = process.env,
): EvidenceSink | undefined => {
  // The alert pipeline names the same bucket VPCE_GUARD_REPORT_BUCKET.
  const bucket = env[REPORT_ENV.bucket] || env.VPCE_GUARD_REPORT_BUCKET;
  if (!bucket) return undefined;
  return createS3EvidenceSink({ s3, bucket, kmsKeyId: env[REPORT_ENV.kmsKey] || undefined });
};

export type { S3EvidenceSinkOptions };
export { createS3EvidenceSink, evidenceSinkFromEnv };

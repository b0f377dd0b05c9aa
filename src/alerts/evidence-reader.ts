import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { EngineLogger } from '../engine/logger.js';
import { type EvidenceRecord, evidenceKey } from '../model/evidence.js';
import { isRecord } from '../util/json.js';
import type { ComplianceChange } from './event.js';

/**
 * Reads the full evaluation the rule functions wrote next to Config's 256-character verdict. An
 * alert never waits on it: a missing, unreadable or malformed object means the alert carries the
 * annotation and says so.
 */
interface EvidenceReader {
  read(change: ComplianceChange): Promise<{ record?: EvidenceRecord | undefined; uri?: string }>;
}

const isEvidenceRecord = (value: unknown): value is EvidenceRecord =>
  isRecord(value) &&
  value.schemaVersion === 1 &&
  typeof value.complianceType === 'string' &&
  typeof value.detail === 'string' &&
  typeof value.annotation === 'string' &&
  typeof value.evaluatedAt === 'string';

const s3EvidenceReader = (s3: S3Client, bucket: string, logger: EngineLogger): EvidenceReader => ({
  async read(change) {
    const key = evidenceKey(change.accountId, change.region, change.ruleId, change.resourceId);
    const uri = `s3://${bucket}/${key}`;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const parsed: unknown = JSON.parse((await object.Body?.transformToString('utf-8')) ?? '');
      if (isEvidenceRecord(parsed)) return { record: parsed, uri };
      logger.warn('Evidence object is not an evidence record; alerting with the annotation', {
        evidence: uri,
      });
    } catch (error) {
      const name = (error as { name?: string }).name;
      // A resource evaluated before evidence existed has none: expected, not worth a warning.
      const log = name === 'NoSuchKey' ? logger.debug : logger.warn;
      log.call(logger, 'No readable evidence; alerting with the annotation', {
        evidence: uri,
        errorName: name,
        errorMessage: (error as Error).message,
      });
    }
    return { uri };
  },
});

export type { EvidenceReader };
export { isEvidenceRecord, s3EvidenceReader };

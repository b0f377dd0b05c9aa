import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorMessage } from '../../engine/aws-errors.js';
import { type EvidenceRecord, evidenceKey } from '../../model/evidence.js';
import { mapLimit } from '../../util/concurrency.js';
import { isRecord } from '../../util/json.js';
import type { ReportEvaluation } from '../model.js';

interface EvidenceJoinOptions {
  s3: S3Client;
  bucket: string;
  concurrency?: number | undefined;
  /** Which evaluations to look up; by default the failing ones, where the full reason matters. */
  select?: ((evaluation: ReportEvaluation) => boolean) | undefined;
}

interface EvidenceJoinResult {
  evaluations: ReportEvaluation[];
  joined: number;
  missing: number;
  /** Evidence of another evaluation (a different compliance type, or older): not used. */
  stale: number;
  warnings: string[];
}

const isMissing = (error: unknown): boolean => {
  const name = (error as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

const readRecord = (text: string): EvidenceRecord | undefined => {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) && parsed.schemaVersion === 1 && typeof parsed.detail === 'string'
      ? (parsed as unknown as EvidenceRecord)
      : undefined;
  } catch {
    return undefined;
  }
};

/** Config's and the evidence's times of one evaluation may be rounded differently. */
const TIME_TOLERANCE_MS = 1_000;

/**
 * Evidence of an evaluation before the one Config holds: the same verdict, possibly for another
 * reason (the newer evidence write failed, which the rule functions only log).
 */
const olderThan = (record: EvidenceRecord, evaluation: ReportEvaluation): boolean => {
  const written = Date.parse(record.evaluatedAt);
  const held = Date.parse(evaluation.evaluatedAt ?? '');
  return !Number.isNaN(held) && (Number.isNaN(written) || written < held - TIME_TOLERANCE_MS);
};

/**
 * Joins Config's verdicts with the evidence objects the rule functions wrote, so reports show the
 * full reason instead of the 256-character annotation. Config stays the source of truth: evidence
 * whose compliance type differs from Config's verdict, or that is older, is stale and ignored. A missing or unreadable
 * object never fails the report; the annotation is kept.
 */
const joinEvidence = async (
  evaluations: readonly ReportEvaluation[],
  options: EvidenceJoinOptions,
): Promise<EvidenceJoinResult> => {
  const select = options.select ?? ((evaluation) => evaluation.complianceType === 'NON_COMPLIANT');
  const result: EvidenceJoinResult = {
    evaluations: [],
    joined: 0,
    missing: 0,
    stale: 0,
    warnings: [],
  };
  let failures = 0;
  result.evaluations = await mapLimit(
    evaluations,
    options.concurrency ?? 16,
    async (evaluation) => {
      if (!select(evaluation)) return evaluation;
      const key = evidenceKey(
        evaluation.accountId,
        evaluation.region,
        evaluation.ruleId,
        evaluation.resourceId,
      );
      let record: EvidenceRecord | undefined;
      try {
        const object = await options.s3.send(
          new GetObjectCommand({ Bucket: options.bucket, Key: key }),
        );
        record = readRecord((await object.Body?.transformToString('utf-8')) ?? '');
      } catch (error) {
        if (isMissing(error)) {
          result.missing += 1;
          return evaluation;
        }
        failures += 1;
        if (failures <= 5) result.warnings.push(`evidence ${key}: ${errorMessage(error)}`);
        return evaluation;
      }
      if (!record) {
        result.warnings.push(`evidence ${key} is not an evidence record; ignored`);
        return evaluation;
      }
      if (record.complianceType !== evaluation.complianceType || olderThan(record, evaluation)) {
        result.stale += 1;
        return evaluation;
      }
      result.joined += 1;
      return {
        ...evaluation,
        detail: record.detail || evaluation.annotation,
        ...(record.counterexample ? { counterexample: record.counterexample } : {}),
        ...(record.unverifiable ? { unverifiable: true } : {}),
        evidenceKey: key,
      };
    },
  );
  if (failures > 5) result.warnings.push(`and ${failures - 5} more unreadable evidence objects`);
  return result;
};

export type { EvidenceJoinOptions, EvidenceJoinResult };
export { joinEvidence };

import type { ComplianceType, Counterexample } from './compliance.js';

/**
 * The full record of one evaluation, kept next to AWS Config's 256-character verdict so alerts and
 * reports can show the whole reason. Config stays the source of truth for the verdict itself.
 * Stored as `evidence/<account>/<region>/<ruleId>/<encoded resource id>.json` in the report bucket.
 */
interface EvidenceRecord {
  schemaVersion: 1;
  accountId: string;
  region: string;
  ruleId: string;
  resourceType: string;
  resourceId: string;
  complianceType: ComplianceType;
  /** What Config received. */
  annotation: string;
  /** The full reason (falls back to the annotation when the rule wrote no more). */
  detail: string;
  counterexample?: Counterexample | undefined;
  unverifiable?: boolean | undefined;
  remediation: string;
  /** ISO time of the evaluation (the OrderingTimestamp sent to Config). */
  evaluatedAt: string;
}

/** Where evidence goes; the engine calls it after delivery and never fails a run because of it. */
interface EvidenceSink {
  put(records: readonly EvidenceRecord[]): Promise<void>;
}

const EVIDENCE_PREFIX = 'evidence/';

/** Object key of one resource's evidence; resource ids may hold `/` and `:` (ARNs), so encoded. */
const evidenceKey = (
  accountId: string,
  region: string,
  ruleId: string,
  resourceId: string,
): string =>
  `${EVIDENCE_PREFIX}${accountId}/${region}/${ruleId}/${encodeURIComponent(resourceId)}.json`;

export type { EvidenceRecord, EvidenceSink };
export { EVIDENCE_PREFIX, evidenceKey };

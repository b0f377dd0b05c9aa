import { ReportError } from '../errors.js';
import { isRecord } from '../util/json.js';
import { byCodeUnits } from '../util/order.js';
import {
  type ComplianceReport,
  type EvaluationStatus,
  PREVIOUS_SCHEMA_VERSIONS,
  REPORT_SCHEMA,
  type ReportDiff,
  type ReportedEvaluation,
  type TrendPoint,
} from './model.js';

/** Reports kept in the trend: about a month of daily runs. */
const TREND_LENGTH = 30;
const DAY_MS = 86_400_000;

const isFailing = (status: EvaluationStatus | undefined): boolean => status === 'NON_COMPLIANT';

/**
 * Checks that a parsed document is a report this version can diff against. A report of another
 * schema version is refused rather than misread.
 */
const readPreviousReport = (document: unknown, source: string): ComplianceReport => {
  if (
    !isRecord(document) ||
    document.schema !== REPORT_SCHEMA ||
    !Array.isArray(document.evaluations) ||
    typeof document.generatedAt !== 'string'
  ) {
    throw new ReportError(`${source} is not a vpce-guard compliance report (JSON format)`);
  }
  // Version 1 differs only by lacking `coverage`, which the diff and trend never read.
  if (!PREVIOUS_SCHEMA_VERSIONS.includes(document.schemaVersion as number)) {
    throw new ReportError(
      `${source} has report schema version ${String(document.schemaVersion)}; this version reads ${PREVIOUS_SCHEMA_VERSIONS.join(' and ')}`,
    );
  }
  return document as unknown as ComplianceReport;
};

/**
 * Since when each evaluation has had its status: carried over from the previous report while the
 * status holds, otherwise the evaluation time (or the report time when the source has none).
 */
const sinceOf = (
  evaluation: { key: string; status: EvaluationStatus; evaluatedAt?: string | undefined },
  previous: ReadonlyMap<string, ReportedEvaluation>,
  generatedAt: string,
): string => {
  const before = previous.get(evaluation.key);
  if (before && before.status === evaluation.status && before.since) return before.since;
  return evaluation.evaluatedAt ?? generatedAt;
};

const diffReports = (
  previous: ComplianceReport,
  current: readonly ReportedEvaluation[],
  generatedAt: string,
): ReportDiff => {
  const before = new Map(previous.evaluations.map((evaluation) => [evaluation.key, evaluation]));
  const now = new Map(current.map((evaluation) => [evaluation.key, evaluation]));
  const at = Date.parse(generatedAt);
  const diff: ReportDiff = {
    previousGeneratedAt: previous.generatedAt,
    new: [],
    resolved: [],
    stillOpen: [],
  };
  for (const evaluation of current) {
    if (!isFailing(evaluation.status)) continue;
    if (isFailing(before.get(evaluation.key)?.status)) {
      diff.stillOpen.push({
        key: evaluation.key,
        since: evaluation.since,
        ageDays: Math.max(0, Math.floor((at - Date.parse(evaluation.since)) / DAY_MS)),
      });
    } else {
      diff.new.push(evaluation.key);
    }
  }
  for (const evaluation of previous.evaluations) {
    if (!isFailing(evaluation.status)) continue;
    const status = now.get(evaluation.key)?.status;
    if (!isFailing(status)) diff.resolved.push({ key: evaluation.key, now: status ?? 'GONE' });
  }
  diff.stillOpen.sort((a, b) => b.ageDays - a.ageDays || byCodeUnits(a.key, b.key));
  return diff;
};

/** The previous reports' trend plus this report, oldest first, one point per report time. */
const extendTrend = (
  previous: ComplianceReport | undefined,
  point: TrendPoint,
  length = TREND_LENGTH,
): TrendPoint[] => {
  const earlier = (previous?.trend ?? []).filter(
    (entry) => Date.parse(entry.generatedAt) < Date.parse(point.generatedAt),
  );
  return [...earlier, point].slice(-length);
};

export { diffReports, extendTrend, readPreviousReport, sinceOf, TREND_LENGTH };

import type { ComplianceReport, ReportedEvaluation, RuleSection } from '../model.js';

/** Rule sections by id, for renderers that annotate each evaluation with its rule. */
const rulesById = (report: ComplianceReport): Map<string, RuleSection> =>
  new Map(report.rules.map((rule) => [rule.ruleId, rule]));

/** The resource's console page in AWS Config (region-specific; unknown regions get none). */
const consoleUrl = (evaluation: ReportedEvaluation): string | undefined =>
  evaluation.region && evaluation.region !== 'unknown'
    ? `https://${evaluation.region}.console.aws.amazon.com/config/home?region=${evaluation.region}#/resources/details?resourceId=${encodeURIComponent(evaluation.resourceId)}&resourceType=${encodeURIComponent(evaluation.resourceType)}`
    : undefined;

const STATUS_LABELS: Record<string, string> = {
  NON_COMPLIANT: 'Non-compliant',
  INSUFFICIENT_DATA: 'No data',
  SUPPRESSED: 'Suppressed',
  COMPLIANT: 'Compliant',
  NOT_APPLICABLE: 'Not applicable',
  GONE: 'No longer reported',
};

const statusLabel = (status: string): string => STATUS_LABELS[status] ?? status;

export { consoleUrl, rulesById, statusLabel };

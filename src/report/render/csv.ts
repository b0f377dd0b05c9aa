import type { ComplianceReport } from '../model.js';
import { rulesById } from './common.js';

/**
 * CSV columns, one row per evaluation, then one per coverage gap (status INSUFFICIENT_DATA, no
 * resource, `coverage_gap` naming its kind) (RFC 4180: comma, CRLF, double quotes). Documented in
 * docs/report.md; append new columns at the end so positional consumers keep working.
 */
const CSV_COLUMNS = [
  'account_id',
  'region',
  'rule_id',
  'rule_title',
  'severity',
  'resource_type',
  'resource_id',
  'compliance_type',
  'status',
  'unverifiable',
  'since',
  'evaluated_at',
  'annotation',
  'detail',
  'requirements',
  'remediation',
  'suppression_reason',
  'suppression_expires',
  'suppression_owner',
  'evidence_key',
  'coverage_gap',
] as const;

type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | boolean | undefined>>;

/**
 * Spreadsheet applications run a cell starting with = + - @ (or tab/CR) as a formula: such cells
 * get a leading apostrophe (OWASP CSV injection guidance), then RFC 4180 quoting.
 */
const csvCell = (value: string | number | boolean | undefined): string => {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  // Semicolons and tabs are quoted too: spreadsheets in many locales split CSV on them, and the
  // text after one would start a cell of its own, past the apostrophe above.
  return /[",;\t\r\n]/.test(text) || text !== text.trim()
    ? `"${text.replaceAll('"', '""')}"`
    : text;
};

const renderCsv = (report: ComplianceReport): string => {
  const rules = rulesById(report);
  const lines = [CSV_COLUMNS.join(',')];
  for (const evaluation of report.evaluations) {
    const rule = rules.get(evaluation.ruleId);
    const row: CsvRow = {
      account_id: evaluation.accountId,
      region: evaluation.region,
      rule_id: evaluation.ruleId,
      rule_title: rule?.title,
      severity: rule?.severity,
      resource_type: evaluation.resourceType,
      resource_id: evaluation.resourceId,
      compliance_type: evaluation.complianceType,
      status: evaluation.status,
      unverifiable: evaluation.unverifiable === true,
      since: evaluation.since,
      evaluated_at: evaluation.evaluatedAt,
      annotation: evaluation.annotation,
      detail: evaluation.detail,
      requirements: rule?.requirements.join('; '),
      remediation: rule?.remediation,
      suppression_reason: evaluation.suppressed?.reason,
      suppression_expires: evaluation.suppressed?.expires,
      suppression_owner: evaluation.suppressed?.owner,
      evidence_key: evaluation.evidenceKey,
    };
    lines.push(CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  }
  // A silent rule is a row a spreadsheet filter on status finds next to the failures.
  for (const gap of report.coverage?.gaps ?? []) {
    const rule = gap.ruleId ? rules.get(gap.ruleId) : undefined;
    const row: CsvRow = {
      account_id: gap.accountId,
      region: gap.region,
      rule_id: gap.ruleId,
      rule_title: rule?.title,
      severity: rule?.severity,
      resource_type: gap.resourceType,
      status: 'INSUFFICIENT_DATA',
      detail: gap.reason,
      requirements: rule?.requirements.join('; '),
      remediation: rule?.remediation,
      coverage_gap: gap.kind,
    };
    lines.push(CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
};

export { CSV_COLUMNS, csvCell, renderCsv };

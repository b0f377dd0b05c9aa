import type { ComplianceReport, StatusCounts } from '../model.js';
import { rulesById, statusLabel } from './common.js';

/** Table cells: nothing in the data may open HTML, links, emphasis or a new column/row. */
const mdCell = (value: string | number | undefined): string =>
  String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/([\\`*_[\]|#!~])/g, '\\$1')
    // CommonMark ends a line at LF, CRLF and a bare CR alike: each would end the table row.
    .replace(/\r\n|\r|\n/g, '<br>');

const row = (cells: (string | number | undefined)[]): string =>
  `| ${cells.map((cell) => mdCell(cell)).join(' | ')} |`;

const table = (head: string[], rows: (string | number | undefined)[][]): string[] => [
  row(head),
  `|${head.map(() => ' --- ').join('|')}|`,
  ...rows.map(row),
];

const counts = (tally: StatusCounts): string =>
  `${tally.NON_COMPLIANT} non-compliant, ${tally.SUPPRESSED} suppressed, ${tally.COMPLIANT} compliant, ${tally.NOT_APPLICABLE} n/a`;

/** Failing evaluations listed in full; beyond this the CSV/JSON carry the rest. */
const MAX_LISTED = 500;

/** Where results are missing; nothing when the source could not tell (a scan's JSON). */
const coverageSection = (report: ComplianceReport): string[] => {
  const { coverage } = report;
  if (!coverage) return [];
  const out = [
    '## Coverage',
    '',
    `${coverage.checked ? 'Checked' : 'Not fully checked'}: ${mdCell(coverage.note)}.`,
    '',
  ];
  if (coverage.gaps.length === 0) {
    out.push('No gaps: every rule reported wherever AWS Config records its resource type.', '');
    return out;
  }
  out.push(
    ...table(
      ['Account', 'Region', 'Gap', 'Rule', 'Recorded', 'Reason'],
      coverage.gaps
        .slice(0, MAX_LISTED)
        .map((gap) => [gap.accountId, gap.region, gap.kind, gap.ruleId, gap.recorded, gap.reason]),
    ),
  );
  if (coverage.gaps.length > MAX_LISTED)
    out.push('', `… and ${coverage.gaps.length - MAX_LISTED} more (JSON and CSV list all).`);
  out.push('');
  return out;
};

const renderMarkdown = (report: ComplianceReport): string => {
  const rules = rulesById(report);
  const { summary } = report;
  const out: string[] = [
    '# vpce-guard compliance report',
    '',
    `Generated ${report.generatedAt} from ${report.source.kind}${report.source.name ? ` ${mdCell(report.source.name)}` : ''}.`,
    '',
    `**${summary.failing} failing** of ${summary.evaluations} evaluations (${counts(summary.counts)}) across ${summary.resources} resources, ${summary.accounts} account(s), ${summary.regions} region(s). ${summary.requirementsFailing} of ${summary.requirementsTotal} requirements non-compliant.${report.coverage ? ` ${summary.coverageGaps} coverage gap(s)${report.coverage.checked ? '' : ' (coverage not fully checked)'}.` : ''}`,
    '',
    '## Requirements',
    '',
    ...table(
      ['Framework', 'Requirement', 'Title', 'Status', 'Rules', 'Failing resources'],
      report.requirements.map((requirement) => [
        requirement.framework,
        requirement.id,
        requirement.title,
        statusLabel(requirement.status),
        requirement.rules.map((rule) => `${rule.ruleId} (${statusLabel(rule.status)})`).join(', '),
        requirement.failing.length,
      ]),
    ),
    '',
    '## Rules',
    '',
    ...table(
      ['Rule', 'Severity', 'Status', 'Non-compliant', 'Suppressed', 'Compliant', 'N/A'],
      report.rules.map((rule) => [
        rule.ruleId,
        rule.severity,
        statusLabel(rule.status),
        rule.counts.NON_COMPLIANT,
        rule.counts.SUPPRESSED,
        rule.counts.COMPLIANT,
        rule.counts.NOT_APPLICABLE,
      ]),
    ),
    '',
    '## Accounts and regions',
    '',
    ...table(
      ['Account', 'Region', 'Status', 'Non-compliant', 'Suppressed', 'Compliant', 'N/A'],
      report.accounts.map((account) => [
        account.accountId,
        account.region,
        statusLabel(account.status),
        account.counts.NON_COMPLIANT,
        account.counts.SUPPRESSED,
        account.counts.COMPLIANT,
        account.counts.NOT_APPLICABLE,
      ]),
    ),
    '',
    ...coverageSection(report),
  ];
  if (report.diff) {
    out.push(
      `## Changes since ${report.diff.previousGeneratedAt}`,
      '',
      `${report.diff.new.length} new, ${report.diff.resolved.length} resolved, ${report.diff.stillOpen.length} still open.`,
      '',
      ...report.diff.new.slice(0, MAX_LISTED).map((key) => `- new: ${mdCell(key)}`),
      ...report.diff.resolved
        .slice(0, MAX_LISTED)
        .map((entry) => `- resolved: ${mdCell(entry.key)} (now ${statusLabel(entry.now)})`),
      ...report.diff.stillOpen
        .slice(0, MAX_LISTED)
        .map((entry) => `- open ${entry.ageDays} day(s): ${mdCell(entry.key)}`),
      '',
    );
  }
  const failing = report.evaluations.filter((evaluation) => evaluation.status === 'NON_COMPLIANT');
  out.push('## Failing evaluations', '');
  if (failing.length === 0) out.push('None.', '');
  for (const evaluation of failing.slice(0, MAX_LISTED)) {
    const rule = rules.get(evaluation.ruleId);
    out.push(
      `### ${mdCell(evaluation.resourceId)} — ${mdCell(evaluation.ruleId)}`,
      '',
      `${mdCell(evaluation.resourceType)} in ${mdCell(evaluation.accountId)} / ${mdCell(evaluation.region)}, non-compliant since ${evaluation.since}${evaluation.unverifiable ? ' (could not be verified)' : ''}.`,
      '',
      mdCell(evaluation.detail),
      '',
      ...(rule?.remediation ? [`Fix: ${mdCell(rule.remediation)}`, ''] : []),
      ...(rule?.requirements.length
        ? [`Requirements: ${mdCell(rule.requirements.join(', '))}`, '']
        : []),
    );
  }
  if (failing.length > MAX_LISTED) {
    out.push(`… and ${failing.length - MAX_LISTED} more; see the CSV or JSON report.`, '');
  }
  const suppressed = report.evaluations.filter((evaluation) => evaluation.suppressed);
  const { expired, unused } = report.suppressions;
  if (suppressed.length > 0 || expired.length > 0 || unused.length > 0) {
    out.push('## Suppressions', '');
    if (suppressed.length > 0) {
      out.push(
        ...table(
          ['Rule', 'Resource', 'Account', 'Region', 'Reason', 'Expires', 'Owner'],
          suppressed.map((evaluation) => [
            evaluation.ruleId,
            evaluation.resourceId,
            evaluation.accountId,
            evaluation.region,
            evaluation.suppressed?.reason,
            evaluation.suppressed?.expires,
            evaluation.suppressed?.owner,
          ]),
        ),
        '',
      );
    }
    for (const [label, entries] of [
      ['Expired (no longer suppressing)', expired],
      ['Unused (matched nothing)', unused],
    ] as const) {
      if (entries.length === 0) continue;
      out.push(`### ${label}`, '');
      out.push(
        ...entries.map(
          (entry) =>
            `- entry ${entry.entry + 1}: ${mdCell(entry.ruleId)} ${mdCell(entry.resource)}, expires ${mdCell(entry.expires)}: ${mdCell(entry.reason)}${entry.matched ? ` (would match ${entry.matched})` : ''}`,
        ),
        '',
      );
    }
  }
  return `${out.join('\n')}\n`;
};

export { mdCell, renderMarkdown };

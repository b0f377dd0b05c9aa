import { configRuleNameOf } from '../deploy/naming.js';
import { fitAnnotation } from '../engine/annotation.js';
import type { ComplianceType, Counterexample, Evaluation } from '../model/compliance.js';
import { describeCounterexample } from '../policy/explain.js';
import { scopeTypesOf } from '../rules/index.js';
import type { ParamSpec } from '../rules/params.js';
import type { AnyRule } from '../rules/rule.js';
import type { ScanSummary } from '../scan/scan.js';
import type { ApiCallTally } from '../sources/aws/counter.js';
import { escapeCharacters } from '../util/escape.js';

interface RenderOptions {
  color: boolean;
  width: number;
  /** Failures accepted by --suppressions: they do not count for the exit code, and the summary says so. */
  suppressed?: number;
}

interface JsonReport {
  schemaVersion: 1;
  evaluations: {
    ruleId: string;
    resourceType: string;
    resourceId: string;
    complianceType: ComplianceType;
    /** What AWS Config would receive (at most 256 characters). */
    annotation: string;
    /** The full reason. */
    detail: string;
    /** One concrete request that gets through (policy rules' NON_COMPLIANT verdicts). */
    counterexample?: Counterexample;
    region?: string;
    unverifiable?: true;
  }[];
  summary: ScanSummary & { skippedItems: number; apiCalls?: ApiCallTally; retries?: number };
}

const LABELS: Record<ComplianceType, { text: string; mark: string; color: string }> = {
  NON_COMPLIANT: { text: 'NON_COMPLIANT', mark: '✗', color: '\u001b[31m' },
  COMPLIANT: { text: 'COMPLIANT', mark: '✓', color: '\u001b[32m' },
  NOT_APPLICABLE: { text: 'NOT_APPLICABLE', mark: '–', color: '\u001b[90m' },
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';

const paint = (options: RenderOptions, code: string, text: string): string =>
  options.color ? `${code}${text}${RESET}` : text;

/** Greedy word wrap; long unbroken tokens (ARNs) are split rather than overflowing. */
const wrap = (text: string, width: number): string[] => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= width) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
};

/**
 * Resource ids and annotations are data from the account: control characters (terminal escape
 * sequences included) are shown escaped, never sent to the terminal.
 */
const isControl = (code: number): boolean => code < 0x20 || (code >= 0x7f && code <= 0x9f);
const printable = (text: string): string => escapeCharacters(text, isControl);

/** Exactly what AWS Config would receive: the rule's annotation, fitted as the engine fits it. */
const configAnnotation = (evaluation: Evaluation): string =>
  fitAnnotation(evaluation.annotation) ?? '';

const ORDER: ComplianceType[] = ['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE'];

const renderTable = (
  rules: readonly AnyRule[],
  evaluations: readonly Evaluation[],
  summary: ScanSummary,
  header: string,
  options: RenderOptions,
): string => {
  const out: string[] = [paint(options, BOLD, header), ''];
  // A loop, not Math.max(...ids): spreading ~125k arguments overflows the stack.
  let longestId = 12;
  for (const evaluation of evaluations) {
    longestId = Math.max(longestId, printable(evaluation.resource.id).length);
  }
  const idWidth = Math.min(40, longestId);
  const labelWidth = 16;
  const indent = 2 + labelWidth + 1 + idWidth + 2;
  const textWidth = Math.max(30, options.width - indent);
  for (const rule of rules) {
    const mine = evaluations
      .filter((evaluation) => evaluation.ruleId === rule.id)
      .sort(
        (a, b) =>
          ORDER.indexOf(a.compliance) - ORDER.indexOf(b.compliance) ||
          a.resource.id.localeCompare(b.resource.id),
      );
    const counts = summary.byRule[rule.id];
    const tally = counts
      ? `${counts.NON_COMPLIANT} non-compliant, ${counts.COMPLIANT} compliant, ${counts.NOT_APPLICABLE} n/a`
      : 'no resources';
    out.push(paint(options, BOLD, `${rule.id}  [${rule.severity}]  ${tally}`));
    out.push(`  ${rule.title}`);
    if (mine.length === 0) out.push(`  (no ${rule.resourceType} resources)`);
    for (const evaluation of mine) {
      const label = LABELS[evaluation.compliance];
      const status = `${label.mark} ${evaluation.unverifiable ? 'UNVERIFIED' : label.text}`;
      const shownId = printable(evaluation.resource.id);
      const id = shownId.length > idWidth ? `${shownId.slice(0, idWidth - 1)}…` : shownId;
      const [first, ...rest] = wrap(printable(configAnnotation(evaluation)), textWidth);
      out.push(
        `  ${paint(options, label.color, status.padEnd(labelWidth))} ${id.padEnd(idWidth)}  ${first}`,
      );
      for (const line of rest) out.push(`${' '.repeat(indent)}${line}`);
      if (evaluation.counterexample) {
        const sentence = printable(describeCounterexample(evaluation.counterexample));
        for (const line of wrap(sentence, textWidth)) out.push(`${' '.repeat(indent)}${line}`);
      }
    }
    out.push('');
  }
  const { byCompliance } = summary;
  const notes = [
    ...(summary.unverifiable > 0 ? [`${summary.unverifiable} could not be verified`] : []),
    ...(options.suppressed
      ? [`${options.suppressed} suppressed, not counted for the exit code`]
      : []),
  ];
  const unverified = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  out.push(
    paint(
      options,
      BOLD,
      `Summary: ${summary.total} evaluations across ${rules.length} rule${rules.length === 1 ? '' : 's'}: ` +
        `${byCompliance.NON_COMPLIANT} non-compliant${unverified}, ${byCompliance.COMPLIANT} compliant, ` +
        `${byCompliance.NOT_APPLICABLE} not applicable`,
    ),
  );
  // The table shows Config's 256-character annotation; the full reason and fix live elsewhere.
  if (byCompliance.NON_COMPLIANT > 0)
    out.push(
      'Full reasons and fixes: --format json (detail), or a report: --format markdown|html --out FILE.',
    );
  return `${out.join('\n')}\n`;
};

type JsonEvaluation = JsonReport['evaluations'][number];
type JsonExtra = { skippedItems: number; apiCalls?: ApiCallTally; retries?: number };

/** One evaluation as `--format json` shows it. */
const jsonEvaluationOf = (evaluation: Evaluation): JsonEvaluation => {
  // Members added in place, in this order (the report's bytes follow it): a report writes one
  // entry per evaluation, and spreading small objects per entry showed in its profile.
  const entry: JsonEvaluation = {
    ruleId: evaluation.ruleId,
    resourceType: evaluation.resource.type,
    resourceId: evaluation.resource.id,
    complianceType: evaluation.compliance,
    annotation: configAnnotation(evaluation),
    detail: evaluation.detail ?? evaluation.annotation,
  };
  if (evaluation.counterexample) entry.counterexample = evaluation.counterexample;
  if (evaluation.region) entry.region = evaluation.region;
  if (evaluation.unverifiable) entry.unverifiable = true;
  return entry;
};

const toJsonReport = (
  evaluations: readonly Evaluation[],
  summary: ScanSummary,
  extra: JsonExtra,
): JsonReport => ({
  schemaVersion: 1,
  evaluations: evaluations.map(jsonEvaluationOf),
  summary: { ...summary, ...extra },
});

/** `PCI DSS 4.0 1.3.1, 7.2.1 (supporting); HIPAA 164.312(e)(1)`: what an auditor looks the rule up by. */
const mappingsOf = (rule: AnyRule): string => {
  const names = { 'PCI-DSS-4.0': 'PCI DSS 4.0', HIPAA: 'HIPAA' } as const;
  return (Object.keys(names) as (keyof typeof names)[])
    .map((framework) => {
      const ids = rule.frameworks
        .filter((ref) => ref.framework === framework)
        .map((ref) => (ref.strength === 'supporting' ? `${ref.id} (supporting)` : ref.id));
      return ids.length > 0 ? `${names[framework]} ${ids.join(', ')}` : undefined;
    })
    .filter((text) => text !== undefined)
    .join('; ');
};

const renderRules = (rules: readonly AnyRule[]): string =>
  `${rules
    .map(
      (rule) =>
        `${rule.id}  [${rule.severity}]  ${rule.resourceType}\n  ${rule.title}\n  maps to: ${
          mappingsOf(rule) || 'none'
        }\n  parameters: ${Object.keys(rule.parameters).join(', ') || 'none'}`,
    )
    .join(
      '\n\n',
    )}\n\nEach rule's checks, parameters (with defaults) and read permissions: docs/rules.md or rules --format json.\n`;

export type { JsonEvaluation, JsonExtra, JsonReport, RenderOptions };

/** The catalogue as plain data (`rules --format json`): what each rule checks and how to set it. */
const rulesAsJson = (rules: readonly AnyRule[]): unknown[] =>
  rules.map((rule) => ({
    id: rule.id,
    configRuleName: configRuleNameOf(rule),
    title: rule.title,
    description: rule.description,
    rationale: rule.rationale,
    severity: rule.severity,
    resourceType: rule.resourceType,
    scope: scopeTypesOf(rule),
    frameworks: rule.frameworks,
    parameters: Object.fromEntries(
      Object.entries(rule.parameters as Record<string, ParamSpec>).map(([name, spec]) => [
        name,
        {
          type: spec.type,
          description: spec.description,
          ...(spec.default === undefined ? {} : { default: spec.default }),
          ...('pattern' in spec && spec.pattern ? { pattern: spec.pattern.source } : {}),
          ...(spec.requires ? { requires: spec.requires } : {}),
        },
      ]),
    ),
    remediation: rule.remediation,
    ...(rule.remediationExample ? { remediationExample: rule.remediationExample } : {}),
    iamActions: rule.iamActions,
  }));

export { jsonEvaluationOf, renderRules, renderTable, rulesAsJson, toJsonReport, wrap };

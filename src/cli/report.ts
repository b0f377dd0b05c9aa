import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ReportError, UsageError } from '../errors.js';
import type { Evaluation } from '../model/compliance.js';
import { buildReport } from '../report/build.js';
import { readPreviousReport } from '../report/history.js';
import {
  type ComplianceReport,
  type ReportEvaluation,
  type SuppressionSummary,
  toSuppressionEntry,
} from '../report/model.js';
import {
  isReportFormat,
  REPORT_FORMATS,
  type ReportFormat,
  renderReport,
} from '../report/render/index.js';
import { fromEvaluations, fromScanJson, readJsonFile } from '../report/sources/scan.js';
import {
  loadSuppressions,
  type Suppression,
  type SuppressionMark,
  SuppressionMatcher,
} from '../report/suppressions.js';
import { RULES } from '../rules/index.js';
import { isRecord } from '../util/json.js';
import type { ScanOptions } from './args.js';
import type { Io, ScanResult } from './main.js';

/** `vpce-guard report --from-scan scan.json [--previous old.json] --format F --out FILE`. */
interface ReportCommand {
  command: 'report';
  fromScan: string;
  previous?: string | undefined;
  format: ReportFormat;
  out?: string | undefined;
  suppressionsFile?: string | undefined;
  exitZero: boolean;
}

const REPORT_USAGE = `  vpce-guard report --from-scan SCAN.json [--previous REPORT.json] [--format ${REPORT_FORMATS.join('|')}]
                    [--out FILE] [--suppressions FILE] [--exit-zero]`;

const reportFormatOf = (value: string | undefined): ReportFormat => {
  if (value === undefined) return 'html';
  if (isReportFormat(value)) return value;
  throw new UsageError(`report --format must be one of ${REPORT_FORMATS.join(', ')}, got ${value}`);
};

/** Builds the report command from parsed flags; scan-only flags are refused. */
const parseReportCommand = (values: Record<string, unknown>): ReportCommand => {
  const fromScan = values['from-scan'] as string | undefined;
  if (!fromScan)
    throw new UsageError('report needs --from-scan FILE (the output of scan --format json)');
  const scanOnly = [
    'snapshot',
    'live',
    'region',
    'profile',
    'endpoint-url',
    'params',
    'rules',
  ].filter((name) => values[name] !== undefined && values[name] !== false);
  if (scanOnly.length > 0) throw new UsageError(`--${scanOnly.join(', --')} only apply to scan`);
  return {
    command: 'report',
    fromScan,
    previous: values.previous as string | undefined,
    format: reportFormatOf(values.format as string | undefined),
    out: values.out as string | undefined,
    suppressionsFile: values.suppressions as string | undefined,
    exitZero: values['exit-zero'] === true,
  };
};

const readSuppressions = async (path: string | undefined): Promise<Suppression[] | undefined> =>
  path ? loadSuppressions(path, { knownRuleIds: RULES.map((rule) => rule.id) }) : undefined;

/** Writes to --out (creating its folder) or stdout; says where on stderr. */
const writeOutput = async (text: string, format: string, out: string | undefined, io: Io) => {
  if (!out) {
    io.stdout.write(text);
    return;
  }
  try {
    await mkdir(dirname(resolve(out)), { recursive: true });
    await writeFile(out, text);
  } catch (error) {
    throw new ReportError(`cannot write ${out}: ${(error as Error).message}`, { cause: error });
  }
  io.stderr.write(`vpce-guard: wrote the ${format} report to ${resolve(out)}\n`);
};

/** Expired and unused suppressions are hygiene problems people should hear about. */
const warnAboutSuppressions = (
  suppressions: Pick<SuppressionSummary, 'expired' | 'unused'>,
  io: Io,
) => {
  for (const entry of suppressions.expired) {
    io.stderr.write(
      `vpce-guard: warning: suppression ${entry.entry + 1} (${entry.ruleId} ${entry.resource}) expired ${entry.expires}${entry.matched ? ` and no longer hides ${entry.matched} failing evaluation(s)` : ''}\n`,
    );
  }
  for (const entry of suppressions.unused) {
    io.stderr.write(
      `vpce-guard: warning: suppression ${entry.entry + 1} (${entry.ruleId} ${entry.resource}) matched nothing\n`,
    );
  }
};

const exitCodeOf = (report: ComplianceReport, exitZero: boolean): number =>
  exitZero || report.summary.failing === 0 ? 0 : 1;

const runReport = async (command: ReportCommand, io: Io, now = new Date()): Promise<number> => {
  const scanJson = await readJsonFile(command.fromScan, 'scan file');
  // Both files are JSON from this tool: name the mix-up rather than a schema version mismatch.
  if (isRecord(scanJson) && scanJson.schema === 'vpce-guard/compliance-report') {
    throw new ReportError(
      `${command.fromScan} is a compliance report, not a scan: --from-scan takes the output of \`vpce-guard scan --format json\` (a report goes to --previous)`,
    );
  }
  const evaluations = fromScanJson(scanJson, command.fromScan);
  const previous = command.previous
    ? readPreviousReport(await readJsonFile(command.previous, 'previous report'), command.previous)
    : undefined;
  const report = buildReport(evaluations, {
    generatedAt: now,
    source: { kind: 'scan', name: command.fromScan },
    suppressions: await readSuppressions(command.suppressionsFile),
    previous,
  });
  await writeOutput(renderReport(report, command.format), command.format, command.out, io);
  warnAboutSuppressions(report.suppressions, io);
  return exitCodeOf(report, command.exitZero);
};

/**
 * Account and region of each scanned resource: a snapshot's items carry them; a live scan asks
 * STS who the credentials belong to.
 */
const locator = async (
  options: ScanOptions,
): Promise<(evaluation: Evaluation) => { accountId?: string; region?: string }> => {
  if (options.snapshot) {
    const { loadSnapshot } = await import('../sources/snapshot.js');
    const view = await loadSnapshot(options.snapshot);
    const where = new Map(
      view.items.map((item) => [
        `${item.resourceType}|${item.resourceId}`,
        { accountId: item.accountId, region: item.region },
      ]),
    );
    return (evaluation) => {
      const found = where.get(`${evaluation.resource.type}|${evaluation.resource.id}`);
      return {
        ...(found?.accountId ? { accountId: found.accountId } : {}),
        ...(found?.region ? { region: found.region } : {}),
      };
    };
  }
  try {
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return () => (identity.Account ? { accountId: identity.Account } : {});
  } catch {
    // The scan already succeeded; without the account only ASFF is impossible, and it says so.
    return () => ({});
  }
};

const toReportInput = async (
  options: ScanOptions,
  result: ScanResult,
): Promise<ReportEvaluation[]> => fromEvaluations(result.evaluations, await locator(options));

/** `scan --format html|csv|markdown|ocsf|asff`: the scan rendered as a report. */
const runScanReport = async (
  options: ScanOptions & { out?: string | undefined; suppressionsFile?: string | undefined },
  result: ScanResult,
  io: Io,
  now = new Date(),
): Promise<{ failing: number }> => {
  const format = options.format as string;
  if (!isReportFormat(format)) throw new UsageError(`--format ${format} is not a report format`);
  const report = buildReport(await toReportInput(options, result), {
    generatedAt: now,
    source: {
      kind: 'scan',
      name: options.snapshot ?? `live ${options.regions.join(', ') || 'default region'}`,
    },
    suppressions: await readSuppressions(options.suppressionsFile),
  });
  await writeOutput(renderReport(report, format), format, options.out, io);
  warnAboutSuppressions(report.suppressions, io);
  return { failing: report.summary.failing };
};

/**
 * `scan --suppressions FILE` for the table and JSON outputs: one mark (or none) per evaluation,
 * in order, and the failing count that decides the exit code.
 */
const suppressScan = async (
  evaluations: readonly Evaluation[],
  options: ScanOptions & { suppressionsFile?: string | undefined },
  io: Io,
  now = new Date(),
): Promise<{ marks: (SuppressionMark | undefined)[]; failing: number }> => {
  const path = options.suppressionsFile as string;
  const suppressions = (await readSuppressions(path)) ?? [];
  const matcher = new SuppressionMatcher(suppressions, now);
  // The account is looked up (snapshot items, or STS for a live scan) only when an entry names one.
  const where: Awaited<ReturnType<typeof locator>> = suppressions.some(
    (entry) => entry.account !== undefined,
  )
    ? await locator(options)
    : () => ({});
  const marks = evaluations.map((evaluation) => {
    if (evaluation.compliance !== 'NON_COMPLIANT') return undefined;
    const location = where(evaluation);
    return matcher.match({
      ruleId: evaluation.ruleId,
      resourceId: evaluation.resource.id,
      accountId: location.accountId,
      region: evaluation.region ?? location.region,
    });
  });
  const usage = matcher.usage();
  warnAboutSuppressions(
    {
      expired: usage.expired.map(toSuppressionEntry),
      unused: usage.unused.map(toSuppressionEntry),
    },
    io,
  );
  return {
    marks,
    failing: evaluations.filter(
      (evaluation, index) => evaluation.compliance === 'NON_COMPLIANT' && !marks[index],
    ).length,
  };
};

export type { ReportCommand };
export { parseReportCommand, REPORT_USAGE, runReport, runScanReport, suppressScan, writeOutput };

import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { ReportFormat } from '../report/render/index.js';
import type { FixCommand } from './fix.js';
import type { ReportCommand } from './report.js';

type OutputFormat = 'table' | 'json' | ReportFormat;

interface ScanOptions {
  command: 'scan';
  snapshot?: string | undefined;
  live: boolean;
  regions: string[];
  profile?: string | undefined;
  endpointUrl?: string | undefined;
  format: OutputFormat;
  paramsFile?: string | undefined;
  ruleIds?: string[] | undefined;
  exitZero: boolean;
  /** Report formats: write here instead of stdout. */
  out?: string | undefined;
  suppressionsFile?: string | undefined;
}

type Command =
  | ScanOptions
  | ReportCommand
  | FixCommand
  | { command: 'rules'; format: OutputFormat }
  | { command: 'help' }
  | { command: 'version' };

/**
 * The parser imports the report and fix modules only for those commands (and for the usage text):
 * a static import would put them, their renderers and the YAML parser, on every start-up path.
 */

const usageOf = (reportUsage: string, fixUsage: string): string => `Usage:
  vpce-guard scan --snapshot FILE [--format FORMAT] [--out FILE] [--params FILE] [--rules id,id]
                  [--suppressions FILE] [--exit-zero]
  vpce-guard scan --live [--region R ...] [--profile P] [--endpoint-url URL] [--format FORMAT]
                  [--out FILE] [--params FILE] [--rules id,id] [--suppressions FILE] [--exit-zero]
${reportUsage}
${fixUsage}
  vpce-guard rules [--format table|json]
  vpce-guard --help | --version

Exit codes: 0 nothing NON_COMPLIANT, 1 something NON_COMPLIANT, 2 usage or input error.
FORMAT: table, json, or a report: html, csv, markdown, ocsf, asff (written to --out FILE or stdout).
--suppressions FILE (JSON or YAML) lists accepted risks; suppressed evaluations do not count for the exit code.
--params FILE is a JSON object keyed by rule id, e.g. {"vpc-required-endpoints":{"requiredServices":"s3,dynamodb"}}.`;

/** The full usage text, for --help and after a usage error. */
const usage = async (): Promise<string> => {
  const [{ REPORT_USAGE }, { FIX_USAGE }] = await Promise.all([
    import('./report.js'),
    import('./fix.js'),
  ]);
  return usageOf(REPORT_USAGE, FIX_USAGE);
};

const formatOf = async (value: string | undefined): Promise<OutputFormat> => {
  if (value === undefined || value === 'table' || value === 'json') return value ?? 'table';
  if ((await import('../report/render/index.js')).isReportFormat(value)) return value;
  throw new UsageError(
    `--format must be table or json, or a report format (html, csv, markdown, ocsf, asff), got ${value}`,
  );
};

/**
 * The options each command reads. Anything else is refused rather than ignored: `scan --bucket X`
 * looks like a scan of one bucket, and silently scanning everything instead misleads.
 */
const ACCEPTED: Record<'scan' | 'report' | 'fix' | 'rules', readonly string[]> = {
  scan: [
    'snapshot',
    'live',
    'region',
    'profile',
    'endpoint-url',
    'format',
    'params',
    'rules',
    'exit-zero',
    'out',
    'suppressions',
  ],
  report: ['from-scan', 'previous', 'format', 'out', 'suppressions', 'exit-zero'],
  fix: ['snapshot', 'live', 'region', 'profile', 'endpoint-url', 'params', 'bucket', 'endpoint'],
  rules: ['format'],
};

const refuseForeignOptions = <T extends Command>(
  command: keyof typeof ACCEPTED,
  values: Record<string, unknown>,
  parsed: T,
): T => {
  const foreign = Object.keys(values).filter(
    (name) =>
      values[name] !== undefined &&
      values[name] !== false &&
      !ACCEPTED[command].includes(name) &&
      name !== 'help' &&
      name !== 'version',
  );
  if (foreign.length > 0) {
    throw new UsageError(
      `--${foreign.join(', --')} ${foreign.length === 1 ? 'does' : 'do'} not apply to ${command} (it takes --${ACCEPTED[command].join(', --')})`,
    );
  }
  return parsed;
};

const parseCommandLine = async (argv: readonly string[]): Promise<Command> => {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        snapshot: { type: 'string' },
        live: { type: 'boolean', default: false },
        region: { type: 'string', multiple: true },
        profile: { type: 'string' },
        'endpoint-url': { type: 'string' },
        format: { type: 'string' },
        params: { type: 'string' },
        rules: { type: 'string' },
        'exit-zero': { type: 'boolean', default: false },
        out: { type: 'string' },
        suppressions: { type: 'string' },
        'from-scan': { type: 'string' },
        previous: { type: 'string' },
        bucket: { type: 'string' },
        endpoint: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError('missing command');
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  if (command === 'report')
    return refuseForeignOptions(
      'report',
      values,
      (await import('./report.js')).parseReportCommand(values),
    );
  if (command === 'fix')
    return refuseForeignOptions('fix', values, (await import('./fix.js')).parseFixCommand(values));
  const format = await formatOf(values.format as string | undefined);
  if (command === 'rules') {
    if (format !== 'table' && format !== 'json')
      throw new UsageError('rules --format must be table or json');
    return refuseForeignOptions('rules', values, { command: 'rules', format });
  }
  if (command !== 'scan') throw new UsageError(`unknown command ${command}`);
  if (values['from-scan'] !== undefined || values.previous !== undefined) {
    throw new UsageError('--from-scan and --previous only apply to report');
  }

  const snapshot = values.snapshot as string | undefined;
  const live = values.live as boolean;
  if (!snapshot && !live) throw new UsageError('scan needs --snapshot FILE or --live');
  if (snapshot && live) throw new UsageError('--snapshot and --live cannot be combined');
  const liveOnly = ['region', 'profile', 'endpoint-url'].filter(
    (name) => values[name] !== undefined,
  );
  if (!live && liveOnly.length > 0) {
    throw new UsageError(`--${liveOnly.join(', --')} only apply to --live`);
  }
  const rules = values.rules as string | undefined;
  const ruleIds =
    rules === undefined
      ? undefined
      : rules
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean);
  // An empty --rules (an unset CI variable) would scan nothing and pass: refuse it.
  if (ruleIds !== undefined && ruleIds.length === 0) {
    throw new UsageError('--rules needs at least one rule id');
  }
  return refuseForeignOptions('scan', values, {
    command: 'scan',
    snapshot,
    live,
    regions: (values.region as string[] | undefined) ?? [],
    profile: values.profile as string | undefined,
    endpointUrl: values['endpoint-url'] as string | undefined,
    format,
    paramsFile: values.params as string | undefined,
    ruleIds,
    exitZero: values['exit-zero'] as boolean,
    out: values.out as string | undefined,
    suppressionsFile: values.suppressions as string | undefined,
  });
};

export type { Command, OutputFormat, ScanOptions };
export { parseCommandLine, usage };

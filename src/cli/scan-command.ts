import { readFile } from 'node:fs/promises';
import { SnapshotError, UsageError, VpceGuardError } from '../errors.js';
import { RULES } from '../rules/index.js';
import { parseParams } from '../rules/params.js';
import type { AnyRule } from '../rules/rule.js';
import { scan, summarise } from '../scan/scan.js';
import { loadSnapshot } from '../sources/snapshot.js';
import { isRecord } from '../util/json.js';
import type { ScanOptions } from './args.js';
import { writeJsonReport } from './json-report.js';
import type { Io, ScanResult } from './main.js';
import { renderTable } from './render.js';

/**
 * `vpce-guard scan` (and the parameter loading `fix` shares). Imported by main.ts only when one of
 * them runs, so `rules`, `--help` and `--version` start without the engine's scan path.
 */

/**
 * The --params file cannot be read or names no rule of the catalogue: the file is wrong, not the
 * command line, so no usage text follows the message.
 */
class ParamsFileError extends VpceGuardError {}

/** Unreadable snapshot items listed on stderr; the JSON summary counts them all. */
const MAX_SKIPPED_SHOWN = 20;

/** Edit distance, to point a mistyped rule id at the one meant. */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
};

/**
 * The ids that name no rule, each as `x (did you mean y?)` where one is meant, then the known ids;
 * undefined when every id names a rule. People copy ids from the Config console, where the rules
 * are named vpce-guard-<id> (or OrgConfigRule-vpce-guard-<id>-…), so a name holding a rule id
 * points at that id.
 */
const unknownRuleIds = (ids: readonly string[]): string | undefined => {
  const unknown = ids.filter((id) => !RULES.some((rule) => rule.id === id));
  if (unknown.length === 0) return undefined;
  const described = unknown
    .map((id) => {
      const lower = id.toLowerCase();
      const meant =
        RULES.find((rule) => lower === rule.id) ??
        [...RULES]
          .sort((a, b) => b.id.length - a.id.length)
          .find((rule) => lower.includes(`vpce-guard-${rule.id}`)) ??
        RULES.find((rule) => distance(lower, rule.id) <= 2);
      return meant ? `${id} (did you mean ${meant.id}?)` : id;
    })
    .join(', ');
  return `${described}. Known: ${RULES.map((rule) => rule.id).join(', ')}`;
};

const selectRules = (ruleIds: readonly string[] | undefined): AnyRule[] => {
  if (!ruleIds) return [...RULES];
  const unknown = unknownRuleIds(ruleIds);
  if (unknown) throw new UsageError(`unknown rule id(s): ${unknown}`);
  return RULES.filter((rule) => ruleIds.includes(rule.id));
};

/** Reads `--params FILE` and validates each rule's parameters before anything is scanned. */
const loadParams = async (
  path: string | undefined,
  rules: readonly AnyRule[],
): Promise<Map<string, unknown>> => {
  let raw: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ParamsFileError(`cannot read --params file ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ParamsFileError(
        `--params file ${path} is not valid JSON: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!isRecord(parsed)) {
      throw new ParamsFileError(`--params file ${path} must hold a JSON object keyed by rule id`);
    }
    raw = parsed as Record<string, unknown>;
    const unknown = unknownRuleIds(Object.keys(raw));
    if (unknown)
      throw new ParamsFileError(`--params file ${path} names unknown rule id(s): ${unknown}`);
  }
  // Every entry of the file is validated, also for rules not selected by --rules: a mistake in
  // the file should surface now, not in the run that first selects that rule.
  const params = new Map<string, unknown>();
  for (const rule of RULES) {
    const forRule = raw[rule.id];
    if (
      forRule !== undefined &&
      (forRule === null || typeof forRule !== 'object' || Array.isArray(forRule))
    ) {
      throw new ParamsFileError(`--params entry for ${rule.id} must be an object`);
    }
    const parsed = parseParams(
      rule.id,
      rule.parameters,
      forRule as Record<string, unknown> | undefined,
    );
    if (rules.includes(rule)) params.set(rule.id, parsed);
  }
  return params;
};

const scanSnapshot = async (
  options: ScanOptions,
  rules: readonly AnyRule[],
  params: Map<string, unknown>,
): Promise<ScanResult> => {
  const view = await loadSnapshot(options.snapshot as string);
  const evaluations = await scan({ rules, view, params, skipped: view.skipped, gone: view.gone });
  const total = view.items.length + view.skipped.length;
  if (evaluations.length === 0) {
    // A CI gate must not pass on an empty or wrong file.
    const types = [...new Set(rules.map((rule) => rule.resourceType))].join(', ');
    throw new SnapshotError(
      `${options.snapshot} holds no resource the selected rules evaluate (${types}); ${total} configuration item(s) read. Is it the right snapshot?`,
    );
  }
  const shown = view.skipped.slice(0, MAX_SKIPPED_SHOWN).map(
    // Items of a rule's type also appear as NON_COMPLIANT evaluations; the rest only here.
    (item) =>
      `skipped ${item.resourceType ?? '(no resourceType)'} ${item.resourceId ?? '(no resourceId)'}: ${item.reason}`,
  );
  const more = view.skipped.length - shown.length;
  return {
    evaluations,
    header: `vpce-guard scan of ${options.snapshot}: ${total} configuration items, ${rules.length} rule${rules.length === 1 ? '' : 's'}`,
    skippedItems: view.skipped.length,
    warnings: more > 0 ? [...shown, `and ${more} more unreadable item(s)`] : shown,
    unattributed: view.skipped.filter((item) => !item.resourceType || !item.resourceId).length,
  };
};

const runScan = async (options: ScanOptions, io: Io): Promise<number> => {
  const rules = selectRules(options.ruleIds);
  const params = await loadParams(options.paramsFile, rules);
  const result = options.live
    ? await (await import('./live.js')).scanLive(options, rules, params, io)
    : await scanSnapshot(options, rules, params);
  const summary = summarise(result.evaluations);
  // Suppressed failures (accepted risks) are reported but do not fail the scan.
  let failing = summary.byCompliance.NON_COMPLIANT;
  // The report code (renderers, the YAML parser of suppressions files) loads only when a format
  // or a suppressions file needs it: a plain JSON scan starts without it.
  const report = () => import('./report.js');
  const suppression =
    options.suppressionsFile && (options.format === 'json' || options.format === 'table')
      ? await (await report()).suppressScan(result.evaluations, options, io)
      : undefined;
  if (suppression) failing = suppression.failing;
  if (options.format === 'json') {
    // Streamed: at 100k buckets the report as one string was larger than the snapshot.
    await writeJsonReport(
      {
        evaluations: result.evaluations,
        summary,
        extra: {
          skippedItems: result.skippedItems,
          ...(result.apiCalls ? { apiCalls: result.apiCalls } : {}),
          ...(result.retries === undefined ? {} : { retries: result.retries }),
        },
        marks: suppression?.marks,
      },
      options.out,
      io,
    );
  } else if (options.format === 'table') {
    const color = Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined && !options.out;
    const shown = result.evaluations.map((evaluation, index) => {
      const mark = suppression?.marks[index];
      return mark
        ? {
            ...evaluation,
            annotation: `[suppressed until ${mark.expires}: ${mark.reason}] ${evaluation.annotation}`,
          }
        : evaluation;
    });
    await (await report()).writeOutput(
      renderTable(rules, shown, summary, result.header, {
        color,
        width: io.stdout.columns ?? 120,
        suppressed: suppression?.marks.filter(Boolean).length ?? 0,
      }),
      'table',
      options.out,
      io,
    );
  } else {
    failing = (await (await report()).runScanReport(options, result, io)).failing;
  }
  for (const warning of result.warnings) io.stderr.write(`vpce-guard: warning: ${warning}\n`);
  if (result.unattributed) {
    // Such items may be resources a rule should have judged; a clean exit would hide them.
    io.stderr.write(
      `vpce-guard: ${result.unattributed} item(s) have no resource type or id and were not evaluated\n`,
    );
    return 2;
  }
  if (options.exitZero) return 0;
  return failing > 0 ? 1 : 0;
};

export { loadParams, runScan };

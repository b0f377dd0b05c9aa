/**
 * The issue-13 figures, each a ratio against a baseline measured in the same run: the CLI against
 * a process that only JSON.parses the same file, the engine against JSON.parse in one process,
 * start-up against bare node. Every scan is also checked against the synthetic account's
 * constructed NON_COMPLIANT counts, so a fast wrong answer fails the benchmark.
 */
import { closeSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { LAMBDA_BUNDLE_OPTIONS } from '../../src/deploy/lambda-bundle.js';
import { RULES } from '../../src/rules/index.js';
import { scan } from '../../src/scan/scan.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { comparePair, expectSuccess, median, ROOT, runNode, workDir } from './bench-measure.js';
import { type Expectations, type Profile, synthesizeSnapshot, writeSnapshot } from './synth.js';
import { countMismatches, defaultParams, nonCompliantByRule } from './synth-check.js';

const checkCounts = (
  found: Record<string, number>,
  expected: Expectations,
  where: string,
): void => {
  const wrong = countMismatches(found, expected);
  if (wrong.length > 0)
    throw new Error(`${where}: wrong NON_COMPLIANT counts: ${wrong.join(', ')}`);
};

interface CliFigure {
  items: number;
  bytes: number;
  parseMs: number;
  cliMs: number;
  /** CLI scan / JSON.parse-only process, wall time: median and lowest per-round ratio. */
  ratio: number;
  best: number;
  cliRss: number;
  parseRss: number;
  /** CLI peak RSS / snapshot file size. */
  rssPerByte: number;
}

/** `vpce-guard scan --format json` of a buckets-only account (every policy differs) vs JSON.parse. */
const cliBucketsVsParse = (items: number, rounds: number, seed = 42): CliFigure => {
  const dir = workDir();
  const file = join(dir, `buckets-${items}-${seed}.json`);
  const fd = openSync(file, 'w');
  const expected = writeSnapshot(fd, { resources: items, seed, profile: 'buckets' });
  closeSync(fd);
  const report = join(dir, `buckets-${items}-${seed}.report.json`);
  const cli = () =>
    runNode(['bin/vpce-guard.js', 'scan', '--snapshot', file, '--format', 'json', '--exit-zero'], {
      stdoutFile: report,
    });
  const parse = () =>
    runNode(['-e', `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`]);
  // The checked run also warms the file cache for the timed rounds.
  expectSuccess(parse(), 'JSON.parse process');
  expectSuccess(cli(), 'vpce-guard scan');
  const summary = JSON.parse(readFileSync(report, 'utf8')).summary as {
    byRule: Record<string, { NON_COMPLIANT: number }>;
  };
  checkCounts(
    Object.fromEntries(Object.entries(summary.byRule).map(([rule, c]) => [rule, c.NON_COMPLIANT])),
    expected,
    `CLI scan of ${items} buckets`,
  );
  const pair = comparePair(parse, cli, rounds, false);
  const bytes = statSync(file).size;
  return {
    items,
    bytes,
    parseMs: pair.baseMs,
    cliMs: pair.subjectMs,
    ratio: pair.ratio,
    best: pair.best,
    cliRss: pair.subjectRss,
    parseRss: pair.baseRss,
    rssPerByte: pair.subjectRss / bytes,
  };
};

interface EngineFigure {
  profile: Profile;
  items: number;
  bytes: number;
  evaluations: number;
  parseMs: number;
  engineMs: number;
  /** Median and lowest of the per-run engine / JSON.parse ratios. */
  ratio: number;
  best: number;
  /** Engine time per evaluation, ms. */
  msPerEvaluation: number;
}

/**
 * In one process: JSON.parse of the snapshot text, then the engine (normalise every item, index
 * the view, run every rule over every resource of its type). Each run scans a different account
 * (seed + run), so caches help within a scan, never across runs.
 */
const engineVsParse = async (
  profile: Profile,
  items: number,
  runs: number,
  seed = 7,
): Promise<EngineFigure> => {
  const params = defaultParams();
  const parseTimes: number[] = [];
  const engineTimes: number[] = [];
  let evaluations = 0;
  let bytes = 0;
  for (let run = 0; run < runs; run++) {
    const { snapshot, expected } = synthesizeSnapshot({
      resources: items,
      seed: seed + run,
      profile,
    });
    const text = JSON.stringify(snapshot);
    const t0 = performance.now();
    const document = JSON.parse(text) as { configurationItems: unknown[] };
    const t1 = performance.now();
    const view = SnapshotView.fromItems(document.configurationItems);
    const result = await scan({ rules: RULES, view, params, concurrency: 1 });
    const t2 = performance.now();
    checkCounts(nonCompliantByRule(result), expected, `engine scan of ${profile} ${items}`);
    parseTimes.push(t1 - t0);
    engineTimes.push(t2 - t1);
    evaluations = result.length;
    bytes = text.length;
  }
  const engineMs = median(engineTimes);
  const ratios = engineTimes.map((ms, index) => ms / (parseTimes[index] as number));
  return {
    profile,
    items,
    bytes,
    evaluations,
    parseMs: median(parseTimes),
    engineMs,
    ratio: median(ratios),
    best: Math.min(...ratios),
    msPerEvaluation: engineMs / evaluations,
  };
};

interface StartFigure {
  what: string;
  bareMs: number;
  ms: number;
  ratio: number;
  best: number;
  rss: number;
}

const bareNode = () => runNode(['-e', '']);

/** `vpce-guard rules` (compiled CLI) vs `node -e ''`. */
const cliStart = (rounds: number): StartFigure => {
  const rules = () => runNode(['bin/vpce-guard.js', 'rules']);
  expectSuccess(rules(), 'vpce-guard rules');
  const pair = comparePair(bareNode, rules, rounds);
  return {
    what: '`vpce-guard rules`',
    bareMs: pair.baseMs,
    ms: pair.subjectMs,
    ratio: pair.ratio,
    best: pair.best,
    rss: pair.subjectRss,
  };
};

/**
 * Each rule's Lambda bundle built as `npm run package` builds it (the same esbuild options and
 * plugins, the SDK clients bundled), then loaded with require().
 */
const buildHandlers = async (only?: readonly string[]): Promise<string[]> => {
  const esbuild = await import('esbuild');
  const dir = join(workDir(), 'handlers');
  const sources = readdirSync(join(ROOT, 'handlers', 'rules'))
    .filter((name) => name.endsWith('.ts'))
    .filter((name) => !only || only.includes(basename(name, '.ts')));
  let plugins: unknown[] = [];
  try {
    plugins = createRequire(import.meta.url)('../../src/deploy/esbuild-plugins.cjs');
  } catch {
    // Older trees have no deployment plugins: the plain bundle is what they ship.
  }
  // One build per function, as serverless-esbuild does (the client stubs are per rule).
  for (const name of sources) {
    await esbuild.build({
      entryPoints: [join(ROOT, 'handlers', 'rules', name)],
      outdir: dir,
      outExtension: { '.js': '.cjs' },
      ...LAMBDA_BUNDLE_OPTIONS,
      mainFields: [...LAMBDA_BUNDLE_OPTIONS.mainFields],
      plugins: plugins as never[],
      logLevel: 'warning',
    });
  }
  return sources.map((name) => join(dir, `${basename(name, '.ts')}.cjs`));
};

const handlerLoad = async (rounds: number, only?: readonly string[]): Promise<StartFigure[]> => {
  const bundles = await buildHandlers(only);
  return bundles.map((bundle) => {
    const load = () => runNode(['-e', `require(${JSON.stringify(bundle)})`]);
    expectSuccess(load(), `require(${basename(bundle)})`);
    const pair = comparePair(bareNode, load, rounds);
    return {
      what: basename(bundle, '.cjs'),
      bareMs: pair.baseMs,
      ms: pair.subjectMs,
      ratio: pair.ratio,
      best: pair.best,
      rss: pair.subjectRss,
    };
  });
};

export type { CliFigure, EngineFigure, StartFigure };
export { cliBucketsVsParse, cliStart, engineVsParse, handlerLoad };

/**
 * Measuring helpers for the benchmarks: child processes timed side by side (so both sides of a
 * ratio share the machine's load at that moment), peak RSS read from the child itself, medians.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = join(ROOT, '.tmp', 'bench');

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const workDir = (): string => {
  mkdirSync(WORK, { recursive: true });
  return WORK;
};

// Preloaded into a measured process: writes its peak RSS (bytes) where the bench asks, on exit.
const RSS_HOOK = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  if (process.env.VG_BENCH_RSS) writeFileSync(process.env.VG_BENCH_RSS, String(process.resourceUsage().maxRSS * 1024));
});
`;

interface ProcessRun {
  ms: number;
  /** Peak resident set size of the process, bytes. */
  rss: number;
  status: number | null;
  stderr: string;
}

interface RunOptions {
  /** File that receives the process's stdout (otherwise discarded). */
  stdoutFile?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs `node <args>` once, timed from spawn to exit, with its peak RSS. */
const runNode = (args: readonly string[], options: RunOptions = {}): ProcessRun => {
  const dir = workDir();
  const hook = join(dir, 'rss-hook.mjs');
  writeFileSync(hook, RSS_HOOK);
  const rssFile = join(dir, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  const out = options.stdoutFile ? openSync(options.stdoutFile, 'w') : 'ignore';
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, ...args], {
    cwd: ROOT,
    stdio: ['ignore', out, 'pipe'],
    env: {
      ...process.env,
      ...options.env,
      VG_BENCH_RSS: rssFile,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (typeof out === 'number') closeSync(out);
  let rss = Number.NaN;
  try {
    rss = Number(readFileSync(rssFile, 'utf8'));
  } catch {
    // The process died before its exit handler ran; the caller sees the status.
  }
  return { ms, rss, status: result.status, stderr: result.stderr ?? '' };
};

interface Pair {
  /** Median time of each side, ms. */
  baseMs: number;
  subjectMs: number;
  /** Median of the per-round ratios subject / base: robust to load that changes between rounds. */
  ratio: number;
  /** The lowest per-round ratio: what the code costs when the machine's load least disturbs it. */
  best: number;
  baseRss: number;
  subjectRss: number;
}

/**
 * Alternates base and subject `rounds` times (after one unmeasured warm-up each unless the caller
 * has just run them, which fills the file cache) and compares them round by round.
 */
const comparePair = (
  base: () => ProcessRun,
  subject: () => ProcessRun,
  rounds: number,
  warmup = true,
): Pair => {
  if (warmup) {
    base();
    subject();
  }
  const baseRuns: ProcessRun[] = [];
  const subjectRuns: ProcessRun[] = [];
  for (let round = 0; round < rounds; round++) {
    baseRuns.push(base());
    subjectRuns.push(subject());
  }
  const ratios = subjectRuns.map((run, index) => run.ms / (baseRuns[index] as ProcessRun).ms);
  return {
    baseMs: median(baseRuns.map((run) => run.ms)),
    subjectMs: median(subjectRuns.map((run) => run.ms)),
    ratio: median(ratios),
    best: Math.min(...ratios),
    baseRss: Math.max(...baseRuns.map((run) => run.rss)),
    subjectRss: Math.max(...subjectRuns.map((run) => run.rss)),
  };
};

const expectSuccess = (run: ProcessRun, what: string, allowed: readonly number[] = [0]): void => {
  if (run.status === null || !allowed.includes(run.status)) {
    throw new Error(`${what} exited with ${run.status}: ${run.stderr.slice(0, 2000)}`);
  }
};

export type { Pair, ProcessRun };
export { comparePair, expectSuccess, median, ROOT, runNode, workDir };

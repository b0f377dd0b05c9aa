import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Bundle size and cold module-load time of each packaged function, as Lambda loads it: unzipped
 * outside the repository, `require()`d by a fresh `node`. Compared with a bare `node` start.
 * Usage: node bin/run-ts.js scripts/bench-lambda-load.ts [package dir, default .serverless] [runs]
 */

const packageDir = resolve(process.argv[2] ?? '.serverless');
const runs = Number(process.argv[3] ?? 10);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Wall time of `node -e code` in ms, median of `runs` cold processes. */
const wall = (code: string, cwd: string): number =>
  median(
    Array.from({ length: runs }, () => {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, ['-e', code], {
        cwd,
        env: { PATH: process.env['PATH'] ?? '', AWS_REGION: 'us-east-1' },
      });
      if (result.status !== 0) throw new Error(`node -e failed: ${result.stderr}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    }),
  );

/** Time spent inside `require(handler)` alone, median of `runs` cold processes. */
const requireTime = (file: string, cwd: string): number =>
  median(
    Array.from({ length: runs }, () => {
      const code = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      const result = spawnSync(process.execPath, ['-e', code], {
        cwd,
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '', AWS_REGION: 'us-east-1' },
      });
      if (result.status !== 0) throw new Error(`require failed: ${result.stderr}`);
      return Number(result.stdout);
    }),
  );

const scratch = mkdtempSync(join(tmpdir(), 'vpce-guard-bench-load-'));
try {
  const bare = wall('', scratch);
  const rows: string[] = [];
  for (const zip of readdirSync(packageDir)
    .filter((name) => name.endsWith('.zip'))
    .sort()) {
    const dir = join(scratch, zip.replace(/\.zip$/, ''));
    const [handler] = spawnSync('unzip', ['-Z1', join(packageDir, zip)], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    // The rule functions; the notifier and report functions need their stack's environment.
    if (!handler?.startsWith('handlers/rules/')) continue;
    spawnSync('unzip', ['-q', join(packageDir, zip), '-d', dir]);
    const file = join(dir, handler);
    const total = wall(`require(${JSON.stringify(file)})`, dir);
    rows.push(
      `| ${zip.replace(/\.zip$/, '')} | ${(statSync(join(packageDir, zip)).size / 1024).toFixed(0)} KiB | ${(statSync(file).size / 1024).toFixed(0)} KiB | ${requireTime(file, dir).toFixed(0)} ms | ${total.toFixed(0)} ms | +${(total - bare).toFixed(0)} ms |`,
    );
  }
  console.log(`bare \`node -e ''\`: ${bare.toFixed(0)} ms (median of ${runs})\n`);
  console.log('| function | zip | JS | require() | node start + require | vs bare node |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

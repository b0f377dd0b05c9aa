import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Ratios against baselines measured in the same run, with thresholds far above today's figures:
// this catches a quadratic join or the SDK loaded at start-up, not machine noise. The generous
// timeout is for shared machines; on an idle 2-core machine the run takes about a minute.
describe('performance gate (npm run bench:quick)', () => {
  it('keeps every measured ratio under its recorded threshold, with correct scan results', () => {
    const result = spawnSync('node', ['bin/run-ts.js', 'scripts/bench.ts', '--quick'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    });

    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).not.toContain('REGRESSED');
  }, 310_000);
});

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const run = (command: string, args: string[]) =>
  spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

// The gates a change must pass, run with the tests so a red build cannot land unnoticed.
describe('project gates', () => {
  it('type-checks strictly (src, handlers, tests, scripts, serverless.ts)', () => {
    const result = run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);

    expect(result.stdout + result.stderr, 'tsc reported errors').toBe('');
    expect(result.status).toBe(0);
  });

  it('passes Biome lint and format checks', () => {
    const result = run('npx', ['biome', 'ci', '.']);

    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});

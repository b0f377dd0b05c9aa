import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Runs the real `npm run package` (offline, no AWS credentials) the way an operator would. */

const ROOT = resolve(import.meta.dirname, '../..');
const DEFAULT_OUT = join(ROOT, '.serverless');
const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

/** No AWS credentials or profile may leak in: packaging must work offline. */
const offlineEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_'))),
  ...extra,
});

const run = (args: string[], extra: Record<string, string> = {}): string => {
  const result = spawnSync(args[0] ?? 'npm', args.slice(1), {
    cwd: ROOT,
    env: offlineEnv(extra),
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
};

interface PackageOptions {
  /** Where the artifacts go (`--package`); `.serverless/` by default. */
  outDir?: string;
  stage?: string;
  region?: string;
  /** A stage parameters file; by default one that does not exist (every value empty). */
  stageParams?: string;
}

/** `npm run package -- [--stage S] [--region R] [--package DIR]`; returns the output directory. */
const packageService = (options: PackageOptions = {}): string => {
  const outDir = options.outDir ?? DEFAULT_OUT;
  const args = ['npm', 'run', 'package', '--'];
  if (options.stage) args.push('--stage', options.stage);
  if (options.region) args.push('--region', options.region);
  if (options.outDir) args.push('--package', options.outDir);
  run(args, {
    VPCE_GUARD_STAGE_PARAMS:
      options.stageParams ?? join(ROOT, 'test/deploy/fixtures/no-such-file.json'),
  });
  return outDir;
};

const SHARED_PREFIX = 'vpce-guard-package-run-';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The default package (every stage value empty), built once per test run and shared by the deploy
 * test files: vitest runs them one after another in workers of one parent process, whose pid names
 * the directory. Directories of finished runs are removed.
 */
const sharedPackage = (): string => {
  const outDir = join(tmpdir(), `${SHARED_PREFIX}${process.ppid}`);
  if (existsSync(join(outDir, TEMPLATE_FILE))) return outDir;
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(name.slice(SHARED_PREFIX.length));
    if (name.startsWith(SHARED_PREFIX) && !alive(pid)) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
  return packageService({ outDir });
};

export type { PackageOptions };
export { DEFAULT_OUT, packageService, ROOT, run, sharedPackage, TEMPLATE_FILE };

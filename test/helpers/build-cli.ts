import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Tests that run bin/vpce-guard.js (the demo, exit codes, start-up benchmarks) run the compiled CLI
 * in dist/: rebuild it once per test run when a source is newer. A failed build is reported but
 * does not stop the run, so only the tests that need the CLI fail, with the build error in sight.
 */
export default function buildCli(): void {
  const result = spawnSync(process.execPath, ['bin/build.js', '--if-stale', '--quiet'], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(
      `vpce-guard: building dist/ for the CLI tests failed:\n${result.stderr}${result.stdout}`,
    );
  }
}

import { spawnSync } from 'node:child_process';

/**
 * External tools the deploy tests need. cfn-lint (and the PyYAML it depends on) come with the CI
 * machine image; locally a missing binary skips those tests loudly, under CI=true it fails them.
 */

const probe = (command: string, args: string[]): boolean => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0;
};

const HAS_CFN_LINT = probe('cfn-lint', ['--version']);
const HAS_PYYAML = probe('python3', ['-c', 'import yaml']);
const IN_CI = process.env['CI'] === 'true';

const requireTool = (available: boolean, name: string): boolean => {
  if (available) return true;
  if (IN_CI) return true; // run the test so it fails with the message below
  console.warn(
    `\n!!! ${name} is not installed: SKIPPING the tests that need it (they fail under CI=true) !!!\n`,
  );
  return false;
};

const assertTool = (available: boolean, name: string): void => {
  if (!available) throw new Error(`${name} is required under CI=true but is not installed`);
};

interface LintResult {
  code: number | null;
  output: string;
}

/** cfn-lint exit codes: 0 clean, 2 error, 4 warning, 8 informational (bit flags). */
const cfnLint = (...paths: string[]): LintResult => {
  assertTool(HAS_CFN_LINT, 'cfn-lint');
  // One process for all files: cfn-lint's start-up dominates its run time.
  const result = spawnSync('cfn-lint', ['--', ...paths], { encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
};

/** Parses YAML documents with PyYAML (an independent parser checks our own YAML writer). */
const parseYamlWithPython = (documents: string[]): unknown[] => {
  assertTool(HAS_PYYAML, 'python3 with PyYAML');
  const script =
    'import json, sys, yaml\nprint(json.dumps([yaml.safe_load(d) for d in json.load(sys.stdin)]))';
  const result = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(documents),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`PyYAML failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown[];
};

const CAN_LINT = requireTool(HAS_CFN_LINT, 'cfn-lint');
const CAN_PARSE_YAML = requireTool(HAS_PYYAML, 'python3 with PyYAML');

export type { LintResult };
export { CAN_LINT, CAN_PARSE_YAML, cfnLint, parseYamlWithPython };

import { readFileSync, writeFileSync } from 'node:fs';
import { ENGINE_IAM_ACTIONS } from '../src/deploy/engine-actions.js';
import { infraFiles } from '../src/deploy/infra.js';
import { RULES } from '../src/rules/index.js';

/**
 * Writes the CloudFormation templates in infra/ from the rule catalogue. With `--check` it writes
 * nothing and exits 1 when a committed file differs (for CI).
 */

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const file of infraFiles(RULES, ENGINE_IAM_ACTIONS)) {
  let current: string | undefined;
  try {
    current = readFileSync(file.path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === file.text) continue;
  stale.push(file.path);
  if (!check) writeFileSync(file.path, file.text);
}
if (check && stale.length > 0) {
  console.error(
    `Stale generated templates: ${stale.join(', ')}; run node bin/run-ts.js scripts/generate-infra.ts`,
  );
  process.exit(1);
}
console.log(stale.length > 0 ? `Wrote ${stale.join(', ')}` : 'infra/ templates are current');

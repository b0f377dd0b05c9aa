import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertPackagedFor,
  packagedTargetOf,
  targetOf,
  withoutTarget,
} from '../src/deploy/packaged-target.js';

/**
 * `npm run deploy -- --stage S --region R [osls options]`: deploys .serverless/ as packaged by
 * `npm run package -- --stage S --region R`, after checking it was built for that stage and region.
 */

const args = process.argv.slice(2);
const packageDir = join(process.cwd(), '.serverless');
let state: unknown;
try {
  state = JSON.parse(readFileSync(join(packageDir, 'serverless-state.json'), 'utf8'));
} catch {
  console.error('No package in .serverless/: run npm run package -- --stage S --region R first');
  process.exit(1);
}
try {
  assertPackagedFor(packagedTargetOf(state), targetOf(args));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const target = targetOf(args);
const result = spawnSync(
  'npx',
  [
    'osls',
    'deploy',
    '--package',
    packageDir,
    '--stage',
    target.stage,
    '--region',
    target.region,
    ...withoutTarget(args),
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

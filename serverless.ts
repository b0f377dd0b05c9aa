import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ENGINE_IAM_ACTIONS } from './src/deploy/engine-actions.js';
import { loadStageParamsFile } from './src/deploy/params.js';
import { buildServerlessConfig } from './src/deploy/serverless-config.js';
import { RULES } from './src/rules/index.js';

// Everything is derived from the rule catalogue (src/deploy builds it); per-stage settings live
// in infra/stage-params.json (see infra/stage-params.example.json and docs/deploy.md).
const stageParamsPath = resolve(
  process.env['VPCE_GUARD_STAGE_PARAMS'] ?? resolve(__dirname, 'infra/stage-params.json'),
);

const serverlessConfiguration = buildServerlessConfig({
  rules: RULES,
  engineActions: ENGINE_IAM_ACTIONS,
  stageParams: loadStageParamsFile(stageParamsPath, RULES),
  version: (
    JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string }
  ).version,
});

module.exports = serverlessConfiguration;

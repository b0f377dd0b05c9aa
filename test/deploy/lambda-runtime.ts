import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Loads a packaged function the way the Lambda Node.js runtime does: the zip unpacked into an empty
 * directory outside the repository (no node_modules, no package.json above it, so `.js` is
 * CommonJS), the handler file require()d, then called with an event and a context. Any module
 * resolved from outside the bundle (a bare specifier that is not a Node built-in) fails the load:
 * the function must run on what it ships, not on a runtime's SDK.
 */

const RUNNER = `
const Module = require('node:module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const bare = !/^(?:\\.|\\/|node:)/.test(request);
  if (bare && !Module.builtinModules.includes(request)) {
    throw new Error('resolved outside the bundle: ' + request);
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
const [file, exportName, eventJson, contextJson] = process.argv.slice(2);
const started = process.hrtime.bigint();
const handler = require(file)[exportName];
const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
const context = { ...JSON.parse(contextJson), getRemainingTimeInMillis: () => 60000 };
Promise.resolve(handler(JSON.parse(eventJson), context)).then(
  (result) => process.stdout.write('\\n@@RESULT ' + JSON.stringify({ loadMs, result }) + '\\n'),
  (error) => {
    process.stdout.write('\\n@@RESULT ' + JSON.stringify({ loadMs, error: String(error) }) + '\\n');
    process.exitCode = 1;
  },
);
`;

interface Invocation {
  loadMs: number;
  result?: unknown;
  error?: string;
  /** Everything the function printed (its JSON logs). */
  output: string;
}

/** Directories from `dir` up to the root that hold a node_modules or package.json. */
const resolutionLeaks = (dir: string): string[] => {
  const leaks: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    for (const name of ['node_modules', 'package.json']) {
      if (existsSync(join(current, name))) leaks.push(join(current, name));
    }
    if (dirname(current) === current) return leaks;
  }
};

/** Unzips a packaged function into a fresh directory outside the repository. */
const unpack = (zip: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'vpce-guard-task-'));
  const result = spawnSync('unzip', ['-q', zip, '-d', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`unzip ${zip} failed: ${result.stderr}`);
  writeFileSync(join(dir, '.runner.cjs'), RUNNER);
  return dir;
};

/**
 * Invokes `handler` (`handlers/rules/x.handler`) of an unpacked function with only the variables
 * Lambda would set plus `env` (an endpoint URL and credentials for moto).
 */
const invokeUnpacked = (
  taskDir: string,
  handler: string,
  event: unknown,
  env: Record<string, string>,
): Invocation => {
  const dot = handler.lastIndexOf('.');
  const file = join(taskDir, `${handler.slice(0, dot)}.js`);
  const functionName = 'vpce-guard-test-function';
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/29/[$LATEST]0123456789abcdef',
  };
  const result = spawnSync(
    process.execPath,
    [
      join(taskDir, '.runner.cjs'),
      file,
      handler.slice(dot + 1),
      JSON.stringify(event),
      JSON.stringify(context),
    ],
    {
      cwd: taskDir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        LAMBDA_TASK_ROOT: taskDir,
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
    },
  );
  const output = `${result.stdout}${result.stderr}`;
  const marker = /@@RESULT (.*)$/m.exec(result.stdout ?? '');
  if (!marker?.[1]) throw new Error(`the function printed no result:\n${output}`);
  return { ...(JSON.parse(marker[1]) as Omit<Invocation, 'output'>), output };
};

export type { Invocation };
export { invokeUnpacked, resolutionLeaks, unpack };

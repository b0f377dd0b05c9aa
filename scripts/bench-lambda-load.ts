import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * Bundle size and cold start of each packaged rule function, as Lambda loads it: unzipped outside
 * the repository, `require()`d by a fresh `node`, side by side with a bare `node -e ''` in the same
 * round (the ratio is the median of the per-round ratios). With `--endpoint-url` (a moto_server),
 * each round also runs a third process that loads a bucket rule's function and invokes it once
 * with a bucket change event in TestMode: load plus first invocation, so work a bundle defers
 * until its first call is counted too.
 *
 * Several package directories (before and after a change) are measured round by round together.
 *
 *   node bin/run-ts.js scripts/bench-lambda-load.ts [package dir ...] [--rounds 10]
 *        [--endpoint-url http://127.0.0.1:5000] [--only rule-id,rule-id]
 */

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'endpoint-url': { type: 'string' },
    only: { type: 'string' },
    rounds: { type: 'string', default: '10' },
  },
});
const packageDirs = (positionals.length > 0 ? positionals : ['.serverless']).map((dir) =>
  resolve(dir),
);
const rounds = Number(values.rounds);
const endpointUrl = values['endpoint-url'];
const only = values.only?.split(',');

// Prints how long require() took and, with an event, how long the first invocation took.
const RUNNER = `
const [file, eventJson] = process.argv.slice(2);
const report = (extra) => process.stdout.write('\\n@@BENCH ' + JSON.stringify(extra) + '\\n');
if (!file) report({});
else {
  const started = process.hrtime.bigint();
  const { handler } = require(file);
  const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!eventJson) report({ loadMs });
  else {
    const context = { functionName: 'vpce-guard-bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 60000 };
    const invoked = process.hrtime.bigint();
    Promise.resolve(handler(JSON.parse(eventJson), context)).then(
      () => report({ loadMs, invokeMs: Number(process.hrtime.bigint() - invoked) / 1e6 }),
      (error) => { report({ loadMs, error: String(error) }); process.exitCode = 1; },
    );
  }
}
`;

interface Run {
  wallMs: number;
  /** User + system CPU of the whole process (bash's \`times\`): far less sensitive to other load. */
  cpuMs: number;
  loadMs?: number;
  invokeMs?: number;
}

const median = (numbers: number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const baseEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'] ?? '',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

/** Seconds in bash's `times` (`0m0.123s`). */
const seconds = (text: string): number => {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
};

const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv = baseEnv()): Run => {
  const started = process.hrtime.bigint();
  // bash reports its children's user and system CPU (`times`, second line) on stderr.
  const result = spawnSync(
    'bash',
    ['-c', '"$@"; status=$?; times >&2; exit $status', '_', process.execPath, ...args],
    {
      cwd,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const marker = /@@BENCH (.*)$/m.exec(result.stdout ?? '');
  if (result.status !== 0 || !marker?.[1]) {
    throw new Error(`node ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  }
  const [user = '', system = ''] = (result.stderr.trim().split('\n').at(-1) ?? '').split(/\s+/);
  const cpuMs = (seconds(user) + seconds(system)) * 1000;
  return { wallMs, cpuMs, ...(JSON.parse(marker[1]) as Omit<Run, 'wallMs' | 'cpuMs'>) };
};

/**
 * The first invocation: the bucket change event the lambda-load tests use (a bucket with a policy),
 * for the bucket rules. moto answers too few of the other rules' reads to replay them here.
 */
const BUCKET_RULES = ['s3-bucket-policy-tls-only', 's3-bucket-policy-vpce-only'];
const bucketChangeEvent = (ruleId: string): string => {
  const fixture = JSON.parse(
    readFileSync(resolve('test/fixtures/events/s3-bucket-change.json'), 'utf8'),
  ) as { event: Record<string, unknown> };
  return JSON.stringify({
    ...fixture.event,
    resultToken: 'TESTMODE',
    configRuleName: `vpce-guard-dev-${ruleId}`,
  });
};

const scratch = mkdtempSync(join(tmpdir(), 'vpce-guard-bench-load-'));
try {
  writeFileSync(join(scratch, 'runner.cjs'), RUNNER);
  const runner = join(scratch, 'runner.cjs');
  interface Fn {
    packageDir: string;
    ruleId: string;
    dir: string;
    file: string;
    zip: string;
  }
  const functions: Fn[] = [];
  for (const [index, packageDir] of packageDirs.entries()) {
    for (const zip of readdirSync(packageDir)
      .filter((name) => name.endsWith('.zip'))
      .sort()) {
      const [handler] = spawnSync('unzip', ['-Z1', join(packageDir, zip)], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n');
      // The rule functions; the notifier and report functions need their stack's environment.
      const ruleId = /^handlers\/rules\/([a-z0-9-]+)\.js$/.exec(handler ?? '')?.[1];
      if (!handler || !ruleId || (only && !only.includes(ruleId))) continue;
      const dir = join(scratch, String(index), zip.replace(/\.zip$/, ''));
      mkdirSync(dir, { recursive: true });
      spawnSync('unzip', ['-q', join(packageDir, zip), '-d', dir]);
      functions.push({ packageDir, ruleId, dir, file: join(dir, handler), zip });
    }
  }
  const invokeEnv = endpointUrl && {
    ...baseEnv(),
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_MAX_ATTEMPTS: '1',
  };
  const samples = new Map(
    functions.map((fn) => [fn, { bare: [] as Run[], load: [] as Run[], invoke: [] as Run[] }]),
  );
  // Packages alternate function by function, so load that comes and goes hits them alike.
  const order = [...functions].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
  for (let round = 0; round < rounds; round++) {
    for (const fn of order) {
      const sample = samples.get(fn);
      if (!sample) continue;
      // The runner without a file: node's own start plus the same reporting as the others.
      sample.bare.push(run([runner], fn.dir));
      sample.load.push(run([runner, fn.file], fn.dir));
      if (invokeEnv && BUCKET_RULES.includes(fn.ruleId)) {
        sample.invoke.push(run([runner, fn.file, bucketChangeEvent(fn.ruleId)], fn.dir, invokeEnv));
      }
    }
  }
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const kib = (path: string) => `${(statSync(path).size / 1024).toFixed(0)} KiB`;
  for (const packageDir of packageDirs) {
    const mine = functions.filter((fn) => fn.packageDir === packageDir);
    const bareAll = mine.flatMap((fn) => samples.get(fn)?.bare ?? []);
    console.log(
      `\n${packageDir}: ${rounds} rounds, bare node ${ms(median(bareAll.map((r) => r.wallMs)))} wall, ${ms(median(bareAll.map((r) => r.cpuMs)))} CPU (medians), Node ${process.version}\n`,
    );
    const invokeHeads = invokeEnv
      ? ' load + first invocation (moto), wall / CPU | first invocation alone |'
      : '';
    console.log(
      `| function | zip | JS | \`require()\` alone | node start + \`require()\`, wall / CPU | vs bare node, wall / CPU |${invokeHeads}`,
    );
    console.log(`| --- | ---: | ---: | ---: | ---: | ---: |${invokeEnv ? ' ---: | ---: |' : ''}`);
    for (const fn of mine) {
      const sample = samples.get(fn);
      if (!sample) continue;
      const ratioOf = (key: 'wallMs' | 'cpuMs') =>
        median(sample.load.map((r, i) => r[key] / (sample.bare[i]?.[key] ?? Number.NaN)));
      const both = (runs: Run[]) =>
        `${ms(median(runs.map((r) => r.wallMs)))} / ${ms(median(runs.map((r) => r.cpuMs)))}`;
      const invoke = !invokeEnv
        ? ''
        : sample.invoke.length === 0
          ? ' n/a | n/a |'
          : ` ${both(sample.invoke)} | ${ms(median(sample.invoke.map((r) => r.invokeMs ?? Number.NaN)))} |`;
      const js = readFileSync(fn.file).length;
      console.log(
        `| ${fn.ruleId} | ${kib(join(packageDir, fn.zip))} | ${(js / 1024).toFixed(0)} KiB | ${ms(median(sample.load.map((r) => r.loadMs ?? Number.NaN)))} | ${both(sample.load)} | ${ratioOf('wallMs').toFixed(2)}× / ${ratioOf('cpuMs').toFixed(2)}× |${invoke}`,
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LAMBDA_BUNDLE_OPTIONS,
  lambdaBundlePlugins,
  literalSchemaKeys,
  staticImports,
} from '../../src/deploy/lambda-bundle.js';

/**
 * How a function bundle keeps only the SDK code it can use (src/deploy/lambda-bundle.ts), checked
 * on a handler-shaped entry that reads EC2 through a dynamically imported module, as the rule
 * handlers reach their live view.
 */

const scratch = mkdtempSync(join(tmpdir(), 'vpce-guard-lambda-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bundleFakeHandler = async (): Promise<string> => {
  const dir = join(scratch, 'handlers');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'reads.ts'),
    `import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
export const describeVpcs = (client: EC2Client) => client.send(new DescribeVpcsCommand({}));
export const credentialsOf = () => new EC2Client({ region: 'us-east-1' }).config.credentials();
`,
  );
  writeFileSync(
    join(dir, 'fake.ts'),
    `export const credentials = async () => (await import('./reads.js')).credentialsOf();
`,
  );
  const outfile = join(scratch, 'fake.cjs');
  await build({
    ...LAMBDA_BUNDLE_OPTIONS,
    mainFields: [...LAMBDA_BUNDLE_OPTIONS.mainFields],
    entryPoints: [join(dir, 'fake.ts')],
    outfile,
    logLevel: 'silent',
    nodePaths: [join(process.cwd(), 'node_modules')],
    plugins: lambdaBundlePlugins(),
  });
  return outfile;
};

const runBundle = (file: string, env: Record<string, string>) =>
  spawnSync(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(file)}).credentials().then((c) => console.log(c.accessKeyId), (e) => { console.log(e.name); process.exit(3) })`,
    ],
    { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } },
  );

describe('a Lambda function bundle', () => {
  it('spells schema keys out from their constants and leaves other keys alone', () => {
    const source = [
      'const _xN = "xmlName";',
      'const n0 = "com.amazonaws.ec2";',
      'export var Min$ = [3, n0, "Min", 0, [[1, { [_xN]: _m, [other]: 1 }]]];',
    ].join('\n');

    expect(literalSchemaKeys(source)).toContain('{ "xmlName": _m, [other]: 1 }');
  });

  it('turns the dynamic imports of its own code into static ones', () => {
    const source = `const a = async () => (await import('./live.js')).run();
const b = async () => { const { x } = await import("./live.js"); return x; };`;

    const out = staticImports(source) ?? '';

    expect(out.match(/^import \* as (\w+) from "\.\/live\.js";$/gm)).toHaveLength(1);
    expect(out).not.toContain('import(');
    expect(staticImports('export const a = 1;')).toBeUndefined();
  });

  it('keeps only the EC2 commands and schemas the code uses, and only the env credential source', async () => {
    // Act
    const file = await bundleFakeHandler();
    const code = readFileSync(file, 'utf8');

    // Assess
    expect(code).toContain('DescribeVpcsRequest');
    // A command and shapes nothing calls, and the profile/SSO sources of the default chain.
    expect(code).not.toContain('RunInstancesRequest');
    expect(code).not.toContain('sso_start_url');
    expect(code.length).toBeLessThan(400 * 1024);
  });

  it('reads the credentials Lambda puts in the environment, and fails without them', async () => {
    const file = await bundleFakeHandler();

    const withEnv = runBundle(file, {
      AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    const without = runBundle(file, {});

    expect(withEnv.stdout.trim(), withEnv.stderr).toBe('AKIDFROMENV');
    expect(without.status).toBe(3);
    expect(without.stdout.trim()).toBe('CredentialsProviderError');
  });
});

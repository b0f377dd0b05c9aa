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
import { describeWithMoto } from '../integration/moto.js';

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
  // As src/engine/member-account.ts reaches STS: a destructured dynamic import.
  writeFileSync(
    join(dir, 'member.ts'),
    `export const assume = async (RoleArn: string) => {
  const { AssumeRoleCommand, STSClient: Client } = await import('@aws-sdk/client-sts');
  const client = new Client({ region: 'us-east-1' });
  const { Credentials } = await client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'vpce-guard' }));
  return Credentials?.AccessKeyId;
};
`,
  );
  writeFileSync(
    join(dir, 'fake.ts'),
    `export const credentials = async () => (await import('./reads.js')).credentialsOf();
export { assume } from './member.js';
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

const runBundle = (file: string, env: Record<string, string>, call = 'credentials()') =>
  spawnSync(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(file)}).${call}.then((c) => console.log(c?.accessKeyId ?? c), (e) => { console.log(e.name); process.exit(3) })`,
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

    // A destructured import names what it takes (esbuild keeps only that); other uses, all of it.
    expect(out).toMatch(/^import \{ x as (\w+) \} from "\.\/live\.js";$/m);
    expect(out).toMatch(/^import \* as (\w+) from "\.\/live\.js";$/m);
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

describeWithMoto('a Lambda function bundle against moto_server', (moto) => {
  it('assumes a member-account role through its bundled STS client with the env credentials', async () => {
    const file = await bundleFakeHandler();

    const assumed = runBundle(
      file,
      {
        AWS_ENDPOINT_URL: moto.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      },
      `assume('arn:aws:iam::111122223333:role/vpce-guard-member-us-east-1')`,
    );

    // moto issues temporary (ASIA…) keys for an assumed role.
    expect(assumed.stdout.trim(), assumed.stderr).toMatch(/^ASIA/);
  });
});

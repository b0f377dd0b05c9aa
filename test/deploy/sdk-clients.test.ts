import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  clientPackagesOf,
  ruleIdOfEntry,
  sdkClientsPlugin,
  unusedClientPackagesOf,
} from '../../src/deploy/sdk-clients.js';
import { RULES } from '../../src/rules/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'vpce-guard-sdk-clients-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Bundles a handler-shaped entry that imports EC2 only inside a function, as the live view does. */
const bundleFakeHandler = async (ruleId: string, iamActions: string[]): Promise<string> => {
  const dir = join(scratch, ruleId, 'handlers', 'rules');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `${ruleId}.ts`);
  writeFileSync(
    entry,
    `import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
export const loaded = true;
export const describeVpcs = () => new EC2Client({ region: 'us-east-1' }).send(new DescribeVpcsCommand({}));
`,
  );
  const outfile = join(scratch, ruleId, 'out.cjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
    nodePaths: [join(process.cwd(), 'node_modules')],
    plugins: [sdkClientsPlugin([{ id: ruleId, iamActions }])],
  });
  return outfile;
};

const runBundle = (file: string, code: string) =>
  spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(file)}); ${code}`], {
    encoding: 'utf8',
  });

describe('the SDK clients of a rule function', () => {
  it('are Config and STS always, EC2 and S3 only when the rule declares actions of that service', () => {
    const ids = (id: string) => RULES.find((rule) => rule.id === id) ?? { iamActions: [] };

    expect(clientPackagesOf(ids('s3-bucket-policy-tls-only'))).toEqual(['@aws-sdk/client-s3']);
    expect(unusedClientPackagesOf(ids('s3-bucket-policy-tls-only'))).toEqual([
      '@aws-sdk/client-ec2',
    ]);
    // S3 is always bundled: every rule function writes its evidence to the report bucket.
    expect(unusedClientPackagesOf(ids('vpc-required-endpoints'))).toEqual([]);
    expect(ruleIdOfEntry('handlers/rules/vpc-required-endpoints.ts')).toBe(
      'vpc-required-endpoints',
    );
    expect(ruleIdOfEntry('handlers/notifier.ts')).toBeUndefined();
  });

  it('leave an unused client out: the bundle loads, and using it fails saying why', async () => {
    // Act
    const file = await bundleFakeHandler('fake-s3-only', ['s3:GetBucketPolicy']);
    const load = runBundle(file, 'console.log(m.loaded)');
    const use = runBundle(
      file,
      'try { m.describeVpcs() } catch (e) { console.log(e.message); process.exit(3) }',
    );

    // Assess
    expect(load.stdout.trim(), load.stderr).toBe('true');
    expect(use.status).toBe(3);
    expect(use.stdout).toMatch(
      /@aws-sdk\/client-ec2 is not bundled into the fake-s3-only function: the rule declares no IAM action of that service/,
    );
  });

  it('keep a client the rule declares actions for', async () => {
    const file = await bundleFakeHandler('fake-ec2', ['ec2:DescribeVpcs']);

    // The EC2 client's own service shape is in the bundle, not a stub.
    expect(readFileSync(file, 'utf8')).toContain('AmazonEC2');
  });
});

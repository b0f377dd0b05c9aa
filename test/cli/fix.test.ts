import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Bucket } from '../../src/model/resources.js';
import { parseParams } from '../../src/rules/params.js';
import { s3BucketPolicyTlsOnly } from '../../src/rules/s3-bucket-policy-tls-only.js';
import { s3BucketPolicyVpceOnly } from '../../src/rules/s3-bucket-policy-vpce-only.js';
import { vpcEndpointPolicyRestricted } from '../../src/rules/vpc-endpoint-policy-restricted.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { readFixture } from '../helpers/fixtures.js';

const BUCKET = 'acme-cardholder-data-111122223333';
const ENDPOINT = 'vpce-0a1b2c3d4e5f67890';

const itemsOf = (fixture: string): Record<string, unknown>[] =>
  (readFixture(`rules/${fixture}`) as { configurationItems: Record<string, unknown>[] })
    .configurationItems;

const bucketItem = () =>
  itemsOf('s3-bucket-policy-vpce-only/non-compliant/allow-only.json')[0] as Record<string, unknown>;
const endpointItem = () =>
  itemsOf('vpc-endpoint-policy-restricted/compliant/org-condition-trusted.json')[0] as Record<
    string,
    unknown
  >;

const dir = mkdtempSync(join(tmpdir(), 'vpce-guard-fix-'));

const write = (name: string, value: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

const run = async (argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  });
  return { code, stdout, stderr };
};

/** Both bucket rules on the printed policy, with the parameters fix was given. */
const judge = async (
  items: unknown[],
  policy: unknown,
  params: Record<string, Record<string, unknown>> = {},
) => {
  const view = SnapshotView.fromItems(items);
  const bucket = (await view.get('AWS::S3::Bucket', BUCKET)) as Bucket;
  const fixed: Bucket = { ...bucket, policy: { kind: 'present', text: JSON.stringify(policy) } };
  return Promise.all(
    [s3BucketPolicyVpceOnly, s3BucketPolicyTlsOnly].map((rule) =>
      rule.evaluate(fixed, view, parseParams(rule.id, rule.parameters, params[rule.id]) as never),
    ),
  );
};

describe('vpce-guard fix --bucket', () => {
  it("appends fences that make both bucket rules COMPLIANT, using the account's S3 endpoints", async () => {
    // Prepare
    const items = [bucketItem(), endpointItem()];
    const snapshot = write('account.json', { configurationItems: items });
    const original = JSON.parse(
      (
        (bucketItem().supplementaryConfiguration as Record<string, { policyText: string }>)
          .BucketPolicy as { policyText: string }
      ).policyText,
    ) as { Statement: unknown[] };

    // Act
    const { code, stdout } = await run(['fix', '--snapshot', snapshot, '--bucket', BUCKET]);

    // Assess
    expect(code).toBe(0);
    const policy = JSON.parse(stdout) as { Statement: Record<string, unknown>[] };
    expect(policy.Statement.slice(0, original.Statement.length)).toEqual(original.Statement);
    expect(JSON.stringify(policy)).toContain(ENDPOINT);
    const verdicts = await judge(items, policy);
    expect(verdicts.map((v) => v.compliance)).toEqual(['COMPLIANT', 'COMPLIANT']);
  });

  it('carves out exactly the configured exemptions and stays COMPLIANT under the same params', async () => {
    // Prepare
    const params = {
      's3-bucket-policy-vpce-only': {
        allowedVpceIds: 'vpce-0b2c3d4e5f6789012',
        exemptions: {
          'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/BreakGlass'],
          'aws:SourceIp': ['203.0.113.0/24'],
        },
      },
      's3-bucket-policy-tls-only': { exemptions: '{"aws:ViaAWSService": ["true"]}' },
    };
    const snapshot = write('bucket-only.json', { configurationItems: [bucketItem()] });

    // Act
    const { code, stdout } = await run([
      'fix',
      '--snapshot',
      snapshot,
      '--bucket',
      BUCKET,
      '--params',
      write('params.json', params),
    ]);

    // Assess
    expect(code).toBe(0);
    const text = stdout;
    expect(text).toContain('vpce-0b2c3d4e5f6789012');
    expect(text).toContain('BreakGlass');
    expect(text).toContain('NotIpAddressIfExists');
    const verdicts = await judge([bucketItem()], JSON.parse(text), params);
    expect(verdicts.map((v) => v.compliance)).toEqual(['COMPLIANT', 'COMPLIANT']);
  });

  it('exits 2 with a clear message when no endpoint is known and none is configured', async () => {
    const snapshot = write('no-endpoints.json', { configurationItems: [bucketItem()] });
    const { code, stderr } = await run(['fix', '--snapshot', snapshot, '--bucket', BUCKET]);
    expect(code).toBe(2);
    expect(stderr).toContain('no S3 VPC endpoint');
    expect(stderr).toContain('allowedVpceIds');
  });

  it('refuses a policy that repeats a key instead of printing it without the earlier one', async () => {
    // Prepare: a carve-out operator and the fence operator under one Condition, both spelled
    // StringNotEquals; JSON.parse would keep only the fence.
    const policy = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutside","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::${BUCKET}","arn:aws:s3:::${BUCKET}/*"],"Condition":{"StringNotEquals":{"aws:PrincipalAccount":"444455556666"},"StringNotEquals":{"aws:SourceVpce":"${ENDPOINT}"}}}]}`;
    const item = {
      ...bucketItem(),
      supplementaryConfiguration: { BucketPolicy: { policyText: policy } },
    };
    const snapshot = write('repeated-key.json', { configurationItems: [item, endpointItem()] });

    // Act
    const { code, stdout, stderr } = await run(['fix', '--snapshot', snapshot, '--bucket', BUCKET]);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('names the key "StringNotEquals" twice in Statement[0].Condition');
  });

  it('needs exactly one of --bucket and --endpoint', async () => {
    const snapshot = write('any.json', { configurationItems: [bucketItem()] });
    expect((await run(['fix', '--snapshot', snapshot])).code).toBe(2);
    expect(
      (await run(['fix', '--snapshot', snapshot, '--bucket', BUCKET, '--endpoint', ENDPOINT])).code,
    ).toBe(2);
  });
});

describe('vpce-guard fix --endpoint', () => {
  it('prints a least-privilege endpoint policy the endpoint rule accepts', async () => {
    // Prepare
    const params = {
      'vpc-endpoint-policy-restricted': {
        trustedOrgIds: 'o-a1b2c3d4e5',
        trustedAccountIds: '111122223333',
      },
    };
    const items = [endpointItem()];
    const snapshot = write('endpoint.json', { configurationItems: items });

    // Act
    const { code, stdout } = await run([
      'fix',
      '--snapshot',
      snapshot,
      '--endpoint',
      ENDPOINT,
      '--params',
      write('ep-params.json', params),
    ]);

    // Assess
    expect(code).toBe(0);
    const view = SnapshotView.fromItems(items);
    const endpoint = await view.get('AWS::EC2::VPCEndpoint', ENDPOINT);
    if (!endpoint) throw new Error('fixture endpoint missing');
    const rule = vpcEndpointPolicyRestricted;
    const verdict = await rule.evaluate(
      { ...endpoint, policy: { kind: 'present', text: stdout } },
      view,
      parseParams(rule.id, rule.parameters, params['vpc-endpoint-policy-restricted']) as never,
    );
    expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
    expect(stdout).toContain('"s3:*"');
  });

  it('exits 2 when no trusted account or organization is configured', async () => {
    const snapshot = write('endpoint2.json', { configurationItems: [endpointItem()] });
    const { code, stderr } = await run(['fix', '--snapshot', snapshot, '--endpoint', ENDPOINT]);
    expect(code).toBe(2);
    expect(stderr).toContain('trustedAccountIds or trustedOrgIds');
  });
});

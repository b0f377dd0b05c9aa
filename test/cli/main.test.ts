import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { RULES } from '../../src/rules/index.js';
import { capture } from './capture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const bucketItem = (name: string, statements: unknown[] | null) => ({
  resourceType: 'AWS::S3::Bucket',
  resourceId: name,
  resourceName: name,
  awsRegion: 'us-east-1',
  awsAccountId: '111122223333',
  configurationItemStatus: 'OK',
  configurationItemCaptureTime: '2026-11-20T09:15:00.000Z',
  tags: {},
  relationships: [],
  configuration: { name, owner: { id: 'abc' }, creationDate: '2024-01-01T00:00:00.000Z' },
  supplementaryConfiguration: {
    BucketPolicy: {
      policyText: statements
        ? JSON.stringify({ Version: '2012-10-17', Statement: statements })
        : null,
    },
  },
});

const tlsDeny = (name: string) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

let dir: string;
const write = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vpce-guard-cli-'));
});

describe('CLI: vpce-guard scan', () => {
  it('exits 0 and prints JSON when nothing is NON_COMPLIANT', async () => {
    // Prepare
    const snapshot = write('good.json', {
      fileVersion: '1.0',
      configurationItems: [bucketItem('good-bucket', [tlsDeny('good-bucket')])],
    });
    const out = capture();

    // Act
    const code = await main(
      ['scan', '--snapshot', snapshot, '--format', 'json', '--rules', 's3-bucket-policy-tls-only'],
      out.io,
    );

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(out.out());
    expect(report.schemaVersion).toBe(1);
    expect(report.evaluations).toEqual([
      expect.objectContaining({
        ruleId: 's3-bucket-policy-tls-only',
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'good-bucket',
        complianceType: 'COMPLIANT',
      }),
    ]);
    expect(report.summary.byCompliance).toEqual({
      COMPLIANT: 1,
      NON_COMPLIANT: 0,
      NOT_APPLICABLE: 0,
    });
  });

  it('exits 1 when a resource is NON_COMPLIANT and evaluates every resource of each rule type', async () => {
    const snapshot = write('mixed.json', {
      fileVersion: '1.0',
      configurationItems: [bucketItem('good', [tlsDeny('good')]), bucketItem('open', null)],
    });
    const out = capture();

    const code = await main(['scan', '--snapshot', snapshot, '--format', 'json'], out.io);

    expect(code).toBe(1);
    const report = JSON.parse(out.out());
    const bucketRules = RULES.filter((rule) => rule.resourceType === 'AWS::S3::Bucket');
    expect(report.evaluations).toHaveLength(bucketRules.length * 2);
    expect(
      report.evaluations.find(
        (e: { ruleId: string; resourceId: string }) =>
          e.ruleId === 's3-bucket-policy-tls-only' && e.resourceId === 'open',
      )?.complianceType,
    ).toBe('NON_COMPLIANT');
  });

  it('still evaluates an unreadable item of a rule type as NON_COMPLIANT instead of dropping it', async () => {
    const broken = {
      ...bucketItem('broken', null),
      supplementaryConfiguration: { BucketPolicy: '{not json' },
    };
    const snapshot = write('broken.json', { fileVersion: '1.0', configurationItems: [broken] });
    const out = capture();

    const code = await main(
      ['scan', '--snapshot', snapshot, '--format', 'json', '--rules', 's3-bucket-policy-tls-only'],
      out.io,
    );

    expect(code).toBe(1);
    const report = JSON.parse(out.out());
    expect(report.evaluations[0]).toMatchObject({
      resourceId: 'broken',
      complianceType: 'NON_COMPLIANT',
    });
    expect(report.evaluations[0].annotation).toMatch(/could not be read/);
    expect(report.summary.skippedItems).toBe(1);
  });

  it('exits 2 when items have no resource identity, after reporting the rest', async () => {
    const snapshot = write('garbage.json', {
      fileVersion: '1.0',
      configurationItems: [null, 5, bucketItem('good', [tlsDeny('good')])],
    });
    const out = capture();

    const code = await main(
      ['scan', '--snapshot', snapshot, '--format', 'json', '--rules', 's3-bucket-policy-tls-only'],
      out.io,
    );

    expect(code).toBe(2);
    expect(JSON.parse(out.out()).evaluations).toHaveLength(1);
    expect(out.err()).toMatch(/skipped \(no resourceType\) \(no resourceId\): .*not a JSON object/);
    expect(out.err()).toMatch(/2 item\(s\) have no resource type or id and were not evaluated/);
  });

  it('validates every --params entry, also for rules not selected', async () => {
    const snapshot = write('params-all.json', { fileVersion: '1.0', configurationItems: [] });
    const params = write('params-all-rules.json', {
      'vpc-required-endpoints': { requiredServices: 123 },
    });
    const out = capture();

    const code = await main(
      ['scan', '--snapshot', snapshot, '--params', params, '--rules', 's3-bucket-policy-tls-only'],
      out.io,
    );

    expect(code).toBe(2);
    expect(out.err()).toMatch(/vpc-required-endpoints.*requiredServices/);
  });

  it('validates --params per rule before scanning', async () => {
    const snapshot = write('params-snap.json', { fileVersion: '1.0', configurationItems: [] });
    const params = write('params.json', { 's3-bucket-policy-tls-only': { noSuchParameter: 'x' } });
    const out = capture();

    const code = await main(['scan', '--snapshot', snapshot, '--params', params], out.io);

    expect(code).toBe(2);
    expect(out.err()).toMatch(
      /Invalid parameters for rule s3-bucket-policy-tls-only.*noSuchParameter/,
    );
  });

  it.each([
    ['no command', [], /missing command/],
    ['an unknown flag', ['scan', '--snapshot', 'x.json', '--bogus'], /bogus/],
    ['neither --snapshot nor --live', ['scan'], /--snapshot FILE or --live/],
    [
      'an unknown rule id',
      ['scan', '--snapshot', 'x.json', '--rules', 'nope'],
      /unknown rule id\(s\): nope/,
    ],
    ['a bad format', ['scan', '--snapshot', 'x.json', '--format', 'xml'], /table or json/],
    [
      'a missing snapshot file',
      ['scan', '--snapshot', '/nonexistent/snap.json'],
      /cannot read snapshot file/,
    ],
  ])('exits 2 with a message on stderr for %s', async (_name, argv, message) => {
    const out = capture();

    const code = await main(argv, out.io);

    expect(code).toBe(2);
    expect(out.err()).toMatch(message);
    expect(out.err()).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for a file that is not JSON or not a snapshot', async () => {
    const notJson = write('bad.json', '{"fileVersion": ');
    const notSnapshot = write('other.json', { hello: 'world' });
    const first = capture();
    const second = capture();

    expect(await main(['scan', '--snapshot', notJson], first.io)).toBe(2);
    expect(first.err()).toMatch(/not valid JSON/);
    expect(await main(['scan', '--snapshot', notSnapshot], second.io)).toBe(2);
    expect(second.err()).toMatch(/not an AWS Config snapshot/);
  });

  it('runs as `npx vpce-guard` from the package bin with the documented exit codes', () => {
    const snapshot = write('bin.json', {
      fileVersion: '1.0',
      configurationItems: [bucketItem('open', null)],
    });

    const failing = spawnSync('npx', ['vpce-guard', 'scan', '--snapshot', snapshot], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const usage = spawnSync('npx', ['vpce-guard', 'scan'], { cwd: ROOT, encoding: 'utf8' });

    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('open');
    expect(failing.stdout).toMatch(/Summary: .* non-compliant/);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--snapshot FILE or --live/);
    // Two npx child processes on a busy machine: bounded by vitest's 60 s here, not its 5 s default.
  }, 60_000);
});

describe('CLI: vpce-guard scan --live', () => {
  it('exits 2 with a hint when no AWS credentials can be found', () => {
    // Prepare: an environment with no keys, no profile file and no instance metadata.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')),
    );
    const home = mkdtempSync(join(tmpdir(), 'vpce-guard-home-'));

    // Act
    const result = spawnSync(
      'node',
      ['bin/vpce-guard.js', 'scan', '--live', '--region', 'us-east-1'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...env, HOME: home, AWS_EC2_METADATA_DISABLED: 'true' },
        timeout: 60_000,
      },
    );

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no usable AWS credentials.*set AWS_PROFILE or --profile/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // A child process on a busy machine: the spawn's own timeout is the bound, not vitest's 5 s.
  }, 60_000);

  it('refuses an empty --rules instead of scanning nothing', async () => {
    const out = capture();

    const code = await main(['scan', '--live', '--rules', ' , '], out.io);

    expect(code).toBe(2);
    expect(out.err()).toMatch(/--rules needs at least one rule id/);
  });
});

describe('npm run demo', () => {
  it('scans the shipped demo account, shows every rule both ways and exits 0', () => {
    const result = spawnSync('npm', ['run', '--silent', 'demo'], { cwd: ROOT, encoding: 'utf8' });

    expect(result.status, result.stderr).toBe(0);
    for (const rule of RULES) expect(result.stdout).toContain(rule.id);
    expect(result.stdout).toMatch(/✓ COMPLIANT/);
    expect(result.stdout).toMatch(/✗ NON_COMPLIANT/);
    expect(result.stdout).not.toMatch(/Evaluation failed/);
    // Two CLI processes (the table, then the HTML report) under npm: more than the default 5 s.
  }, 60_000);

  it('is built by scripts/build-demo-snapshot.ts and is current', () => {
    const result = spawnSync(
      'node',
      ['bin/run-ts.js', 'scripts/build-demo-snapshot.ts', '--check'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );

    expect(result.status, result.stderr).toBe(0);
  });
});

describe('CLI: vpce-guard rules', () => {
  it('prints the catalogue as plain JSON data, patterns as text', async () => {
    const out = capture();

    const code = await main(['rules', '--format', 'json'], out.io);

    expect(code).toBe(0);
    const rules = JSON.parse(out.out()) as {
      id: string;
      configRuleName: string;
      scope: string[];
      parameters: Record<string, { pattern?: unknown }>;
    }[];
    expect(rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.id));
    for (const rule of rules) {
      expect(rule.configRuleName).toBe(`vpce-guard-${rule.id}`);
      expect(rule.scope.length).toBeGreaterThan(0);
      for (const spec of Object.values(rule.parameters)) {
        if (spec.pattern !== undefined) expect(typeof spec.pattern).toBe('string');
      }
    }
  });
});

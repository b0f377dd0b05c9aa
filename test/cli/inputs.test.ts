import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderTable } from '../../src/cli/render.js';
import type { Evaluation } from '../../src/model/compliance.js';
import { RULES } from '../../src/rules/index.js';
import { summarise } from '../../src/scan/scan.js';
import { capture } from './capture.js';

const RULE = 's3-bucket-policy-tls-only';

const bucketItem = (name: string, captureTime: unknown, policyText: string | null) => ({
  resourceType: 'AWS::S3::Bucket',
  resourceId: name,
  resourceName: name,
  awsRegion: 'us-east-1',
  awsAccountId: '111122223333',
  configurationItemStatus: 'OK',
  configurationItemCaptureTime: captureTime,
  tags: {},
  relationships: [],
  configuration: { name, owner: { id: 'abc' }, creationDate: '2024-01-01T00:00:00.000Z' },
  supplementaryConfiguration: { BucketPolicy: { policyText } },
});

const tlsOnlyPolicy = (name: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });

let dir: string;
const write = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const snapshotOf = (items: unknown[]) =>
  JSON.stringify({ fileVersion: '1.0', configurationItems: items });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vpce-guard-inputs-'));
});

describe('CLI: bad snapshot inputs end with a clear message, never a hang or a leak', () => {
  it('refuses a FIFO before reading it (reading would block forever)', async () => {
    // Prepare
    const fifo = join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const out = capture();

    // Act
    const code = await main(['scan', '--snapshot', fifo], out.io);

    // Assess
    expect(code).toBe(2);
    expect(out.err()).toMatch(/is not a regular file/);
  });

  it('refuses a symlink into /proc without echoing what it points at', async () => {
    // Prepare
    const link = join(dir, 'environ.json');
    symlinkSync('/proc/self/environ', link);
    const out = capture();

    // Act
    const code = await main(['scan', '--snapshot', link], out.io);

    // Assess
    expect(code).toBe(2);
    expect(out.err()).toMatch(/is not a regular file/);
    expect(out.err()).not.toMatch(/PATH=|HOME=/);
  });

  it('does not echo the file contents when a file is not JSON', async () => {
    const path = write('secret.json', 'AWS_SECRET_ACCESS_KEY=abc123');
    const out = capture();

    const code = await main(['scan', '--snapshot', path], out.io);

    expect(code).toBe(2);
    expect(out.err()).toMatch(/is not valid JSON/);
    expect(out.err()).not.toMatch(/abc123|SECRET/);
  });

  it('accepts a snapshot saved with a UTF-8 byte order mark', async () => {
    const path = write(
      'bom.json',
      `\uFEFF${snapshotOf([bucketItem('b', '2026-01-01T00:00:00Z', tlsOnlyPolicy('b'))])}`,
    );
    const out = capture();

    const code = await main(
      ['scan', '--snapshot', path, '--rules', RULE, '--format', 'json'],
      out.io,
    );

    expect(code).toBe(0);
    expect(JSON.parse(out.out()).summary.total).toBe(1);
  });

  it.each([
    ['an empty snapshot', []],
    [
      'a snapshot without any resource the selected rules evaluate',
      [
        {
          ...bucketItem('b', '2026-01-01T00:00:00Z', null),
          resourceType: 'AWS::EC2::VPC',
          resourceId: 'vpc-1',
          configuration: { vpcId: 'vpc-1', cidrBlock: '10.0.0.0/16' },
        },
      ],
    ],
  ])('exits 2 for %s, so a CI gate cannot pass on the wrong file', async (_case, items) => {
    const path = write(`nothing-${items.length}.json`, snapshotOf(items));
    const out = capture();

    const code = await main(['scan', '--snapshot', path, '--rules', RULE], out.io);

    expect(code).toBe(2);
    expect(out.err()).toMatch(/holds no resource the selected rules evaluate \(AWS::S3::Bucket\)/);
  });

  it('ranks epoch-second and ISO capture times alike: a newer unreadable item beats an older compliant one', async () => {
    // Prepare: the compliant item is from 2026-01-01 (ISO); the broken one is a day later (epoch s).
    const older = bucketItem('b', '2026-01-01T00:00:00.000Z', tlsOnlyPolicy('b'));
    const newer = {
      ...bucketItem('b', Date.parse('2026-01-02T00:00:00Z') / 1000, null),
      supplementaryConfiguration: { BucketPolicy: '{not json' },
    };
    const path = write('epoch.json', snapshotOf([newer, older]));
    const out = capture();

    // Act
    const code = await main(
      ['scan', '--snapshot', path, '--rules', RULE, '--format', 'json'],
      out.io,
    );

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(out.out()).evaluations).toEqual([
      expect.objectContaining({ resourceId: 'b', complianceType: 'NON_COMPLIANT' }),
    ]);
  });

  it('escapes control characters of resource ids and annotations in the table', async () => {
    const name = 'b\u001b[2J\u0007';
    const path = write('escape.json', snapshotOf([bucketItem(name, '2026-01-01T00:00:00Z', null)]));
    const out = capture();

    await main(['scan', '--snapshot', path, '--rules', RULE], out.io);

    expect(out.out()).not.toContain('\u001b');
    expect(out.out()).not.toContain('\u0007');
    expect(out.out()).toContain('b\\u001b[2J\\u0007');
  });
});

describe('CLI output: what Config would receive, and the full text', () => {
  it('fits the JSON annotation to 256 characters and keeps the whole reason in detail', async () => {
    // Prepare: a bucket without a policy; the rule's reason, padded past Config's limit by the id.
    const name = `b${'x'.repeat(60)}`;
    const path = write('long.json', snapshotOf([bucketItem(name, '2026-01-01T00:00:00Z', null)]));
    const out = capture();

    // Act
    await main(['scan', '--snapshot', path, '--rules', RULE, '--format', 'json'], out.io);

    // Assess
    const [evaluation] = JSON.parse(out.out()).evaluations;
    expect(evaluation.annotation.length).toBeLessThanOrEqual(256);
    expect(evaluation.detail.length).toBeGreaterThanOrEqual(evaluation.annotation.length);
  });

  it('renders a table of 150,000 evaluations without overflowing the stack', () => {
    // Prepare
    const rule = RULES.find((candidate) => candidate.id === RULE);
    if (!rule) throw new Error('rule missing');
    const evaluations: Evaluation[] = Array.from({ length: 150_000 }, (_, index) => ({
      ruleId: RULE,
      resource: { type: 'AWS::S3::Bucket', id: `bucket-${index}` },
      compliance: 'COMPLIANT',
      annotation: 'Fine.',
    }));

    // Act
    const table = renderTable([rule], evaluations, summarise(evaluations), 'scan', {
      color: false,
      width: 120,
    });

    // Assess
    expect(table).toContain('bucket-149999');
  }, 60_000);
});

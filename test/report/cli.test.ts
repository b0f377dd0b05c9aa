import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CSV_COLUMNS } from '../../src/report/render/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'vpce-guard-report-cli-'));

const bucketItem = (name: string, statements: unknown[] | null) => ({
  resourceType: 'AWS::S3::Bucket',
  resourceId: name,
  resourceName: name,
  awsRegion: 'eu-west-1',
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

const snapshot = join(dir, 'snapshot.json');
writeFileSync(
  snapshot,
  JSON.stringify({
    fileVersion: '1.0',
    configurationItems: [bucketItem('no-policy-bucket', null), bucketItem('accepted-bucket', null)],
  }),
);
const suppressions = join(dir, 'suppressions.yaml');
writeFileSync(
  suppressions,
  `- ruleId: '*'
  resource: accepted-*
  reason: Public dataset, approved by CISO
  expires: 2099-12-31
  owner: ciso@example.com
- ruleId: s3-bucket-policy-tls-only
  resource: never-matches
  reason: stale
  expires: 2099-01-01
`,
);

const capture = () => {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
    },
    out: () => stdout,
    err: () => stderr,
  };
};

const scanArgs = [
  'scan',
  '--snapshot',
  snapshot,
  '--rules',
  's3-bucket-policy-vpce-only,s3-bucket-policy-tls-only',
];

describe('vpce-guard scan with report formats and suppressions', () => {
  it('writes a CSV report to --out and says where', async () => {
    const run = capture();
    const out = join(dir, 'nested', 'scan.csv');
    const code = await main([...scanArgs, '--format', 'csv', '--out', out], run.io);
    expect(code).toBe(1);
    expect(run.err()).toContain(`wrote the csv report to ${out}`);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    // Account and region come from the snapshot's items.
    expect(lines[1]).toMatch(/^111122223333,eu-west-1,/);
    expect(lines).toHaveLength(5);
  });

  it('marks suppressed evaluations in JSON and does not count them for the exit code', async () => {
    const run = capture();
    const code = await main(
      [
        ...scanArgs,
        '--rules',
        's3-bucket-policy-vpce-only',
        '--format',
        'json',
        '--suppressions',
        suppressions,
      ],
      run.io,
    );
    const report = JSON.parse(run.out());
    const accepted = report.evaluations.find(
      (evaluation: { resourceId: string }) => evaluation.resourceId === 'accepted-bucket',
    );
    expect(accepted.complianceType).toBe('NON_COMPLIANT');
    expect(accepted.suppressed).toMatchObject({
      reason: 'Public dataset, approved by CISO',
      expires: '2099-12-31',
      owner: 'ciso@example.com',
    });
    // no-policy-bucket still fails.
    expect(code).toBe(1);
    expect(run.err()).toMatch(
      /suppression 2 \(s3-bucket-policy-tls-only never-matches\) matched nothing/,
    );
  });

  it('exits 0 when every failure is an accepted risk', async () => {
    const onlyAccepted = join(dir, 'accepted-only.json');
    writeFileSync(
      onlyAccepted,
      JSON.stringify({
        fileVersion: '1.0',
        configurationItems: [bucketItem('accepted-bucket', null)],
      }),
    );
    const run = capture();
    const code = await main(
      [
        'scan',
        '--snapshot',
        onlyAccepted,
        '--rules',
        's3-bucket-policy-vpce-only',
        '--suppressions',
        suppressions,
      ],
      run.io,
    );
    expect(code).toBe(0);
    expect(run.out()).toContain('[suppressed until 2099-12-31: Public dataset, approved by CISO]');
  });

  it('matches account-scoped entries against the account of the snapshot items', async () => {
    const scoped = join(dir, 'scoped.yaml');
    writeFileSync(
      scoped,
      `- {ruleId: '*', resource: no-policy-*, account: '111122223333', reason: ours, expires: 2099-01-01}
- {ruleId: '*', resource: accepted-*, account: '999999999999', reason: theirs, expires: 2099-01-01}
`,
    );
    const run = capture();
    const code = await main(
      [
        ...scanArgs,
        '--rules',
        's3-bucket-policy-vpce-only',
        '--format',
        'json',
        '--suppressions',
        scoped,
      ],
      run.io,
    );
    const report = JSON.parse(run.out());
    const marked = report.evaluations
      .filter((evaluation: { suppressed?: unknown }) => evaluation.suppressed)
      .map((evaluation: { resourceId: string }) => evaluation.resourceId);
    expect(marked).toEqual(['no-policy-bucket']);
    expect(code).toBe(1);
    expect(run.err()).toMatch(/suppression 2 .* matched nothing/);
  });

  it('refuses an invalid suppressions file with exit code 2 and every problem listed', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ ruleId: 'no-such-rule', resource: '*', reason: 'x' }]));
    const run = capture();
    const code = await main([...scanArgs, '--suppressions', bad], run.io);
    expect(code).toBe(2);
    expect(run.err()).toContain('unknown ruleId "no-such-rule"');
    expect(run.err()).toContain('"expires" is required');
  });
});

describe('vpce-guard report --from-scan', () => {
  it('renders a scan JSON as HTML with a diff against the previous report', async () => {
    const scanJson = join(dir, 'scan.json');
    const first = capture();
    await main([...scanArgs, '--format', 'json', '--out', scanJson], first.io);
    const previous = join(dir, 'previous.json');
    const json = capture();
    expect(
      await main(
        ['report', '--from-scan', scanJson, '--format', 'json', '--out', previous],
        json.io,
      ),
    ).toBe(1);
    const html = join(dir, 'report.html');
    const run = capture();
    const code = await main(
      [
        'report',
        '--from-scan',
        scanJson,
        '--previous',
        previous,
        '--out',
        html,
        '--suppressions',
        suppressions,
      ],
      run.io,
    );
    expect(code).toBe(1);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<!doctype html>');
    expect(page).toContain('Changes since');
    expect(page).toContain('Public dataset, approved by CISO');
  });

  it('reports usage and input errors with exit code 2', async () => {
    const missing = capture();
    expect(await main(['report', '--format', 'html'], missing.io)).toBe(2);
    expect(missing.err()).toContain('report needs --from-scan FILE');
    const format = capture();
    expect(await main(['report', '--from-scan', 'x.json', '--format', 'pdf'], format.io)).toBe(2);
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{');
    const bad = capture();
    expect(await main(['report', '--from-scan', notJson], bad.io)).toBe(2);
    expect(bad.err()).toContain('is not valid JSON');
    const scanOnly = capture();
    expect(
      await main(['report', '--from-scan', notJson, '--snapshot', 'x.json'], scanOnly.io),
    ).toBe(2);
    expect(scanOnly.err()).toContain('--snapshot only apply to scan');
    const reportOnly = capture();
    expect(await main([...scanArgs, '--previous', 'old.json'], reportOnly.io)).toBe(2);
    expect(reportOnly.err()).toContain('only apply to report');
  });
});

describe('npm run demo', () => {
  it("writes the demo account's HTML report and says where", async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
    const commands = String(pkg.scripts.demo).split('&&');
    const reportCommand = commands.find((command) => command.includes('--format html'));
    expect(reportCommand).toBeDefined();
    const argv = (reportCommand ?? '').trim().split(/\s+/).slice(2);
    const out = join(dir, 'demo', 'report.html');
    argv[argv.indexOf('--out') + 1] = out;
    const run = capture();

    const code = await main(argv, run.io);

    expect(code, run.err()).toBe(0);
    expect(run.err()).toContain(`wrote the html report to ${out}`);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('Requirements (PCI DSS 4.0, HIPAA Security Rule)');
    expect(page).toMatch(/data-status="NON_COMPLIANT"/);
  });
});

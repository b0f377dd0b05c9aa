import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { renderHtml } from '../../src/report/render/html.js';
import { parseSuppressions } from '../../src/report/suppressions.js';
import { evaluation, syntheticEvaluations } from '../report/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

const FULL_REASON = `Statement "PublicRead" allows s3:GetObject to Principal "*" with no aws:SourceVpce condition, so a request from the internet (aws:SourceVpce absent) is allowed. The Deny statement "OnlyFromVpce" covers only s3:PutObject. ${'The reason continues well past the 256 characters AWS Config keeps. '.repeat(4)}END-OF-FULL-REASON`;

const previous = buildReport(syntheticEvaluations(120, 4), {
  generatedAt: new Date('2026-11-19T06:00:00Z'),
  source: { kind: 'aggregator', name: 'org' },
});
const report = buildReport(
  [
    ...syntheticEvaluations(150, 4),
    evaluation({
      ruleId: 's3-bucket-policy-vpce-only',
      resourceId: 'cardholder-data-bucket',
      annotation: 'Statement PublicRead allows reads from outside the VPC endpoint.',
      detail: FULL_REASON,
    }),
    evaluation({ ruleId: 's3-bucket-policy-vpce-only', resourceId: 'accepted-website' }),
  ],
  {
    generatedAt: new Date('2026-11-20T06:00:00Z'),
    source: { kind: 'aggregator', name: 'org' },
    previous,
    suppressions: parseSuppressions(
      '[{"ruleId":"s3-bucket-policy-vpce-only","resource":"accepted-*","reason":"Public website","expires":"2099-01-01"}]',
      'suppressions.json',
    ),
    coverage: {
      checked: true,
      note: 'aggregator sources of org and resource counts of 5 type(s) per account and region',
      gaps: [
        {
          kind: 'no-results',
          accountId: '999988887777',
          region: 'ap-southeast-2',
          ruleId: 's3-bucket-policy-tls-only',
          resourceType: 'AWS::S3::Bucket',
          recorded: 14,
          reason:
            'AWS Config records 14 AWS::S3::Bucket here, but s3-bucket-policy-tls-only reported no result: the rule is not deployed there, failed to run, or has not evaluated yet.',
        },
      ],
    },
  },
);

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! SKIPPED "HTML report in headless Chromium": ${CHROMIUM} is missing. Install it with apt-get install -y chromium.\n${'!'.repeat(78)}\n`,
  );
}

describe.skipIf(!haveChromium && !process.env.CI)('HTML report in headless Chromium', () => {
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: .ci/run installs it`);
    mkdirSync(OUTPUT, { recursive: true });
    const file = join(OUTPUT, 'report.html');
    writeFileSync(file, renderHtml(report));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads nothing but the file itself', () => {
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  });

  it('shows every section and the charts', async () => {
    for (const id of [
      'summary',
      'requirements-section',
      'rules',
      'accounts',
      'coverage',
      'resources',
      'changes',
      'evaluations-section',
      'suppressions',
    ]) {
      expect(await page.locator(`section#${id}`).isVisible()).toBe(true);
    }
    expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#changes').textContent()).toMatch(
      /\d+ new, \d+ resolved, \d+ still open/,
    );
  });

  it('shows the account where a rule is silent, in the coverage table and as an account row', async () => {
    const gap = page.locator('#coverage-table tbody tr');
    expect(await gap.count()).toBe(1);
    expect(await gap.textContent()).toContain('999988887777ap-southeast-2no-results');
    const account = page.locator('#accounts-table tbody tr', { hasText: '999988887777' });
    expect(await account.textContent()).toContain('No data');
  });

  it('lists every requirement with its status', async () => {
    const rows = page.locator('#requirements tbody tr');
    expect(await rows.count()).toBe(report.requirements.length);
    const failing = report.requirements.find((r) => r.status === 'NON_COMPLIANT');
    expect(failing).toBeDefined();
    const row = rows.filter({ hasText: failing?.id ?? '' }).first();
    expect(await row.textContent()).toContain('Non-compliant');
  });

  it("shows a failing resource's full reason, not the 256-character annotation", async () => {
    const row = page.locator('#evaluations tbody tr', { hasText: 'cardholder-data-bucket' });
    expect(await row.count()).toBe(1);
    const text = await row.textContent();
    expect(text).toContain('END-OF-FULL-REASON');
    expect(text).toContain('Non-compliant');
  });

  it('filters the evaluations by text, status and account', async () => {
    const visible = () => page.locator('#evaluations tbody tr:not([hidden])').count();
    const total = report.evaluations.length;
    expect(await visible()).toBe(total);

    await page.fill('#filter-text', 'cardholder-data');
    expect(await visible()).toBe(1);
    expect(await page.locator('#filter-count').textContent()).toBe(
      `1 of ${total} evaluations shown`,
    );

    await page.fill('#filter-text', '');
    await page.selectOption('#filter-status', 'SUPPRESSED');
    expect(await visible()).toBe(report.summary.counts.SUPPRESSED);
    expect(
      await page.locator('#evaluations tbody tr:not([hidden])').first().textContent(),
    ).toContain('Public website');

    // An account with failures that is not the first one listed.
    const account =
      report.accounts.filter((a) => a.counts.NON_COMPLIANT > 0).at(-1)?.accountId ?? '';
    await page.selectOption('#filter-status', 'NON_COMPLIANT');
    await page.selectOption('#filter-account', account);
    const expected = report.evaluations.filter(
      (e) => e.status === 'NON_COMPLIANT' && e.accountId === account,
    ).length;
    expect(expected).toBeGreaterThan(0);
    expect(await visible()).toBe(expected);

    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-account', '');
  });

  it('writes a screenshot under test-output/', async () => {
    await page.locator('header').scrollIntoViewIfNeeded();
    const path = join(OUTPUT, 'report.png');
    await page.screenshot({ path, fullPage: false });
    expect(statSync(path).size).toBeGreaterThan(10_000);
  });
});

import { describe, expect, it } from 'vitest';
import { ReportError } from '../../src/errors.js';
import { buildReport } from '../../src/report/build.js';
import { readPreviousReport } from '../../src/report/history.js';
import { STATUS_ORDER } from '../../src/report/model.js';
import { parseSuppressions } from '../../src/report/suppressions.js';
import { RULES } from '../../src/rules/index.js';
import { evaluation } from './helpers.js';

const source = { kind: 'config' as const, name: '111122223333' };
const at = (iso: string) => new Date(iso);

/** A requirement the catalogue maps to at least two rules, found from the data, not assumed. */
const sharedRequirement = () => {
  const byRequirement = new Map<string, string[]>();
  for (const rule of RULES) {
    for (const ref of rule.frameworks) {
      const key = `${ref.framework} ${ref.id}`;
      byRequirement.set(key, [...(byRequirement.get(key) ?? []), rule.id]);
    }
  }
  const found = [...byRequirement].find(([, rules]) => rules.length >= 2);
  if (!found) throw new Error('the catalogue maps no requirement to two rules');
  const [key, ruleIds] = found;
  const [framework, id] = key.split(' ') as [string, string];
  return { framework, id, ruleIds };
};

describe('buildReport: requirements', () => {
  it('lists every PCI DSS and HIPAA requirement the catalogue maps, each with its rules', () => {
    const report = buildReport([], { generatedAt: at('2026-11-20T12:00:00Z'), source });
    const mapped = new Set(
      RULES.flatMap((rule) => rule.frameworks.map((ref) => `${ref.framework} ${ref.id}`)),
    );
    expect(new Set(report.requirements.map((r) => `${r.framework} ${r.id}`))).toEqual(mapped);
    for (const requirement of report.requirements) {
      expect(requirement.title.length).toBeGreaterThan(0);
      // Nothing evaluated: no requirement may claim compliance.
      expect(requirement.status).toBe('INSUFFICIENT_DATA');
    }
  });

  it('takes the worst status of the mapped rules and lists failing resources as evidence', () => {
    const { framework, id, ruleIds } = sharedRequirement();
    const [first, second] = ruleIds as [string, string];
    const find = (report: ReturnType<typeof buildReport>) =>
      report.requirements.find((r) => r.framework === framework && r.id === id);
    const allRules = (complianceType: 'COMPLIANT' | 'NON_COMPLIANT', failingRule?: string) =>
      ruleIds.map((ruleId) =>
        evaluation({
          ruleId,
          resourceId: `r-${ruleId}`,
          complianceType: ruleId === failingRule ? 'NON_COMPLIANT' : complianceType,
        }),
      );

    const passing = buildReport(allRules('COMPLIANT'), { generatedAt: new Date(), source });
    expect(find(passing)?.status).toBe('COMPLIANT');
    expect(find(passing)?.failing).toEqual([]);

    const oneFails = buildReport(allRules('COMPLIANT', second), {
      generatedAt: new Date(),
      source,
    });
    expect(find(oneFails)?.status).toBe('NON_COMPLIANT');
    expect(find(oneFails)?.failing).toEqual([
      `111122223333/eu-west-1/${second}/${RULES.find((r) => r.id === second)?.resourceType}/r-${second}`,
    ]);
    expect(find(oneFails)?.rules.find((rule) => rule.ruleId === first)?.status).toBe('COMPLIANT');

    // One mapped rule without any result: the requirement cannot be shown as met.
    const missing = buildReport(
      allRules('COMPLIANT').filter((entry) => entry.ruleId !== first),
      { generatedAt: new Date(), source },
    );
    expect(find(missing)?.status).toBe('INSUFFICIENT_DATA');
  });

  it('orders statuses from worst to best consistently', () => {
    expect(STATUS_ORDER[0]).toBe('NON_COMPLIANT');
    expect(STATUS_ORDER.indexOf('SUPPRESSED')).toBeLessThan(STATUS_ORDER.indexOf('COMPLIANT'));
  });
});

describe('buildReport: sections', () => {
  const input = [
    evaluation({ ruleId: 's3-bucket-policy-vpce-only', resourceId: 'a' }),
    evaluation({
      ruleId: 's3-bucket-policy-tls-only',
      resourceId: 'a',
      complianceType: 'COMPLIANT',
    }),
    evaluation({
      ruleId: 's3-bucket-policy-vpce-only',
      resourceId: 'b',
      accountId: '444455556666',
      complianceType: 'NOT_APPLICABLE',
    }),
  ];

  it('rolls up per rule, per account/region and per resource', () => {
    const report = buildReport(input, { generatedAt: at('2026-11-20T12:00:00Z'), source });
    const vpceOnly = report.rules.find((rule) => rule.ruleId === 's3-bucket-policy-vpce-only');
    expect(vpceOnly?.status).toBe('NON_COMPLIANT');
    expect(vpceOnly?.counts).toEqual({
      NON_COMPLIANT: 1,
      SUPPRESSED: 0,
      COMPLIANT: 0,
      NOT_APPLICABLE: 1,
    });
    expect(report.accounts.map((a) => [a.accountId, a.status])).toEqual([
      ['111122223333', 'NON_COMPLIANT'],
      ['444455556666', 'NOT_APPLICABLE'],
    ]);
    const bucketA = report.resources.find((r) => r.resourceId === 'a');
    expect(bucketA?.status).toBe('NON_COMPLIANT');
    expect(bucketA?.failingRules).toEqual(['s3-bucket-policy-vpce-only']);
    expect(report.summary).toMatchObject({ evaluations: 3, failing: 1, accounts: 2, resources: 2 });
    // Failures first.
    expect(report.evaluations[0]?.status).toBe('NON_COMPLIANT');
  });

  it('keeps the newest of duplicate results (repeated pages, aggregator overlap)', () => {
    const older = evaluation({ ruleId: 's3-bucket-policy-vpce-only', resourceId: 'a' });
    const newer = {
      ...older,
      complianceType: 'COMPLIANT' as const,
      evaluatedAt: '2026-11-21T00:00:00.000Z',
    };
    const report = buildReport([newer, older], { generatedAt: new Date(), source });
    expect(report.evaluations).toHaveLength(1);
    expect(report.evaluations[0]?.complianceType).toBe('COMPLIANT');
  });

  it('reports results of rules this version does not know', () => {
    const report = buildReport([evaluation({ ruleId: 'future-rule', resourceId: 'x' })], {
      generatedAt: new Date(),
      source,
    });
    expect(report.rules.find((rule) => rule.ruleId === 'future-rule')?.status).toBe(
      'NON_COMPLIANT',
    );
  });
});

describe('buildReport: suppressions', () => {
  const suppressions = parseSuppressions(
    `
- ruleId: s3-bucket-policy-vpce-only
  resource: public-*
  reason: Website bucket behind CloudFront
  expires: 2026-12-31
  owner: risk@example.com
- ruleId: s3-bucket-policy-tls-only
  resource: nothing-matches
  reason: Old exception
  expires: 2027-06-30
- ruleId: '*'
  resource: legacy-*
  reason: Legacy migration
  expires: 2026-10-01
`,
    'suppressions.yaml',
  );
  const input = [
    evaluation({ ruleId: 's3-bucket-policy-vpce-only', resourceId: 'public-site' }),
    evaluation({ ruleId: 's3-bucket-policy-vpce-only', resourceId: 'legacy-logs' }),
    evaluation({
      ruleId: 's3-bucket-policy-tls-only',
      resourceId: 'public-site',
      complianceType: 'COMPLIANT',
    }),
  ];

  it('marks matching failures suppressed with reason and expiry; they stop counting as failing', () => {
    const report = buildReport(input, {
      generatedAt: at('2026-11-20T12:00:00Z'),
      source,
      suppressions,
    });
    const site = report.evaluations.find(
      (e) => e.resourceId === 'public-site' && e.complianceType === 'NON_COMPLIANT',
    );
    expect(site?.status).toBe('SUPPRESSED');
    // The true verdict stays.
    expect(site?.complianceType).toBe('NON_COMPLIANT');
    expect(site?.suppressed).toEqual({
      reason: 'Website bucket behind CloudFront',
      expires: '2026-12-31',
      owner: 'risk@example.com',
      entry: 0,
    });
    expect(report.summary.failing).toBe(1);
    expect(report.summary.counts.SUPPRESSED).toBe(1);
    // The expired legacy entry no longer suppresses, and is listed as expired with what it would hide.
    expect(report.evaluations.find((e) => e.resourceId === 'legacy-logs')?.status).toBe(
      'NON_COMPLIANT',
    );
    expect(report.suppressions.expired.map((entry) => [entry.entry, entry.matched])).toEqual([
      [2, 1],
    ]);
    expect(report.suppressions.unused.map((entry) => entry.entry)).toEqual([1]);
    expect(report.suppressions.active.map((entry) => entry.entry)).toEqual([0]);
  });

  it('stops suppressing once the expiry day has passed', () => {
    const report = buildReport(input, {
      generatedAt: at('2027-01-01T00:00:00Z'),
      source,
      suppressions,
    });
    expect(report.summary.failing).toBe(2);
    expect(report.suppressions.expired.map((entry) => entry.entry)).toEqual([0, 2]);
  });

  it('a rule whose only failures are suppressed rolls up as SUPPRESSED, not COMPLIANT', () => {
    const report = buildReport(input.slice(0, 1), {
      generatedAt: at('2026-11-20T12:00:00Z'),
      source,
      suppressions,
    });
    expect(report.rules.find((r) => r.ruleId === 's3-bucket-policy-vpce-only')?.status).toBe(
      'SUPPRESSED',
    );
  });
});

describe('buildReport: diff and trend', () => {
  const day = (n: number) => at(`2026-11-${String(n).padStart(2, '0')}T06:00:00Z`);
  const vpce = 's3-bucket-policy-vpce-only';

  it('lists new, resolved and still-open violations with their age', () => {
    const first = buildReport(
      [
        evaluation({ ruleId: vpce, resourceId: 'stays', evaluatedAt: undefined }),
        evaluation({ ruleId: vpce, resourceId: 'gets-fixed', evaluatedAt: undefined }),
        evaluation({ ruleId: vpce, resourceId: 'deleted', evaluatedAt: undefined }),
      ],
      { generatedAt: day(1), source },
    );
    const second = buildReport(
      [
        evaluation({ ruleId: vpce, resourceId: 'stays', evaluatedAt: undefined }),
        evaluation({ ruleId: vpce, resourceId: 'gets-fixed', complianceType: 'COMPLIANT' }),
        evaluation({ ruleId: vpce, resourceId: 'appears', evaluatedAt: undefined }),
      ],
      { generatedAt: day(11), source, previous: first },
    );
    const key = (id: string) => `111122223333/eu-west-1/${vpce}/AWS::S3::Bucket/${id}`;
    expect(second.diff?.new).toEqual([key('appears')]);
    expect(second.diff?.resolved).toEqual(
      expect.arrayContaining([
        { key: key('gets-fixed'), now: 'COMPLIANT' },
        { key: key('deleted'), now: 'GONE' },
      ]),
    );
    expect(second.diff?.stillOpen).toEqual([
      { key: key('stays'), since: day(1).toISOString(), ageDays: 10 },
    ]);
    // "Since" carries over while the status holds.
    expect(second.evaluations.find((e) => e.resourceId === 'stays')?.since).toBe(
      day(1).toISOString(),
    );
    expect(second.resources.find((r) => r.resourceId === 'stays')?.since).toBe(
      day(1).toISOString(),
    );
  });

  it('keeps a trend of the last 30 reports, oldest first', () => {
    let previous: ReturnType<typeof buildReport> | undefined;
    for (let n = 1; n <= 32; n += 1) {
      previous = buildReport(
        Array.from({ length: n % 5 }, (_, i) => evaluation({ ruleId: vpce, resourceId: `b${i}` })),
        { generatedAt: new Date(Date.UTC(2026, 9, n)), source, previous },
      );
    }
    const trend = previous?.trend ?? [];
    expect(trend).toHaveLength(30);
    expect(trend[0]?.generatedAt).toBe(new Date(Date.UTC(2026, 9, 3)).toISOString());
    expect(trend.at(-1)?.failing).toBe(32 % 5);
  });

  it('refuses a previous report that is not one, or of another schema version', () => {
    expect(() => readPreviousReport({ evaluations: [] }, 'old.json')).toThrow(ReportError);
    const report = buildReport([], { generatedAt: new Date(), source });
    expect(readPreviousReport(JSON.parse(JSON.stringify(report)), 'old.json').generatedAt).toBe(
      report.generatedAt,
    );
    expect(() => readPreviousReport({ ...report, schemaVersion: 99 }, 'old.json')).toThrow(
      /schema version 99/,
    );
    // Version 1 lacked only `coverage`: the first report after an upgrade still diffs against it.
    const { coverage: _none, ...v1 } = { ...report, schemaVersion: 1 };
    expect(readPreviousReport(v1, 'v1.json').schemaVersion).toBe(1);
  });
});

describe('buildReport: coverage', () => {
  const silent = {
    kind: 'no-results' as const,
    accountId: '444455556666',
    region: 'eu-west-1',
    resourceType: 'AWS::S3::Bucket',
    recorded: 9,
    reason: 'AWS Config records 9 AWS::S3::Bucket here, but the rule reported no result.',
  };
  const { framework, id, ruleIds } = sharedRequirement();
  const everyRulePasses = RULES.map((rule) =>
    evaluation({ ruleId: rule.id, resourceId: `r-${rule.id}`, complianceType: 'COMPLIANT' }),
  );

  it('a rule silent in one account is not shown as passing, nor are its requirements', () => {
    const ruleId = ruleIds[0] as string;
    const report = buildReport(everyRulePasses, {
      generatedAt: at('2026-11-29T06:00:00Z'),
      source,
      coverage: { checked: true, note: 'compared', gaps: [{ ...silent, ruleId }] },
    });
    const rule = report.rules.find((section) => section.ruleId === ruleId);
    expect(rule).toMatchObject({
      status: 'INSUFFICIENT_DATA',
      missingIn: ['444455556666/eu-west-1'],
    });
    expect(rule?.counts.COMPLIANT).toBe(1);
    const requirement = report.requirements.find(
      (section) => section.framework === framework && section.id === id,
    );
    expect(requirement?.status).toBe('INSUFFICIENT_DATA');
    // The silent account gets its row although it has no evaluation at all.
    expect(report.accounts).toEqual([
      expect.objectContaining({ accountId: '111122223333', status: 'COMPLIANT', gaps: [] }),
      expect.objectContaining({
        accountId: '444455556666',
        region: 'eu-west-1',
        status: 'INSUFFICIENT_DATA',
        gaps: [`no results: ${ruleId}`],
      }),
    ]);
    expect(report.summary).toMatchObject({ accounts: 2, coverageGaps: 1 });
    expect(report.coverage?.gaps).toHaveLength(1);
  });

  it('a failing rule stays failing; outdated sources are listed without changing a status', () => {
    const ruleId = ruleIds[0] as string;
    const failing = everyRulePasses.map((entry) =>
      entry.ruleId === ruleId ? { ...entry, complianceType: 'NON_COMPLIANT' as const } : entry,
    );
    const report = buildReport(failing, {
      generatedAt: at('2026-11-29T06:00:00Z'),
      source,
      coverage: {
        checked: true,
        note: 'compared',
        gaps: [
          { ...silent, ruleId },
          {
            kind: 'source-outdated',
            accountId: '111122223333',
            region: 'eu-west-1',
            reason: 'old data',
          },
        ],
      },
    });
    expect(report.rules.find((section) => section.ruleId === ruleId)?.status).toBe('NON_COMPLIANT');
    expect(report.accounts[0]).toMatchObject({
      accountId: '111122223333',
      status: 'NON_COMPLIANT',
      gaps: ['source outdated'],
    });
  });

  it('without coverage (a scan), nothing changes and no coverage member is written', () => {
    const report = buildReport(everyRulePasses, { generatedAt: new Date(), source });
    expect(report.coverage).toBeUndefined();
    expect(report.summary.coverageGaps).toBe(0);
    expect(
      report.rules.every((rule) => rule.status === 'COMPLIANT' && rule.missingIn.length === 0),
    ).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ReportError } from '../../src/errors.js';
import { buildReport } from '../../src/report/build.js';
import { REPORT_SCHEMA_VERSION } from '../../src/report/model.js';
import { ASFF_LIMITS, asffId, toAsffFindings } from '../../src/report/render/asff.js';
import { CSV_COLUMNS, csvCell, renderCsv } from '../../src/report/render/csv.js';
import { renderHtml } from '../../src/report/render/html.js';
import { REPORT_FORMATS, renderReport } from '../../src/report/render/index.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { toOcsfFindings } from '../../src/report/render/ocsf.js';
import { parseSuppressions } from '../../src/report/suppressions.js';
import { RULES } from '../../src/rules/index.js';
import { evaluation } from './helpers.js';

const vpce = 's3-bucket-policy-vpce-only';
const longReason = `Statement "AllowAll" lets any principal read objects from outside the VPC endpoint. ${'More context about the policy and the path. '.repeat(40)}`;
const hostile = '<script>alert(1)</script>=HYPERLINK("http://evil")|x';

const report = buildReport(
  [
    evaluation({
      ruleId: vpce,
      resourceId: 'open-bucket',
      detail: longReason,
      evidenceKey: 'evidence/111122223333/eu-west-1/s3-bucket-policy-vpce-only/open-bucket.json',
    }),
    evaluation({ ruleId: vpce, resourceId: hostile, annotation: hostile, detail: hostile }),
    evaluation({
      ruleId: 's3-bucket-policy-tls-only',
      resourceId: 'open-bucket',
      complianceType: 'COMPLIANT',
    }),
    evaluation({
      ruleId: 'vpc-required-endpoints',
      resourceId: 'vpc-1',
      complianceType: 'NOT_APPLICABLE',
    }),
    evaluation({ ruleId: vpce, resourceId: 'accepted-risk' }),
  ],
  {
    generatedAt: new Date('2026-11-20T12:00:00Z'),
    source: { kind: 'config', name: '111122223333' },
    suppressions: parseSuppressions(
      '[{"ruleId":"s3-bucket-policy-vpce-only","resource":"accepted-*","reason":"CDN origin","expires":"2027-01-31"}]',
      's.json',
    ),
  },
);

/** RFC 4180 reader for the assertions: quoted cells may hold commas, quotes and newlines. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      index += 1;
    } else cell += char;
  }
  return rows;
};

describe('CSV', () => {
  const csv = renderCsv(report);
  const lines = csv.trimEnd().split('\r\n');

  it('has the documented header and one row per evaluation', () => {
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    // The hostile row has no raw newline, so rows equal lines.
    expect(lines).toHaveLength(report.evaluations.length + 1);
  });

  it('neutralises spreadsheet formulas and quotes per RFC 4180', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('plain')).toBe('plain');
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('carries status, full reason and suppression', () => {
    const [header = [], ...rows] = parseCsv(csv);
    expect(rows.every((row) => row.length === CSV_COLUMNS.length)).toBe(true);
    const suppressed = rows.find((row) => row.includes('accepted-risk')) ?? [];
    expect(suppressed[header.indexOf('status')]).toBe('SUPPRESSED');
    expect(suppressed[header.indexOf('compliance_type')]).toBe('NON_COMPLIANT');
    expect(suppressed[header.indexOf('suppression_reason')]).toBe('CDN origin');
    expect(suppressed[header.indexOf('suppression_expires')]).toBe('2027-01-31');
    const open = rows.find((row) => row[header.indexOf('resource_id')] === 'open-bucket');
    expect(open?.[header.indexOf('detail')]).toBe(longReason);
  });
});

describe('coverage gaps', () => {
  const gapReason = `AWS Config records 9 AWS::S3::Bucket here, but ${vpce} reported no result: ${hostile}`;
  const covered = buildReport(
    [evaluation({ ruleId: vpce, resourceId: 'b1', complianceType: 'COMPLIANT' })],
    {
      generatedAt: new Date('2026-11-20T12:00:00Z'),
      source: { kind: 'aggregator', name: 'org' },
      coverage: {
        checked: false,
        note: 'coverage not fully checked: GetAggregateDiscoveredResourceCounts failed: AccessDenied',
        gaps: [
          {
            kind: 'no-results',
            accountId: '444455556666',
            region: 'us-east-1',
            ruleId: vpce,
            resourceType: 'AWS::S3::Bucket',
            recorded: 9,
            reason: gapReason,
          },
        ],
      },
    },
  );

  it('CSV: one INSUFFICIENT_DATA row per gap after the evaluations, naming its kind', () => {
    const [header = [], ...rows] = parseCsv(renderCsv(covered));
    expect(rows).toHaveLength(covered.evaluations.length + 1);
    const gap = rows.at(-1) ?? [];
    expect(gap.length).toBe(CSV_COLUMNS.length);
    expect(gap[header.indexOf('status')]).toBe('INSUFFICIENT_DATA');
    expect(gap[header.indexOf('coverage_gap')]).toBe('no-results');
    expect(gap[header.indexOf('account_id')]).toBe('444455556666');
    expect(gap[header.indexOf('resource_id')]).toBe('');
    expect(gap[header.indexOf('detail')]).toBe(gapReason);
  });

  it('Markdown and HTML: a coverage section that says it was not fully checked, escaped', () => {
    const markdown = renderMarkdown(covered);
    expect(markdown).toMatch(/## Coverage\n\nNot fully checked: coverage not fully checked/);
    expect(markdown).toContain('1 coverage gap(s) (coverage not fully checked)');
    expect(markdown).toContain('&lt;script&gt;');
    const html = renderHtml(covered);
    expect(html).toContain('<section id="coverage">');
    expect(html).toMatch(/<b>Not fully checked<\/b>/);
    expect(html).toContain('<td>444455556666</td><td>us-east-1</td><td>no-results</td>');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('a report without coverage (a scan) has no coverage section', () => {
    expect(renderMarkdown(report)).not.toContain('## Coverage');
    expect(renderHtml(report)).not.toContain('id="coverage"');
  });
});

describe('ASFF', () => {
  const findings = toAsffFindings(report, { evidenceLocation: (key) => `s3://reports/${key}` });

  it('gives every evaluation a stable, unique Id and the 2018-10-08 schema', () => {
    expect(findings).toHaveLength(report.evaluations.length);
    expect(new Set(findings.map((finding) => finding.Id)).size).toBe(findings.length);
    for (const finding of findings) {
      expect(finding.SchemaVersion).toBe('2018-10-08');
      expect(finding.Id.length).toBeLessThanOrEqual(ASFF_LIMITS.id);
      expect(finding.ProductArn).toBe(
        'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
      );
      expect(finding.Title.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
      expect(finding.Description.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
      expect(finding.Description.length).toBeGreaterThan(0);
    }
    const again = toAsffFindings(
      buildReport(report.evaluations, { generatedAt: new Date(), source: report.source }),
    );
    expect(again.map((finding) => finding.Id).sort()).toEqual(findings.map((f) => f.Id).sort());
    const first = report.evaluations[0];
    if (first)
      expect(asffId({ ...first, resourceId: `${first.resourceId}x` })).not.toBe(asffId(first));
  });

  it('maps compliance, requirements and points to the evidence when the reason does not fit', () => {
    const open = findings.find(
      (f) =>
        f.Resources[0]?.Id === 'arn:aws:s3:::open-bucket' && f.GeneratorId === `vpce-guard-${vpce}`,
    );
    expect(open?.Compliance.Status).toBe('FAILED');
    const rule = RULES.find((candidate) => candidate.id === vpce);
    expect(open?.Compliance.RelatedRequirements).toHaveLength(rule?.frameworks.length ?? -1);
    expect(open?.Description).toMatch(
      /… Full reason: s3:\/\/reports\/evidence\/111122223333\/eu-west-1\/s3-bucket-policy-vpce-only\/open-bucket\.json$/,
    );
    expect(open?.Severity.Label).toBe(rule?.severity.toUpperCase());
    const passed = findings.find((f) => f.GeneratorId === 'vpce-guard-s3-bucket-policy-tls-only');
    expect(passed?.Compliance.Status).toBe('PASSED');
    expect(passed?.Severity.Label).toBe('INFORMATIONAL');
    expect(
      findings.find((f) => f.GeneratorId === 'vpce-guard-vpc-required-endpoints')?.Compliance
        .Status,
    ).toBe('NOT_AVAILABLE');
    const accepted = findings.find((f) => f.Resources[0]?.Id === 'arn:aws:s3:::accepted-risk');
    expect(accepted?.ProductFields['vpce-guard/SuppressedReason']).toBe('CDN origin');
    expect(accepted?.ProductFields['vpce-guard/SuppressedUntil']).toBe('2027-01-31');
    expect(findings.find((f) => f.Resources[0]?.Id?.includes('vpc-1'))?.Resources[0]?.Id).toBe(
      'arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1',
    );
  });

  it('refuses evaluations without a real account or region', () => {
    const unplaced = buildReport(
      [evaluation({ ruleId: vpce, resourceId: 'b', accountId: 'unknown' })],
      {
        generatedAt: new Date(),
        source: { kind: 'scan' },
      },
    );
    expect(() => toAsffFindings(unplaced)).toThrow(ReportError);
  });
});

describe('OCSF', () => {
  const findings = toOcsfFindings(report);

  it('emits one Compliance Finding (class 2003) per evaluation with the required objects', () => {
    expect(findings).toHaveLength(report.evaluations.length);
    for (const finding of findings) {
      expect(finding).toMatchObject({
        class_uid: 2003,
        category_uid: 2,
        type_uid: 200301,
        activity_id: 1,
      });
      expect(finding.finding_info.uid).toMatch(/^vpce-guard\//);
      expect(finding.metadata.product.name).toBe('vpce-guard');
      expect(typeof finding.time).toBe('number');
      expect(finding.resources).toHaveLength(1);
      expect(finding.cloud.provider).toBe('AWS');
    }
    expect(new Set(findings.map((f) => f.finding_info.uid)).size).toBe(findings.length);
    const open = findings.find(
      (f) => f.resources[0]?.name === 'open-bucket' && f.compliance.control === vpce,
    );
    expect(open?.compliance).toMatchObject({
      status_id: 3,
      status: 'Fail',
      status_code: 'NON_COMPLIANT',
    });
    expect(open?.compliance.standards).toEqual(expect.arrayContaining(['PCI DSS 4.0']));
    expect(open?.finding_info.desc).toBe(longReason);
    expect(open?.remediation.desc.length).toBeGreaterThan(0);
    expect(open?.resources[0]?.uid).toBe('arn:aws:s3:::open-bucket');
    const suppressed = findings.find((f) => f.resources[0]?.name === 'accepted-risk');
    expect(suppressed?.status).toBe('Suppressed');
  });
});

describe('Markdown', () => {
  it('escapes table cells and carries the full reason', () => {
    const markdown = renderMarkdown(report);
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('&lt;script&gt;');
    expect(markdown).toContain('\\|x');
    expect(markdown).toContain('## Requirements');
    expect(markdown).toContain(longReason.trim().slice(0, 60));
  });
});

describe('HTML', () => {
  const html = renderHtml(report);

  it('is self-contained: no external script, style, image or font', () => {
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<svg');
  });

  it('escapes every value from the data', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });
});

describe('renderReport', () => {
  it('renders every format', () => {
    for (const format of REPORT_FORMATS) {
      expect(renderReport(report, format).length).toBeGreaterThan(100);
    }
    const json = JSON.parse(renderReport(report, 'json'));
    expect(json).toMatchObject({
      schema: 'vpce-guard/compliance-report',
      schemaVersion: REPORT_SCHEMA_VERSION,
    });
  });
});

describe('docs/report.md', () => {
  it('documents every CSV column', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/report.md', import.meta.url), 'utf8');
    for (const column of CSV_COLUMNS) expect(doc).toContain(`\`${column}\``);
  });
});

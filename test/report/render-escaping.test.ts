import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { csvCell } from '../../src/report/render/csv.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import { parseSuppressions } from '../../src/report/suppressions.js';
import { evaluation } from './helpers.js';

const vpce = 's3-bucket-policy-vpce-only';

/** The rows of the Markdown table that follows `heading`, as CommonMark splits lines (CR, LF, CRLF). */
const tableRows = (markdown: string, heading: string): string[] => {
  const lines = markdown.split(/\r\n|\r|\n/);
  const start = lines.indexOf(heading);
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (line === '') break;
    rows.push(line);
  }
  return rows;
};

describe('Markdown table cells', () => {
  it('keeps a value holding a bare carriage return inside its row (CommonMark ends a line at CR)', () => {
    // Prepare: a suppression reason typed on a system that ends lines with CR alone.
    const report = buildReport([evaluation({ ruleId: vpce, resourceId: 'cdn-origin' })], {
      generatedAt: new Date('2026-11-20T12:00:00Z'),
      source: { kind: 'config', name: '111122223333' },
      suppressions: parseSuppressions(
        JSON.stringify([
          {
            ruleId: vpce,
            resource: 'cdn-origin',
            reason: 'CDN origin\r| forged | row |',
            expires: '2027-01-31',
          },
        ]),
        's.json',
      ),
    });

    // Act
    const markdown = renderMarkdown(report);

    // Assess: header, delimiter row and exactly one data row, each with the table's 7 columns.
    const rows = tableRows(markdown, '## Suppressions');
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(7);
  });
});

describe('CSV cells', () => {
  it('quotes a cell holding a semicolon, so a semicolon-delimited import cannot split it into a formula cell', () => {
    // Spreadsheets in many locales split CSV on ";": unquoted, the text after it starts a cell.
    expect(csvCell('tag team;=1+1')).toBe('"tag team;=1+1"');
    expect(csvCell('tab\t-1')).toBe('"tab\t-1"');
  });
});

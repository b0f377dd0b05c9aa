import type { ComplianceReport } from '../model.js';
import { type AsffOptions, renderAsff } from './asff.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderOcsf } from './ocsf.js';

const REPORT_FORMATS = ['json', 'html', 'csv', 'markdown', 'ocsf', 'asff'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

/** File name extension per format (`latest.<ext>` in the bucket). */
const EXTENSIONS: Record<ReportFormat, string> = {
  json: 'json',
  html: 'html',
  csv: 'csv',
  markdown: 'md',
  ocsf: 'ocsf.json',
  asff: 'asff.json',
};

const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  ocsf: 'application/json',
  asff: 'application/json',
};

const isReportFormat = (value: string): value is ReportFormat =>
  (REPORT_FORMATS as readonly string[]).includes(value);

const renderReport = (
  report: ComplianceReport,
  format: ReportFormat,
  options: AsffOptions = {},
): string => {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'html':
      return renderHtml(report);
    case 'csv':
      return renderCsv(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'ocsf':
      return renderOcsf(report);
    case 'asff':
      return renderAsff(report, options);
  }
};

export type { ReportFormat };
export { CONTENT_TYPES, EXTENSIONS, isReportFormat, REPORT_FORMATS, renderReport };

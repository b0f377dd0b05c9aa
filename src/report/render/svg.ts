import type { RuleSection, StatusCounts, TrendPoint } from '../model.js';

/** Escapes text for HTML and SVG content and attribute values alike. */
const escapeHtml = (value: unknown): string =>
  String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

const COLORS: Record<string, string> = {
  NON_COMPLIANT: '#c62828',
  INSUFFICIENT_DATA: '#607d8b',
  SUPPRESSED: '#f9a825',
  COMPLIANT: '#2e7d32',
  NOT_APPLICABLE: '#9e9e9e',
};

const SEGMENTS = ['NON_COMPLIANT', 'SUPPRESSED', 'COMPLIANT', 'NOT_APPLICABLE'] as const;

/** One stacked horizontal bar; segment widths proportional to the counts. */
const stackedBar = (counts: StatusCounts, x: number, y: number, width: number, height: number) => {
  const total = SEGMENTS.reduce((sum, status) => sum + counts[status], 0);
  if (total === 0) {
    return `<rect x="${x}" y="${y}" width="${width}" height="${height}" fill="#eceff1"/>`;
  }
  let offset = x;
  return SEGMENTS.filter((status) => counts[status] > 0)
    .map((status) => {
      const w = (counts[status] / total) * width;
      const rect = `<rect x="${offset.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${height}" fill="${COLORS[status]}"><title>${escapeHtml(`${status}: ${counts[status]}`)}</title></rect>`;
      offset += w;
      return rect;
    })
    .join('');
};

/** Per-rule stacked bars with the overall bar on top. */
const statusChart = (overall: StatusCounts, rules: readonly RuleSection[]): string => {
  const labelWidth = 300;
  const barWidth = 420;
  const rowHeight = 22;
  const rows = [{ label: 'All evaluations', counts: overall }].concat(
    rules.map((rule) => ({ label: rule.ruleId, counts: rule.counts })),
  );
  const height = rows.length * rowHeight + 30;
  const bars = rows
    .map(
      (row, index) =>
        `<text x="0" y="${index * rowHeight + 15}" font-size="12">${escapeHtml(row.label)}</text>${stackedBar(row.counts, labelWidth, index * rowHeight + 3, barWidth, 14)}`,
    )
    .join('');
  const legend = SEGMENTS.map(
    (status, index) =>
      `<rect x="${index * 150}" y="${height - 18}" width="10" height="10" fill="${COLORS[status]}"/><text x="${index * 150 + 14}" y="${height - 9}" font-size="11">${status}</text>`,
  ).join('');
  return `<svg class="chart" role="img" aria-label="Evaluations by status, overall and per rule" viewBox="0 0 ${labelWidth + barWidth + 10} ${height}" width="${labelWidth + barWidth + 10}" height="${height}" xmlns="http://www.w3.org/2000/svg">${bars}${legend}</svg>`;
};

/** Failing and suppressed evaluations over the last reports. */
const trendChart = (trend: readonly TrendPoint[]): string => {
  const width = 720;
  const height = 180;
  const pad = 36;
  const max = Math.max(1, ...trend.map((point) => point.failing + point.suppressed));
  const x = (index: number) =>
    trend.length === 1 ? width / 2 : pad + (index * (width - 2 * pad)) / (trend.length - 1);
  const y = (value: number) => height - pad - (value / max) * (height - 2 * pad);
  const line = (pick: (point: TrendPoint) => number, color: string, name: string) => {
    const points = trend.map(
      (point, index) => `${x(index).toFixed(1)},${y(pick(point)).toFixed(1)}`,
    );
    const dots = trend
      .map(
        (point, index) =>
          `<circle cx="${x(index).toFixed(1)}" cy="${y(pick(point)).toFixed(1)}" r="3" fill="${color}"><title>${escapeHtml(`${point.generatedAt}: ${pick(point)} ${name}`)}</title></circle>`,
      )
      .join('');
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>${dots}`;
  };
  const first = trend[0]?.generatedAt.slice(0, 10) ?? '';
  const last = trend.at(-1)?.generatedAt.slice(0, 10) ?? '';
  return `<svg class="chart" role="img" aria-label="Trend of failing evaluations over the last ${trend.length} reports" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#90a4ae"/><text x="${pad}" y="${height - 12}" font-size="11">${escapeHtml(first)}</text><text x="${width - pad}" y="${height - 12}" font-size="11" text-anchor="end">${escapeHtml(last)}</text><text x="4" y="${pad}" font-size="11">${max}</text>${line((point) => point.failing, COLORS.NON_COMPLIANT as string, 'failing')}${line((point) => point.suppressed, COLORS.SUPPRESSED as string, 'suppressed')}</svg>`;
};

export { COLORS, escapeHtml, statusChart, trendChart };

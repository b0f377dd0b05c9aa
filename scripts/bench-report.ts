/**
 * The report benchmark: 10,000 evaluations across 5 accounts built into the report model and
 * rendered to every format. Rewrites section 4 of BENCHMARKS.md. Not a timed test: a figure.
 *
 *   node bin/run-ts.js scripts/bench-report.ts [--evaluations N] [--accounts N] [--no-write]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from '../src/report/build.js';
import { REPORT_FORMATS, renderReport } from '../src/report/render/index.js';
import { syntheticEvaluations } from './lib/report-synthetic.js';

const { values } = parseArgs({
  options: {
    evaluations: { type: 'string', default: '10000' },
    accounts: { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
  },
});
const count = Number(values.evaluations);
const accounts = Number(values.accounts);
const ROUNDS = 5;

const median = (numbers: number[]) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;
const timed = <T>(work: () => T): { value: T; ms: number } => {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
};

const input = syntheticEvaluations(count, accounts);
// The baseline: serialising the same evaluations once, measured alongside in the same process.
const baseline = median(
  Array.from({ length: ROUNDS }, () => timed(() => JSON.stringify(input)).ms),
);
const previous = buildReport(
  syntheticEvaluations(count, accounts).slice(0, Math.floor(count * 0.9)),
  {
    generatedAt: new Date('2026-11-19T06:00:00Z'),
    source: { kind: 'aggregator', name: 'bench' },
  },
);
const builds = Array.from({ length: ROUNDS }, () =>
  timed(() =>
    buildReport(input, {
      generatedAt: new Date('2026-11-20T06:00:00Z'),
      source: { kind: 'aggregator', name: 'bench' },
      previous,
    }),
  ),
);
const report = builds[0]?.value ?? previous;
const rows = [
  {
    step: 'build model (with diff)',
    ms: median(builds.map((b) => b.ms)),
    bytes: undefined as number | undefined,
  },
  ...REPORT_FORMATS.map((format) => {
    const runs = Array.from({ length: ROUNDS }, () => timed(() => renderReport(report, format)));
    return {
      step: `render ${format}`,
      ms: median(runs.map((run) => run.ms)),
      bytes: Buffer.byteLength(runs[0]?.value ?? ''),
    };
  }),
];

const table = [
  `${count.toLocaleString('en')} evaluations, ${accounts} accounts, 2 regions, ${report.summary.failing} failing; ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)} at the end. Median of ${ROUNDS} runs; ratio to \`JSON.stringify\` of the same evaluations (${baseline.toFixed(1)} ms) in the same process.`,
  '',
  '| Step | Time | × JSON.stringify | Output |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.step} | ${row.ms.toFixed(0)} ms | ${(row.ms / baseline).toFixed(1)}× | ${row.bytes === undefined ? '' : `${(row.bytes / 1024 / 1024).toFixed(1)} MB`} |`,
  ),
].join('\n');
process.stdout.write(`${table}\n`);

if (!values['no-write']) {
  const path = join(import.meta.dirname, '..', 'BENCHMARKS.md');
  const text = readFileSync(path, 'utf8');
  const start = '<!-- report-bench:start -->';
  const end = '<!-- report-bench:end -->';
  const section = `${start}\n${table}\n${end}`;
  const next = text.includes(start)
    ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section)
    : `${text.trimEnd()}\n\n## 4. Compliance report rendering\n\n\`node bin/run-ts.js scripts/bench-report.ts\` (\`npm run bench:report\`) builds the report model from synthetic evaluations (\`scripts/lib/report-synthetic.ts\`) with a diff against a previous report, and renders every format. A figure, not a test.\n\n${section}\n`;
  writeFileSync(path, next);
}

import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noteSuppressions, writeJsonReport } from '../../src/cli/json-report.js';
import { main } from '../../src/cli/main.js';
import { toJsonReport } from '../../src/cli/render.js';
import { ReportError } from '../../src/errors.js';
import type { Evaluation } from '../../src/model/compliance.js';
import type { SuppressionMark } from '../../src/report/suppressions.js';
import { summarise } from '../../src/scan/scan.js';
import { capture } from './capture.js';

const evaluationOf = (index: number): Evaluation => {
  const kind = index % 4;
  return {
    ruleId: kind === 0 ? 's3-bucket-policy-tls-only' : 's3-bucket-policy-vpce-only',
    resource: { type: 'AWS::S3::Bucket', id: `bucket-${index}-"quoted"\n` },
    compliance: kind === 1 ? 'COMPLIANT' : 'NON_COMPLIANT',
    annotation: `Reason ${index}: ${'x'.repeat(index % 300)}`,
    ...(kind === 2 ? { detail: `Line one.\nLine two of ${index}.` } : {}),
    ...(kind === 3
      ? {
          counterexample: {
            principal: 'arn:aws:iam::999999999999:user/x',
            action: 's3:GetObject',
            resource: `arn:aws:s3:::bucket-${index}/k`,
            context: { 'aws:SourceVpce': 'vpce-1', 'aws:SourceIp': null, list: ['a', 'b'] },
          },
          region: 'eu-west-1',
          unverifiable: true as const,
        }
      : {}),
  };
};

/** What `scan --format json` printed before it was streamed: one JSON.stringify of the report. */
const wholeReport = (
  evaluations: Evaluation[],
  extra: Parameters<typeof toJsonReport>[2],
  marks?: (SuppressionMark | undefined)[],
): string => {
  const report = toJsonReport(evaluations, summarise(evaluations), extra);
  noteSuppressions(report.evaluations, marks);
  return `${JSON.stringify(report, null, 2)}\n`;
};

const DEMO = new URL('../../examples/demo-snapshot.json', import.meta.url).pathname;

const MARK: SuppressionMark = { reason: 'accepted', expires: '2030-01-01', owner: 'me', entry: 0 };

describe('writeJsonReport: the JSON report written as it is serialised', () => {
  it.each([
    ['no evaluations', 0, { skippedItems: 0 }],
    ['one evaluation', 1, { skippedItems: 2 }],
    [
      'more evaluations than one write holds, with API calls and retries',
      700,
      {
        skippedItems: 1,
        apiCalls: { total: 3, byOperation: { 's3:GetBucketPolicy': 3 } },
        retries: 1,
      },
    ],
  ])('writes the same bytes as the whole report for %s', async (_what, count, extra) => {
    // Prepare
    const evaluations = Array.from({ length: count }, (_, index) => evaluationOf(index));
    const marks = evaluations.map((_, index) => (index % 5 === 0 ? MARK : undefined));
    const out = capture();

    // Act
    await writeJsonReport(
      { evaluations, summary: summarise(evaluations), extra, marks },
      undefined,
      out.io,
    );

    // Assess
    expect(out.out()).toBe(wholeReport(evaluations, extra, marks));
  });

  it('writes the same bytes to --out, creating its directory', async () => {
    const evaluations = Array.from({ length: 300 }, (_, index) => evaluationOf(index));
    const path = join(mkdtempSync(join(tmpdir(), 'vpce-guard-json-')), 'nested', 'scan.json');
    const out = capture();

    await writeJsonReport(
      { evaluations, summary: summarise(evaluations), extra: { skippedItems: 0 } },
      path,
      out.io,
    );

    expect(readFileSync(path, 'utf8')).toBe(wholeReport(evaluations, { skippedItems: 0 }));
    expect(out.out()).toBe('');
    expect(out.err()).toMatch(/wrote the json report to .*scan\.json/);
  });

  it('writes in batches and waits for a full stdout to drain before writing more', async () => {
    // Prepare: a stream whose buffer is always full until it drains.
    const evaluations = Array.from({ length: 600 }, (_, index) => evaluationOf(index));
    const stream = new EventEmitter() as EventEmitter & { write(text: string): boolean };
    const writes: string[] = [];
    stream.write = (text: string) => {
      writes.push(text);
      return false;
    };
    const io = { stdout: stream, stderr: { write: () => true }, env: {} };

    // Act
    let done = false;
    const writing = writeJsonReport(
      { evaluations, summary: summarise(evaluations), extra: { skippedItems: 0 } },
      undefined,
      io,
    ).then(() => {
      done = true;
    });
    await new Promise((resolveTick) => setImmediate(resolveTick));
    const beforeDrain = writes.length;
    while (!done) {
      stream.emit('drain');
      await new Promise((resolveTick) => setImmediate(resolveTick));
    }
    await writing;

    // Assess
    expect(beforeDrain).toBe(1);
    expect(writes.length).toBeGreaterThan(2);
    expect(writes.join('')).toBe(wholeReport(evaluations, { skippedItems: 0 }));
  });

  it('reports a file it cannot write as a ReportError', async () => {
    const blocked = join(mkdtempSync(join(tmpdir(), 'vpce-guard-json-')), 'file');
    const out = capture();
    await writeJsonReport(
      { evaluations: [], summary: summarise([]), extra: { skippedItems: 0 } },
      blocked,
      out.io,
    );

    const failure = writeJsonReport(
      { evaluations: [], summary: summarise([]), extra: { skippedItems: 0 } },
      join(blocked, 'under-a-file.json'),
      out.io,
    );

    await expect(failure).rejects.toThrow(ReportError);
    await expect(failure).rejects.toThrow(/cannot write .*under-a-file\.json/);
  });

  it('prints a scan of the demo account as one pretty-printed JSON document', async () => {
    const out = capture();

    await main(['scan', '--snapshot', DEMO, '--format', 'json', '--exit-zero'], out.io);

    const report = JSON.parse(out.out());
    expect(report.evaluations.length).toBeGreaterThan(10);
    expect(out.out()).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });
});

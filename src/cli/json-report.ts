import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ReportError } from '../errors.js';
import type { Evaluation } from '../model/compliance.js';
import type { SuppressionMark } from '../report/suppressions.js';
import type { ScanSummary } from '../scan/scan.js';
import type { Io } from './main.js';
import { type JsonEvaluation, type JsonExtra, jsonEvaluationOf } from './render.js';

/**
 * `scan --format json`, written as it is serialised: a few dozen evaluations at a time (about
 * 64 KiB), never the whole report as one string (at 100k buckets that string alone was larger than
 * the snapshot). The bytes are those of `JSON.stringify(toJsonReport(...), null, 2)` and a newline.
 */

interface TextSink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

type Drainable = { once(event: 'drain', listener: () => void): unknown };
const canDrain = (stream: unknown): stream is Drainable =>
  typeof (stream as { once?: unknown }).once === 'function';

/** stdout (or a test's capture): waits for 'drain' when the stream says its buffer is full. */
const streamSink = (stream: Io['stdout']): TextSink => ({
  write: async (text) => {
    if (stream.write(text) === false && canDrain(stream)) {
      await new Promise<void>((resolveDrain) => stream.once('drain', resolveDrain));
    }
  },
  close: async () => {},
});

const fileSink = async (out: string): Promise<TextSink> => {
  await mkdir(dirname(resolve(out)), { recursive: true });
  const handle = await open(out, 'w');
  return {
    write: async (text) => {
      await handle.write(text);
    },
    close: () => handle.close(),
  };
};

/** Adds `suppressed` (reason, expiry, owner) to the scan JSON's evaluations, which are in scan order. */
const noteSuppressions = (
  evaluations: Record<string, unknown>[],
  marks: readonly (SuppressionMark | undefined)[] | undefined,
): void => {
  if (!marks) return;
  evaluations.forEach((evaluation, index) => {
    const mark = marks[index];
    if (mark) evaluation.suppressed = mark;
  });
};

/** Entries serialised together: about 64 KiB of report text, one write each. */
const BATCH_ENTRIES = 48;

// JSON.stringify places members of `{"evaluations": [...]}` exactly where the report has them, so a
// batch is serialised natively and only its wrapper is cut off: no re-indenting in JS.
const BATCH_HEAD = '{\n  "evaluations": ['.length;
const BATCH_TAIL = '\n  ]\n}'.length;

const writeReport = async (
  sink: TextSink,
  evaluations: readonly Evaluation[],
  summary: ScanSummary,
  extra: JsonExtra,
  marks: readonly (SuppressionMark | undefined)[] | undefined,
): Promise<void> => {
  await sink.write('{\n  "schemaVersion": 1,\n  "evaluations": [');
  let batch: JsonEvaluation[] = [];
  let written = 0;
  const flush = async () => {
    const text = JSON.stringify({ evaluations: batch }, null, 2);
    await sink.write(
      `${written === 0 ? '' : ','}${text.slice(BATCH_HEAD, text.length - BATCH_TAIL)}`,
    );
    written += batch.length;
    batch = [];
  };
  for (let index = 0; index < evaluations.length; index += 1) {
    const entry = jsonEvaluationOf(evaluations[index] as Evaluation);
    if (marks?.[index]) noteSuppressions([entry], [marks[index]]);
    batch.push(entry);
    if (batch.length === BATCH_ENTRIES) await flush();
  }
  if (batch.length > 0) await flush();
  // `{"summary": ...}` pretty-printed is the report's tail once its opening brace is cut off.
  const tail = JSON.stringify({ summary: { ...summary, ...extra } }, null, 2).slice(1);
  await sink.write(`${written === 0 ? ']' : '\n  ]'},${tail}\n`);
};

/**
 * Writes the JSON report to `out` (a file; its directory is created) or to stdout. A file that
 * cannot be written is a ReportError, as for the other formats.
 */
const writeJsonReport = async (
  report: {
    evaluations: readonly Evaluation[];
    summary: ScanSummary;
    extra: JsonExtra;
    marks?: readonly (SuppressionMark | undefined)[] | undefined;
  },
  out: string | undefined,
  io: Io,
): Promise<void> => {
  const { evaluations, summary, extra, marks } = report;
  if (!out) {
    await writeReport(streamSink(io.stdout), evaluations, summary, extra, marks);
    return;
  }
  let sink: TextSink | undefined;
  try {
    sink = await fileSink(out);
    await writeReport(sink, evaluations, summary, extra, marks);
  } catch (error) {
    throw new ReportError(`cannot write ${out}: ${(error as Error).message}`, { cause: error });
  } finally {
    await sink?.close();
  }
  io.stderr.write(`vpce-guard: wrote the json report to ${resolve(out)}\n`);
};

export { noteSuppressions, writeJsonReport };

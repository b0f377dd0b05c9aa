import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isRecord } from '../util/json.js';

/**
 * Where a periodic sweep too large for one invocation keeps its place. The next periodic
 * invocation of the same rule (AWS Config's own schedule) continues from it; a complete sweep
 * clears it. Stored as one small JSON object per rule, account and region in the report bucket.
 */
interface SweepCursor {
  /** The first resource id (plain string order) not yet judged in this sweep. */
  nextId: string;
  /** When the sweep began (ISO), so a log line can say how long it has been running. */
  startedAt: string;
  /** Invocations this sweep has taken so far. */
  invocations: number;
  /**
   * Which rule the sweep judges for: the Config rule's id and its parameters (`ruleFingerprint`).
   * A sweep begun for a rule since re-created or re-parameterised must not be continued.
   */
  rule?: string | undefined;
}

interface SweepCursorStore {
  load(key: string): Promise<SweepCursor | undefined>;
  save(key: string, cursor: SweepCursor): Promise<void>;
  clear(key: string): Promise<void>;
}

/** Environment variable naming the bucket the cursors live in (the report bucket). */
const SWEEP_BUCKET_ENV = 'VPCE_GUARD_REPORT_BUCKET';
const CURSOR_PREFIX = 'sweeps/';

/** One cursor per Config rule, account and region; the names are AWS-validated, not user text. */
const cursorKey = (configRuleName: string, accountId: string, region: string): string =>
  `${CURSOR_PREFIX}${encodeURIComponent(accountId)}/${encodeURIComponent(region)}/${encodeURIComponent(configRuleName)}.json`;

const parseCursor = (text: string): SweepCursor | undefined => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.nextId !== 'string' || typeof value.startedAt !== 'string') {
    return undefined;
  }
  const invocations = typeof value.invocations === 'number' ? value.invocations : 1;
  const rule = typeof value.rule === 'string' ? value.rule : undefined;
  return { nextId: value.nextId, startedAt: value.startedAt, invocations, rule };
};

const isNoSuchKey = (error: unknown): boolean =>
  isRecord(error) && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/** Cursors as objects under `sweeps/` in an S3 bucket. */
const s3CursorStore = (s3: S3Client, bucket: string): SweepCursorStore => ({
  async load(key) {
    try {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = await response.Body?.transformToString('utf8');
      // An unreadable cursor restarts the sweep: slower, never wrong.
      return text === undefined ? undefined : parseCursor(text);
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  },
  async save(key, cursor) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(cursor),
        ContentType: 'application/json',
      }),
    );
  },
  async clear(key) {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  },
});

/** An in-memory store (tests, local runs). */
const memoryCursorStore = (): SweepCursorStore & { readonly entries: Map<string, SweepCursor> } => {
  const entries = new Map<string, SweepCursor>();
  return {
    entries,
    async load(key) {
      return entries.get(key);
    },
    async save(key, cursor) {
      entries.set(key, cursor);
    },
    async clear(key) {
      entries.delete(key);
    },
  };
};

export type { SweepCursor, SweepCursorStore };
export {
  CURSOR_PREFIX,
  cursorKey,
  memoryCursorStore,
  parseCursor,
  SWEEP_BUCKET_ENV,
  s3CursorStore,
};

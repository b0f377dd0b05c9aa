import { SnapshotError } from '../errors.js';

/**
 * Finds the configuration items of a snapshot document in a stream of bytes, without building the
 * document: each item's own text is handed over as soon as it ends, and everything outside the
 * item lists (the "skeleton", a few hundred bytes for a Config snapshot) is kept to be parsed at
 * the end. JSON.parse validates every item and the skeleton; this scanner only tracks strings and
 * nesting, so reading costs about one JSON.parse of the file (BENCHMARKS.md, "Reading a snapshot").
 * Pure-JS streaming parsers (stream-json, @streamparser/json) were measured 5–11× slower.
 */

/** Where the supported documents keep their items, in the order a document is searched. */
const ITEM_LISTS = ['configurationItems', 'baseConfigurationItems', 'Results'] as const;
/** `document`: the file is a bare array of items. */
type ItemList = (typeof ITEM_LISTS)[number] | 'document';

/** An item larger than this is refused: no Config item comes near it, and memory stays bounded. */
const MAX_ITEM_BYTES = 64 * 1024 * 1024;

const BOM = [0xef, 0xbb, 0xbf];
const NON_SPACE = /\S/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Malformed input; `offset` is the byte in the file, `item` the index of the item it is in. */
class SnapshotSyntaxError extends SnapshotError {
  readonly offset: number;
  readonly item: number | undefined;
  constructor(message: string, offset: number, item?: number, options?: ErrorOptions) {
    super(message, options);
    this.offset = offset;
    this.item = item;
  }
}

/** JSON.parse's message quotes the text it choked on; only the position is kept. */
const errorPosition = (error: unknown): number | undefined => {
  const position = /position (\d+)/.exec((error as Error)?.message ?? '')?.[1];
  return position === undefined ? undefined : Number(position);
};

/** A character position of `text` as a byte count (texts are UTF-8 in the file). */
const bytesBefore = (text: string, position: number): number =>
  Buffer.byteLength(text.slice(0, position));

const isItemList = (key: string | undefined): key is ItemList =>
  (ITEM_LISTS as readonly (string | undefined)[]).includes(key);

interface ScannerSink {
  /** A list of items starts (a repeated key replaces the earlier list, as in JSON.parse). */
  list(list: ItemList): void;
  /** One item's text, parsed by the sink; `offset` is the item's first byte in the file. */
  item(list: ItemList, index: number, text: string, offset: number): void;
}

class SnapshotScanner {
  /** File offset of the current chunk's first byte. */
  private base = 0;
  /** Bytes of a byte order mark read so far; -1 once past it. */
  private bom = 0;
  private depth = 0;
  private topIsObject = false;
  private inString = false;
  /** The previous chunk ended inside a string on an unpaired backslash. */
  private escaped = false;
  /** Inside the top-level object, where the next string is a member name. */
  private expectKey = false;
  private key: string | undefined;
  private capturingKey = false;
  /** The list being read and the depth of its elements; -1 outside lists. */
  private list: ItemList = 'document';
  private listDepth = -1;
  private index = 0;
  /** File offset where the captured text (an item, or a member name) starts; -1: none. */
  private captureStart = -1;
  /** Earlier chunks' bytes of the captured text. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private readonly skeleton: Buffer[] = [];
  private skeletonBytes = 0;
  /** File offset where the skeleton text resumes; -1 inside a list. */
  private skeletonStart = 0;
  /** Skeleton offset → file offset, one pair per copied run, to place JSON.parse's errors. */
  private readonly runs: number[] = [];

  constructor(
    private readonly sink: ScannerSink,
    private readonly maxItemBytes = MAX_ITEM_BYTES,
  ) {}

  /** Scans one chunk; the chunk must not be reused while an item spans it. */
  feed(chunk: Buffer): void {
    let i = 0;
    const length = chunk.length;
    // Editors on Windows save UTF-8 with a byte order mark; JSON.parse rejects it.
    while (this.bom >= 0 && i < length) {
      if (chunk[i] !== BOM[this.bom]) {
        if (this.bom > 0) {
          throw new SnapshotSyntaxError(
            `unexpected byte (error at byte ${this.base + i})`,
            this.base + i,
          );
        }
        this.bom = -1;
        break;
      }
      this.bom += 1;
      i += 1;
      this.skeletonStart = this.base + i;
      if (this.bom === BOM.length) this.bom = -1;
    }
    if (this.inString) {
      i = this.skipString(chunk, i);
      if (i >= 0) {
        this.inString = false;
        if (this.capturingKey) this.endKey(chunk, i);
      }
    }
    while (i >= 0 && i < length) {
      const byte = chunk[i] as number;
      if (byte === QUOTE) {
        const keyStart = this.depth === 1 && this.expectKey && this.listDepth < 0;
        if (keyStart) {
          this.capturingKey = true;
          this.captureStart = this.base + i;
        }
        const end = this.skipString(chunk, i + 1);
        if (end < 0) {
          this.inString = true;
          break;
        }
        i = end;
        if (this.capturingKey) this.endKey(chunk, end);
        continue;
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.depth += 1;
        if (this.depth === 1) {
          this.topIsObject = byte === OPEN_BRACE;
          if (this.topIsObject) this.expectKey = true;
          else this.startList('document', chunk, i);
        } else if (
          this.depth === 2 &&
          byte === OPEN_BRACKET &&
          this.topIsObject &&
          !this.expectKey &&
          this.listDepth < 0 &&
          isItemList(this.key)
        ) {
          this.startList(this.key, chunk, i);
        }
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (this.depth === this.listDepth) {
          if (byte === CLOSE_BRACE) {
            throw new SnapshotSyntaxError(
              `unexpected "}" after item ${this.index} (error at byte ${this.base + i})`,
              this.base + i,
              this.index,
            );
          }
          this.endItem(chunk, i, true);
          this.endList(i);
        }
        this.depth -= 1;
        if (this.depth < 0) {
          throw new SnapshotSyntaxError(
            `unexpected "${String.fromCharCode(byte)}" (error at byte ${this.base + i})`,
            this.base + i,
          );
        }
      } else if (byte === COMMA) {
        if (this.depth === this.listDepth) {
          this.endItem(chunk, i, false);
          this.index += 1;
          this.captureStart = this.base + i + 1;
        } else if (this.depth === 1 && this.topIsObject && this.listDepth < 0) {
          this.expectKey = true;
        }
      }
      i += 1;
    }
    if (this.captureStart >= 0) {
      const from = Math.max(0, this.captureStart - this.base);
      if (from < length) this.keepPart(chunk.subarray(from, length));
    }
    if (this.skeletonStart >= 0) {
      this.copySkeleton(chunk, length);
      this.skeletonStart = this.base + length;
    }
    this.base += length;
  }

  /** The skeleton's text; throws when the input ended inside an item or a string. */
  end(): string {
    if (this.listDepth >= 0) {
      throw new SnapshotSyntaxError(
        `the file ends inside item ${this.index} (at byte ${this.base})`,
        this.base,
        this.index,
      );
    }
    return Buffer.concat(this.skeleton, this.skeletonBytes).toString('utf8');
  }

  /** Parses the skeleton, placing an error at its byte in the file. */
  parseSkeleton(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      const position = errorPosition(error);
      if (position === undefined) {
        throw new SnapshotSyntaxError('the file is cut short or empty', this.base, undefined, {
          cause: error,
        });
      }
      const offset = this.fileOffset(bytesBefore(text, position));
      throw new SnapshotSyntaxError(`error at byte ${offset}`, offset, undefined, { cause: error });
    }
  }

  private fileOffset(skeletonOffset: number): number {
    let file = skeletonOffset;
    for (let run = 0; run < this.runs.length; run += 2) {
      const at = this.runs[run] as number;
      if (at > skeletonOffset) break;
      file = (this.runs[run + 1] as number) + (skeletonOffset - at);
    }
    return file;
  }

  /** Index just past the closing quote, or -1 when the string goes on in the next chunk. */
  private skipString(chunk: Buffer, start: number): number {
    let i = start;
    if (this.escaped) {
      if (i >= chunk.length) return -1;
      this.escaped = false;
      i += 1;
    }
    for (;;) {
      const quote = chunk.indexOf(QUOTE, i);
      const stop = quote < 0 ? chunk.length : quote;
      let k = stop - 1;
      while (k >= i && chunk[k] === BACKSLASH) k -= 1;
      const odd = ((stop - 1 - k) & 1) === 1;
      if (quote < 0) {
        this.escaped = odd;
        return -1;
      }
      if (!odd) return quote + 1;
      i = quote + 1;
    }
  }

  private keepPart(part: Buffer): void {
    this.partsBytes += part.length;
    if (this.partsBytes > this.maxItemBytes) {
      const what = this.capturingKey ? 'a member name' : `item ${this.index}`;
      throw new SnapshotSyntaxError(
        `${what} is larger than ${this.maxItemBytes} bytes (from byte ${this.captureStart})`,
        this.captureStart,
        this.capturingKey ? undefined : this.index,
      );
    }
    this.parts.push(part);
  }

  /** The captured text up to `end` (exclusive, in this chunk). */
  private captured(chunk: Buffer, end: number): string {
    const from = Math.max(0, this.captureStart - this.base);
    if (this.parts.length === 0) return chunk.toString('utf8', from, end);
    const whole = Buffer.concat([...this.parts, chunk.subarray(from, end)]);
    this.parts = [];
    this.partsBytes = 0;
    return whole.toString('utf8');
  }

  private endKey(chunk: Buffer, end: number): void {
    const text = this.captured(chunk, end);
    this.capturingKey = false;
    this.expectKey = false;
    this.captureStart = -1;
    try {
      this.key = JSON.parse(text) as string;
    } catch {
      // The skeleton holds the same text and reports it with its position.
      this.key = undefined;
    }
  }

  private startList(list: ItemList, chunk: Buffer, at: number): void {
    this.copySkeleton(chunk, at);
    this.runs.push(this.skeletonBytes, this.base + at);
    this.pushSkeleton(Buffer.from('[]'));
    this.skeletonStart = -1;
    this.list = list;
    this.listDepth = this.depth;
    this.index = 0;
    this.captureStart = this.base + at + 1;
    this.sink.list(list);
  }

  /** The list's closing bracket is already in the skeleton's "[]". */
  private endList(at: number): void {
    this.listDepth = -1;
    this.captureStart = -1;
    this.skeletonStart = this.base + at + 1;
  }

  private endItem(chunk: Buffer, end: number, last: boolean): void {
    const offset = this.captureStart;
    const text = this.captured(chunk, end);
    this.captureStart = -1;
    if (!NON_SPACE.test(text)) {
      if (last && this.index === 0) return;
      throw new SnapshotSyntaxError(
        `item ${this.index} is empty (a stray comma, at byte ${offset})`,
        offset,
        this.index,
      );
    }
    this.sink.item(this.list, this.index, text, offset);
  }

  /** Copies the skeleton bytes of this chunk before `end` (they must outlive the chunk). */
  private copySkeleton(chunk: Buffer, end: number): void {
    if (this.skeletonStart < 0) return;
    const from = Math.max(0, this.skeletonStart - this.base);
    if (end <= from) return;
    this.runs.push(this.skeletonBytes, this.base + from);
    this.pushSkeleton(Buffer.from(chunk.subarray(from, end)));
  }

  private pushSkeleton(bytes: Buffer): void {
    this.skeleton.push(bytes);
    this.skeletonBytes += bytes.length;
  }
}

/**
 * Parses one item's text; a syntax error names the item and its byte in the file, never the text
 * (a file that is not a snapshot may hold secrets).
 */
const parseItemText = (text: string, index: number, offset: number): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = errorPosition(error);
    const at = position === undefined ? offset : offset + bytesBefore(text, position);
    const where = position === undefined ? '' : ` (error at byte ${at})`;
    throw new SnapshotSyntaxError(
      `item ${index} (from byte ${offset}) is not valid JSON${where}`,
      at,
      index,
      { cause: error },
    );
  }
};

export type { ItemList, ScannerSink };
export { ITEM_LISTS, MAX_ITEM_BYTES, parseItemText, SnapshotScanner, SnapshotSyntaxError };

import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { SnapshotError } from '../errors.js';

/** Pseudo-filesystems whose "files" are process or kernel state, never a snapshot. */
const SYSTEM_ROOTS = ['/proc/', '/sys/', '/dev/'];

/** Read size: large enough that a read costs little per byte, small against the file. */
const CHUNK_BYTES = 1024 * 1024;

/** gzip's magic number: AWS Config delivers its snapshots to S3 as `….json.gz`. */
const isGzip = (chunk: Buffer): boolean =>
  chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;

/**
 * The decompressed bytes of a gzip file, chunk by chunk (each a fresh slice zlib never writes
 * again), from the first chunk already read on. Corrupt or cut-short data is a SnapshotError.
 */
const consumeGzip = async (
  first: Buffer,
  rest: AsyncIterable<Buffer>,
  consume: (chunk: Buffer) => void,
  path: string,
): Promise<void> => {
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  const input = Readable.from(
    (async function* () {
      yield first;
      yield* rest;
    })(),
    { objectMode: false },
  );
  const piped = pipeline(input, gunzip);
  // Its failure (a read error, corrupt data) also ends the loop below, which reports it.
  piped.catch(() => undefined);
  try {
    for await (const chunk of gunzip) consume(chunk as Buffer);
    await piped;
  } catch (error) {
    gunzip.destroy();
    input.destroy();
    if (/^Z_/.test(String((error as { code?: unknown }).code))) {
      throw new SnapshotError(
        `snapshot file ${path} is gzip-compressed but cannot be decompressed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    throw error;
  }
};

/**
 * Streams a snapshot file's bytes to `consume`, chunk by chunk, without ever blocking or echoing
 * what is not a snapshot: FIFOs, devices and sockets are refused before reading (a FIFO would
 * block forever), and so is any path that resolves into /proc, /sys or /dev (their entries pass
 * for regular files). Each chunk is a fresh buffer, so the consumer may keep slices of it. The
 * next chunk is read while the current one is consumed. A gzip file (AWS Config's own delivery,
 * `….json.gz`) is decompressed as it is read, never held whole.
 */
const readSnapshotChunks = async (
  path: string,
  consume: (chunk: Buffer) => void,
): Promise<void> => {
  let resolved: string;
  try {
    resolved = await realpath(path);
  } catch (error) {
    throw new SnapshotError(`cannot read snapshot file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (SYSTEM_ROOTS.some((root) => `${resolved}/`.startsWith(root))) {
    throw new SnapshotError(
      `snapshot file ${path} is not a regular file (it resolves into a system directory)`,
    );
  }
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  // Errors of the consumer (malformed items, bugs) pass through as they are; only the file
  // system's own are reworded.
  let consumerFailed = false;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
    handle = await open(resolved, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new SnapshotError(`snapshot file ${path} is not a regular file`);
    }
    const file = handle;
    const next = async (): Promise<Buffer> => {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      return bytesRead === CHUNK_BYTES ? buffer : buffer.subarray(0, bytesRead);
    };
    const first = await next();
    if (isGzip(first)) {
      const rest = async function* () {
        for (;;) {
          const chunk = await next();
          if (chunk.length === 0) return;
          yield chunk;
        }
      };
      await consumeGzip(
        first,
        rest(),
        (chunk) => {
          try {
            consume(chunk);
          } catch (error) {
            consumerFailed = true;
            throw error;
          }
        },
        path,
      );
      return;
    }
    let pending = Promise.resolve(first);
    for (;;) {
      const chunk = await pending;
      if (chunk.length === 0) break;
      pending = next();
      try {
        consume(chunk);
      } catch (error) {
        consumerFailed = true;
        // The read ahead must settle before the handle closes.
        await pending.catch(() => undefined);
        throw error;
      }
    }
  } catch (error) {
    if (consumerFailed || error instanceof SnapshotError) throw error;
    throw new SnapshotError(`cannot read snapshot file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await handle?.close();
  }
};

export { readSnapshotChunks };

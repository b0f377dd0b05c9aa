import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';

/**
 * moto_server for integration tests: one server per test file on a free port of 127.0.0.1 (an IP,
 * so S3 goes path-style), reset before every test. When `moto_server` is missing the suite is
 * skipped loudly on a workstation and fails under CI, so a broken CI image never passes silently.
 */

interface MotoServer {
  url: string;
  port: number;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

const findOnPath = (command: string): string | undefined => {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const waitForExit = (proc: ChildProcess, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

const startMoto = async (): Promise<MotoServer> => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let spawnError: Error | undefined;
  proc.on('error', (error) => {
    spawnError = error;
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    // Keep only the tail: moto logs every request here.
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    if (!(await waitForExit(proc, STOP_TIMEOUT_MS))) {
      proc.kill('SIGKILL');
      await waitForExit(proc, STOP_TIMEOUT_MS);
    }
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError) {
      throw new Error(`moto_server could not be started: ${spawnError.message}`, {
        cause: spawnError,
      });
    }
    if (proc.exitCode !== null) {
      throw new Error(
        `moto_server exited with code ${proc.exitCode} before it was ready:\n${stderr}`,
      );
    }
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `moto_server did not answer on ${url} within ${READY_TIMEOUT_MS} ms:\n${stderr}`,
      );
    }
    await sleep(100);
  }
  const reset = async (): Promise<void> => {
    const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
  };
  return { url, port, reset, stop };
};

/** Dummy credentials and one attempt per call: moto answers unimplemented calls with 500s. */
const motoClientOptions = (url: string) => ({
  endpointUrl: url,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

interface MotoContext {
  /** The endpoint of this file's moto_server; read it inside tests or hooks. */
  readonly url: string;
}

const motoAvailable = (): boolean => findOnPath('moto_server') !== undefined;

interface DescribeWithMotoOptions {
  /** Reset moto before every test (default); `false` for read-only tests sharing one seed. */
  resetEachTest?: boolean;
}

/**
 * A `describe` block backed by a moto_server started once for the block and, by default, reset
 * before each test. Without moto_server: skipped with a loud message locally, a failing test under
 * CI.
 */
const describeWithMoto = (
  name: string,
  body: (moto: MotoContext) => void,
  { resetEachTest = true }: DescribeWithMotoOptions = {},
): void => {
  if (!motoAvailable()) {
    if (process.env.CI) {
      describe(name, () => {
        beforeAll(() => {
          throw new Error(
            'moto_server is not on PATH, but CI is set: integration tests cannot run',
          );
        });
        body({
          get url(): string {
            throw new Error('moto_server is not available');
          },
        });
      });
      return;
    }
    console.warn(
      `\n${'!'.repeat(78)}\n!! SKIPPED "${name}": moto_server is not on PATH. Integration tests did NOT run.\n${'!'.repeat(78)}\n`,
    );
    describe.skip(name, () => body({ url: '' }));
    return;
  }
  describe(name, () => {
    let server: MotoServer | undefined;
    beforeAll(async () => {
      server = await startMoto();
    });
    afterAll(async () => {
      await server?.stop();
    });
    if (resetEachTest) {
      beforeEach(async () => {
        await server?.reset();
      });
    }
    body({
      get url(): string {
        if (!server) throw new Error('moto_server has not started');
        return server.url;
      },
    });
  });
};

export type { DescribeWithMotoOptions, MotoContext, MotoServer };
export { describeWithMoto, motoAvailable, motoClientOptions, startMoto };

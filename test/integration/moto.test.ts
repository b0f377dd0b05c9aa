import { describe, expect, it } from 'vitest';
import { motoAvailable, startMoto } from './moto.js';

// The harness the other integration tests stand on: if it leaks servers or reports ready too
// early, every later failure is noise.
const skipped = !motoAvailable() && !process.env.CI;
if (skipped)
  console.warn('\n!! SKIPPED "moto harness": moto_server is not on PATH. It did NOT run.\n');

describe.skipIf(skipped)('moto harness', () => {
  it('starts moto_server on a free port, resets it, and leaves nothing listening after stop', async () => {
    // Prepare
    const server = await startMoto();

    // Act
    const ready = await fetch(`${server.url}/moto-api/`);
    await server.reset();
    await server.stop();
    const afterStop = await fetch(`${server.url}/moto-api/`).then(
      () => 'answered',
      () => 'refused',
    );

    // Assess
    expect(ready.ok).toBe(true);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(afterStop).toBe('refused');
  });
});

/**
 * Counts AWS API operations per `service:Operation` (one per `send`, retries not included), so the
 * CLI can print what a scan cost and benchmarks can assert O(pages) rather than O(resources).
 */

interface ApiCallTally {
  total: number;
  /** `ec2:DescribeRouteTables` → calls, keys sorted. */
  byOperation: Record<string, number>;
}

/** The part of an SDK v3 middleware stack the counter uses; every client's stack has it. */
interface StackLike {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string; override: boolean },
  ): void;
  remove(name: string): boolean;
}

const MIDDLEWARE_NAME = 'vpceGuardApiCallCounter';

class ApiCallCounter {
  private readonly counts = new Map<string, number>();

  get total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /** Calls of one operation, e.g. `count('ec2:DescribeRouteTables')`. */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.counts.clear();
  }

  toJSON(): ApiCallTally {
    return { total: this.total, byOperation: this.byOperation() };
  }

  /** Adds the counting middleware to a client; adding it twice to one client is a no-op. */
  attach<C extends { middlewareStack: object }>(client: C, service: string): C {
    // The SDK's stack types are generic per client; the counter needs only add/remove.
    const stack = client.middlewareStack as unknown as StackLike;
    stack.remove(MIDDLEWARE_NAME);
    stack.add(
      (next, context) => (args) => {
        const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        this.record(`${service}:${command}`);
        return next(args);
      },
      { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
    );
    return client;
  }
}

const difference = (before: ApiCallTally, after: ApiCallTally): ApiCallTally => {
  const byOperation: Record<string, number> = {};
  for (const [key, count] of Object.entries(after.byOperation)) {
    const delta = count - (before.byOperation[key] ?? 0);
    if (delta > 0) byOperation[key] = delta;
  }
  return { total: after.total - before.total, byOperation };
};

/**
 * Runs `work` and reports the calls it made through clients the counter is attached to. Other work
 * running concurrently on the same clients is counted too, so measure one thing at a time.
 */
const countCalls = async <R>(
  counter: ApiCallCounter,
  work: () => Promise<R>,
): Promise<{ result: R; calls: ApiCallTally }> => {
  const before = counter.toJSON();
  const result = await work();
  return { result, calls: difference(before, counter.toJSON()) };
};

export type { ApiCallTally };
export { ApiCallCounter, countCalls };

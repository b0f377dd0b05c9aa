import { errorMessage, isRetryableAwsError } from '../../engine/aws-errors.js';
import { ReportError } from '../../errors.js';

interface PacingOptions {
  /** Attempts per call including the first (throttling and 5xx only). */
  maxAttempts?: number | undefined;
  /** Base of the exponential backoff, ms. */
  baseDelayMs?: number | undefined;
  /** Minimum time between two calls of this reader, ms: Config's read APIs are rate-limited per account. */
  minIntervalMs?: number | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
  /** Where repeated-token and retry notes go. */
  warn?: ((message: string) => void) | undefined;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls one AWS API with a steady pace and retries: at most one call per `minIntervalMs`, and
 * throttling/5xx answers retried with exponential backoff and full jitter. The SDK's own adaptive
 * retries still apply underneath; this layer keeps a long report run from giving up on a burst.
 */
class PacedCaller {
  readonly #options: Required<Omit<PacingOptions, 'warn'>> & { warn: (message: string) => void };
  #last = Number.NEGATIVE_INFINITY;
  retries = 0;
  calls = 0;

  constructor(options: PacingOptions = {}) {
    this.#options = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 200,
      minIntervalMs: options.minIntervalMs ?? 100,
      sleep: options.sleep ?? defaultSleep,
      now: options.now ?? Date.now,
      warn: options.warn ?? (() => undefined),
    };
  }

  async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    const { maxAttempts, baseDelayMs, minIntervalMs, sleep, now } = this.#options;
    for (let attempt = 1; ; attempt += 1) {
      const wait = this.#last + minIntervalMs - now();
      if (wait > 0) await sleep(wait);
      this.#last = now();
      this.calls += 1;
      try {
        return await send();
      } catch (error) {
        if (!isRetryableAwsError(error) || attempt >= maxAttempts) {
          throw new ReportError(
            `${what} failed${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${errorMessage(error)}`,
            { cause: error },
          );
        }
        this.retries += 1;
        const cap = baseDelayMs * 2 ** (attempt - 1);
        await sleep(Math.floor(Math.random() * cap) + 1);
      }
    }
  }

  /**
   * Follows NextToken until it is absent. Empty pages with a token are normal for Config; a token
   * the service already returned means it is looping, so paging stops there with a warning.
   */
  async *pages<T extends { NextToken?: string | undefined }>(
    what: string,
    fetch: (token: string | undefined) => Promise<T>,
  ): AsyncGenerator<T> {
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.call(what, () => fetch(token));
      yield page;
      token = page.NextToken || undefined;
      if (token !== undefined) {
        if (seen.has(token)) {
          this.#options.warn(`${what}: the service repeated a pagination token; stopped paging`);
          return;
        }
        seen.add(token);
      }
    } while (token !== undefined);
  }
}

export type { PacingOptions };
export { PacedCaller };

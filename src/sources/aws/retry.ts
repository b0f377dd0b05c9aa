/**
 * Standard retries with full-jitter exponential backoff and a per-run retry budget, shared by every
 * client of one client set. Adaptive mode is not used: its client-side rate limiter slows a bulk
 * read 10–14× once a few requests are throttled. The budget bounds what a failing region costs: a
 * few throttled calls are retried freely, an outage stops being retried after a handful of calls.
 */

/** The SDK's retry error classes (`RetryErrorInfo.errorType`). */
type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface RetryBudgetOptions {
  /** Attempts per call, the first included (default 6). */
  maxAttempts?: number | undefined;
  /** Retries always allowed in one run (default 50). */
  baseRetries?: number | undefined;
  /** Further retries allowed per call made (default 0.5: a 50% fault rate is still absorbed). */
  retriesPerCall?: number | undefined;
  /** Backoff base for throttling and for other retryable errors, and the cap (ms). */
  throttlingBaseMs?: number | undefined;
  transientBaseMs?: number | undefined;
  maxDelayMs?: number | undefined;
  random?: (() => number) | undefined;
  now?: (() => number) | undefined;
}

const DEFAULT_MAX_ATTEMPTS = 6;
const MAX_TRANSIENT_RETRIES = 2;

/**
 * Counts the calls and retries of one run and decides whether one more retry is affordable. `reset`
 * starts a new run (a Lambda container reuses its clients across invocations).
 */
class RetryBudget {
  readonly maxAttempts: number;
  private calls = 0;
  private used = 0;
  private exhaustedAt: number | undefined;
  private deadline: number | undefined;
  private readonly options: RetryBudgetOptions;

  constructor(options: RetryBudgetOptions = {}) {
    this.options = options;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  }

  /** Retries made since the last reset. */
  get retries(): number {
    return this.used;
  }

  /** Whether a retry was refused for lack of budget since the last reset. */
  get exhausted(): boolean {
    return this.exhaustedAt !== undefined;
  }

  /** A new run; `deadline` (epoch ms): no retry is started that would sleep past it. */
  reset(deadline?: number): void {
    this.calls = 0;
    this.used = 0;
    this.exhaustedAt = undefined;
    this.deadline = deadline;
  }

  recordCall(): void {
    this.calls += 1;
  }

  /** The delay before the next attempt, or `undefined` when the call must fail now. */
  nextDelay(retryCount: number, errorType: RetryErrorType): number | undefined {
    if (errorType === 'CLIENT_ERROR' || retryCount + 1 >= this.maxAttempts) return undefined;
    // Timeouts and dropped connections cost a whole request timeout each: two retries at most, so
    // an endpoint that never answers fails a call within about three request timeouts.
    if (errorType === 'TRANSIENT' && retryCount >= MAX_TRANSIENT_RETRIES) return undefined;
    const allowed =
      (this.options.baseRetries ?? 50) + (this.options.retriesPerCall ?? 0.5) * this.calls;
    if (this.used >= allowed) {
      this.exhaustedAt ??= this.now();
      return undefined;
    }
    const base =
      errorType === 'THROTTLING'
        ? (this.options.throttlingBaseMs ?? 250)
        : (this.options.transientBaseMs ?? 100);
    const cap = this.options.maxDelayMs ?? 10_000;
    const delay = Math.round(
      (this.options.random ?? Math.random)() * Math.min(cap, base * 2 ** retryCount),
    );
    if (this.deadline !== undefined && this.now() + delay >= this.deadline) return undefined;
    this.used += 1;
    return delay;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

const tokenOf = (retryCount: number, delay: number): RetryToken => ({
  getRetryCount: () => retryCount,
  getRetryDelay: () => delay,
});

/** The SDK's RetryStrategyV2 over a shared budget; the SDK's retry middleware does the sleeping. */
class BudgetedRetryStrategy {
  readonly mode = 'standard';
  private readonly budget: RetryBudget;

  constructor(budget: RetryBudget) {
    this.budget = budget;
  }

  async acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
    this.budget.recordCall();
    return tokenOf(0, 0);
  }

  async refreshRetryTokenForRetry(
    token: RetryToken,
    errorInfo: { errorType: RetryErrorType; retryAfterHint?: Date },
  ): Promise<RetryToken> {
    const delay = this.budget.nextDelay(token.getRetryCount(), errorInfo.errorType);
    if (delay === undefined) throw new Error('No retry token available');
    const hinted = errorInfo.retryAfterHint
      ? Math.min(errorInfo.retryAfterHint.getTime() - Date.now(), delay + 5_000)
      : 0;
    return tokenOf(token.getRetryCount() + 1, Math.max(delay, hinted));
  }

  recordSuccess(_token: RetryToken): void {}
}

export type { RetryBudgetOptions, RetryErrorType };
export { BudgetedRetryStrategy, RetryBudget };

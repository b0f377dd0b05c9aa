import { describe, expect, it } from 'vitest';
import { BudgetedRetryStrategy, RetryBudget } from '../../../src/sources/aws/retry.js';

const fixed = () => 0.5;

describe('RetryBudget', () => {
  it('retries throttling with growing, jittered delays up to the attempt limit', () => {
    const budget = new RetryBudget({ maxAttempts: 4, random: fixed, throttlingBaseMs: 200 });
    budget.recordCall();

    const delays = [0, 1, 2, 3].map((count) => budget.nextDelay(count, 'THROTTLING'));

    expect(delays).toEqual([100, 200, 400, undefined]);
    expect(budget.retries).toBe(3);
  });

  it('never retries a client error, and a timeout at most twice', () => {
    const budget = new RetryBudget({ maxAttempts: 6, random: fixed });
    budget.recordCall();

    expect(budget.nextDelay(0, 'CLIENT_ERROR')).toBeUndefined();
    expect(budget.nextDelay(1, 'TRANSIENT')).toBeDefined();
    expect(budget.nextDelay(2, 'TRANSIENT')).toBeUndefined();
  });

  it('stops retrying once the run has spent its budget, and starts afresh after a reset', () => {
    const budget = new RetryBudget({ baseRetries: 2, retriesPerCall: 0, random: fixed });
    budget.recordCall();

    const spent = [0, 0, 0].map(() => budget.nextDelay(0, 'THROTTLING'));
    budget.reset();
    const afterReset = budget.nextDelay(0, 'THROTTLING');

    expect(spent.map((delay) => delay !== undefined)).toEqual([true, true, false]);
    expect(afterReset).toBeDefined();
    expect(budget.retries).toBe(1);
  });

  it('grows the budget with the calls made, so a long healthy run absorbs scattered throttling', () => {
    const budget = new RetryBudget({ baseRetries: 0, retriesPerCall: 0.5, random: fixed });
    for (let call = 0; call < 10; call += 1) budget.recordCall();

    const granted = Array.from({ length: 6 }, () => budget.nextDelay(0, 'THROTTLING'));

    expect(granted.filter((delay) => delay !== undefined)).toHaveLength(5);
    expect(budget.exhausted).toBe(true);
  });

  it('starts no retry that would sleep past the deadline', () => {
    const budget = new RetryBudget({ random: () => 1, now: () => 1_000 });
    budget.reset(1_100);
    budget.recordCall();

    expect(budget.nextDelay(0, 'THROTTLING')).toBeUndefined();
  });
});

describe('BudgetedRetryStrategy', () => {
  it('hands the SDK tokens that count retries and carry the delay', async () => {
    const strategy = new BudgetedRetryStrategy(new RetryBudget({ random: fixed }));

    const first = await strategy.acquireInitialRetryToken('');
    const second = await strategy.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING' });

    expect(second.getRetryCount()).toBe(1);
    expect(second.getRetryDelay()).toBe(125);
    await expect(
      strategy.refreshRetryTokenForRetry(second, { errorType: 'CLIENT_ERROR' }),
    ).rejects.toThrow(/No retry token/);
  });
});

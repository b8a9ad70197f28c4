import { describe, expect, it } from 'vitest';
import { backoffDelay, retryWithBackoff } from '../../functions/eventsourcing/retry';

describe('retry backoff', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 300 };

  it('grows exponentially with full jitter up to the cap', () => {
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(9);
    expect(backoffDelay(policy, 3, () => 0.999)).toBe(39);
    expect(backoffDelay(policy, 10, () => 0.999)).toBe(299);
    expect(backoffDelay(policy, 10, () => 0)).toBe(0);
  });

  it('starts no retry once the time budget is spent, and throws the last error', async () => {
    let now = 0;
    let attempts = 0;
    const error = await retryWithBackoff(
      { maxAttempts: 1000, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1000 },
      (attempt) => {
        attempts = attempt;
        now += 100; // each attempt takes 100 ms of the budget
        return Promise.reject(new Error(`conflict ${attempt}`));
      },
      { retryable: () => true, now: () => now },
    ).catch((e: unknown) => e);
    expect(attempts).toBe(10);
    expect((error as Error).message).toBe('conflict 10');
  });

  it('stops at the attempt limit and at errors that are not retryable', async () => {
    const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
    let attempts = 0;
    await expect(
      retryWithBackoff(policy, () => Promise.reject(new Error(`try ${++attempts}`)), {
        retryable: () => true,
      }),
    ).rejects.toThrow('try 3');
    attempts = 0;
    await expect(
      retryWithBackoff(policy, () => Promise.reject(new Error(`try ${++attempts}`)), {
        retryable: () => false,
      }),
    ).rejects.toThrow('try 1');
    expect(
      await retryWithBackoff(
        policy,
        (attempt) => (attempt < 3 ? Promise.reject(new Error('again')) : Promise.resolve('done')),
        { retryable: () => true },
      ),
    ).toBe('done');
  });
});

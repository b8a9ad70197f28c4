import { describe, expect, it } from 'vitest';
import { decorrelatedJitter, retryWithBackoff } from '../../functions/eventsourcing/retry';
import { seededRandom as seeded } from '../support/balance-projection';

const policy = { maxAttempts: 1000, baseDelayMs: 5, maxDelayMs: 250 };

describe('decorrelated jitter', () => {
  it('draws between the base and three times the previous delay, never above the cap', () => {
    expect(decorrelatedJitter(policy, 5, () => 0)).toBe(5);
    expect(decorrelatedJitter(policy, 5, () => 0.5)).toBe(10);
    expect(decorrelatedJitter(policy, 40, () => 0.5)).toBe(62.5);
    expect(decorrelatedJitter(policy, 40, () => 0.999_999)).toBeCloseTo(120, 3);
    expect(decorrelatedJitter(policy, 200, () => 0.999_999)).toBe(250);
    // A previous delay below the base (none yet, or a policy changed) still waits the base.
    expect(decorrelatedJitter(policy, 0, () => 0.7)).toBe(5);
  });

  it('keeps every delay of long seeded sequences within its bounds', () => {
    for (const seed of [1, 7, 42, 2026, 65_535]) {
      const random = seeded(seed);
      let previous = policy.baseDelayMs;
      const delays: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const delay = decorrelatedJitter(policy, previous, random);
        expect(delay).toBeGreaterThanOrEqual(policy.baseDelayMs);
        expect(delay).toBeLessThanOrEqual(Math.min(policy.maxDelayMs, previous * 3));
        delays.push(delay);
        previous = delay;
      }
      // Decorrelated: the draws spread over the range instead of settling on the cap.
      expect(Math.max(...delays)).toBeGreaterThan(policy.maxDelayMs * 0.9);
      expect(delays.filter((d) => d < policy.maxDelayMs / 2).length).toBeGreaterThan(100);
    }
  });

  it('is the backoff retryWithBackoff waits, each delay drawn from the one before', async () => {
    const waited: number[] = [];
    await retryWithBackoff(policy, () => Promise.reject(new Error('conflict')), {
      retryable: () => true,
      random: seeded(42),
      sleep: (ms) => {
        waited.push(ms);
        return Promise.resolve();
      },
    }).catch(() => undefined);
    expect(waited).toHaveLength(policy.maxAttempts - 1);
    const random = seeded(42);
    let previous = policy.baseDelayMs;
    const expected = waited.map(() => (previous = decorrelatedJitter(policy, previous, random)));
    expect(waited).toEqual(expected);
  });

  it('makes no retry whose backoff would end past the time budget', async () => {
    let now = 0;
    const waited: number[] = [];
    const error = await retryWithBackoff(
      { ...policy, budgetMs: 1000 },
      (attempt) => {
        now += 10;
        return Promise.reject(new Error(`conflict ${attempt}`));
      },
      {
        retryable: () => true,
        now: () => now,
        random: seeded(7),
        sleep: (ms) => {
          waited.push(ms);
          now += ms;
          return Promise.resolve();
        },
      },
    ).catch((e: unknown) => e);
    expect(now).toBeLessThanOrEqual(1000);
    expect(waited.length).toBeGreaterThan(3);
    expect((error as Error).message).toBe(`conflict ${waited.length + 1}`);
  });
});

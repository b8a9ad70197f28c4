export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Time the attempts may take in all, measured from the first: no retry starts after it is
   * spent, so a hot stream answers with a conflict instead of running into the caller's timeout.
   */
  readonly budgetMs?: number;
}

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * "Full jitter" exponential backoff: spreads retrying writers so they stop colliding. For loops
 * that count attempts themselves; `retryWithBackoff` uses `decorrelatedJitter`.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * "Decorrelated jitter" backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): the
 * next delay is drawn between the base delay and three times the previous one, never above the
 * cap: `min(cap, random_between(base, previous * 3))`, the first drawn after `previous = base`.
 * Delays grow about threefold while writers keep colliding, yet every delay is drawn afresh from
 * a wide range, so writers that collided once do not collide again in lockstep, and none waits
 * less than the base.
 */
export function decorrelatedJitter(
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  previousMs: number,
  random: () => number = Math.random,
): number {
  const low = policy.baseDelayMs;
  const high = Math.max(low, previousMs * 3);
  return Math.min(policy.maxDelayMs, low + random() * (high - low));
}

export interface RetryOptions {
  /** Whether a failure of an attempt may be retried; anything else is thrown at once. */
  readonly retryable: (error: unknown) => boolean;
  /** Runs after the backoff, before the next attempt; what it throws ends the retries. */
  readonly beforeRetry?: (error: unknown) => Promise<void>;
  readonly now?: () => number;
  /** Draws the jitter; `Math.random` unless a test seeds its own. */
  readonly random?: () => number;
  /** Waits out a backoff; a real timer unless a test records the delays instead. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or the policy's
 * attempts or time budget are spent (then the last error is thrown). Between attempts it waits a
 * decorrelated-jitter backoff; a retry whose backoff would end past the budget is not made.
 */
export async function retryWithBackoff<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const deadline = now() + (policy.budgetMs ?? Infinity);
  let delay = policy.baseDelayMs;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!options.retryable(error) || attemptNumber >= policy.maxAttempts) throw error;
      delay = decorrelatedJitter(policy, delay, options.random);
      if (now() + delay >= deadline) throw error;
      await (options.sleep ?? sleep)(delay);
      await options.beforeRetry?.(error);
    }
  }
}

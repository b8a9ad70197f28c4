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

/** "Full jitter" exponential backoff: spreads retrying writers so they stop colliding. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  /** Whether a failure of an attempt may be retried; anything else is thrown at once. */
  readonly retryable: (error: unknown) => boolean;
  /** Runs after the backoff, before the next attempt; what it throws ends the retries. */
  readonly beforeRetry?: (error: unknown) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or the policy's
 * attempts or time budget are spent (then the last error is thrown). Between attempts it waits a
 * jittered backoff, never past the budget.
 */
export async function retryWithBackoff<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const deadline = now() + (policy.budgetMs ?? Infinity);
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!options.retryable(error) || attemptNumber >= policy.maxAttempts) throw error;
      const delay = backoffDelay(policy, attemptNumber);
      if (now() + delay >= deadline) throw error;
      await sleep(delay);
      await options.beforeRetry?.(error);
    }
  }
}

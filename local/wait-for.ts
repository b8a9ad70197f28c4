import { sleep } from '../functions/eventsourcing/retry';

/** Polls `check` until it returns a value other than undefined, or fails at the deadline. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    description: string;
    /** Errors for which waiting longer cannot help. */
    isFatal?: (error: unknown) => boolean;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (options.isFatal?.(error)) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(
        `Timed out after ${options.timeoutMs} ms waiting for ${options.description}${reason}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}

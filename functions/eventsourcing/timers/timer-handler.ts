import { InvalidTimerInputError } from './timer-errors.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The Lambda handler of the timer target. EventBridge Scheduler invokes it with the schedule's
 * JSON input as the event (a string of JSON is parsed too) and `deliver` gets that object.
 * Whatever throws, a malformed input included, fails the invocation: Scheduler retries it per
 * the schedule's retry policy, then sends it to the dead-letter queue.
 */
export function createTimerHandler(
  deliver: (input: Record<string, unknown>) => Promise<void>,
): (event: unknown) => Promise<void> {
  return async (event) => {
    const input: unknown = typeof event === 'string' ? parseJson(event) : event;
    if (!isRecord(input)) throw new InvalidTimerInputError('A timer input must be a JSON object');
    await deliver(input);
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidTimerInputError('A timer input must be well-formed JSON');
  }
}

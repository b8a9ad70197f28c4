import { deepStrictEqual, fail, ok } from 'node:assert/strict';
import type { Decider } from './decider.js';
import { fold } from './decider.js';
import type { NewEvent } from './types.js';

/** The error expected: its `code`, or its class. */
export type ErrorMatcher = string | (new (...args: never[]) => Error);

const describe = (value: unknown) => JSON.stringify(value);

/** Runs `run`, which must throw an error that `matcher` accepts; returns that error. */
export function expectThrows(run: () => unknown, matcher: ErrorMatcher): Error {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    ok(error instanceof Error, `threw a non-error: ${describe(error)}`);
    if (typeof matcher === 'string') {
      deepStrictEqual((error as Error & { code?: unknown }).code, matcher);
    } else {
      ok(error instanceof matcher, `expected ${matcher.name}, got ${error.name}`);
    }
    return error;
  }
  fail(`expected a throw, got ${describe(result)}`);
}

/**
 * Given/when/then for deciders:
 * `given(decider, pastEvents).when(command).then(expectedEvents)` or `.thenThrows(code)`.
 */
export function given<Command, State, Event extends NewEvent>(
  decider: Decider<Command, State, Event>,
  history: readonly Event[] = [],
) {
  const state = fold(decider, decider.initialState, history);
  return {
    when(command: Command) {
      const run = () => decider.decide(command, state);
      return {
        then(expected: readonly Event[]): readonly Event[] {
          const events = run();
          deepStrictEqual(events, expected);
          return events;
        },
        thenThrows: (matcher: ErrorMatcher): Error => expectThrows(run, matcher),
      };
    },
    /** The state the history folds into, for assertions on `evolve`. */
    state,
  };
}

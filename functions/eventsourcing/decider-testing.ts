import { deepStrictEqual, fail, ok } from 'node:assert/strict';
import type { Decider } from './decider';
import { fold } from './decider';
import type { NewEvent } from './types';

type ErrorMatcher = string | (new (...args: never[]) => Error);

const describe = (value: unknown) => JSON.stringify(value);

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
        thenThrows(matcher: ErrorMatcher): Error {
          let events: readonly Event[];
          try {
            events = run();
          } catch (error) {
            ok(error instanceof Error, `decide threw a non-error: ${describe(error)}`);
            if (typeof matcher === 'string') {
              deepStrictEqual((error as Error & { code?: unknown }).code, matcher);
            } else {
              ok(error instanceof matcher, `expected ${matcher.name}, got ${error.name}`);
            }
            return error;
          }
          fail(`expected decide to throw, it returned ${describe(events)}`);
        },
      };
    },
    /** The state the history folds into, for assertions on `evolve`. */
    state,
  };
}

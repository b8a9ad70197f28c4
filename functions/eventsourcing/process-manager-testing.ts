import { deepStrictEqual } from 'node:assert/strict';
import type { LoadedAggregate } from './aggregate-repository.js';
import { fold, type Decider } from './decider.js';
import { expectThrows, type ErrorMatcher } from './decider-testing.js';
import type { StreamAppend } from './event-store-options.js';
import type { NewEvent } from './types.js';

/** A stream as a process manager reads it: where it is and the state it folds into. */
export type LoadedStream<State> = Pick<LoadedAggregate<State>, 'streamId' | 'version' | 'state'>;

/** A stream whose history is `history`, loaded through its decider's `evolve`. */
export function streamOf<State, Event extends NewEvent>(
  decider: Pick<Decider<never, State, Event>, 'initialState' | 'evolve'>,
  streamId: string,
  history: readonly Event[] = [],
): LoadedStream<State> {
  return {
    streamId,
    version: history.length,
    state: fold(decider, decider.initialState, history),
  };
}

/**
 * Given/when/then for process managers, whose step is a pure function from the streams it
 * loaded to the appends it makes (several streams in one atomic append):
 * `givenStreams({ transfer, source }).when(step).then(expectedAppends)`, `.thenNothing()` or
 * `.thenThrows(code)`; `.appends()` for partial matches.
 */
export function givenStreams<Streams>(streams: Streams) {
  return {
    when(step: (streams: Streams) => readonly StreamAppend[]) {
      const run = () => step(streams);
      const then = (expected: readonly StreamAppend[]): readonly StreamAppend[] => {
        const appends = run();
        deepStrictEqual(appends, expected);
        return appends;
      };
      return {
        /** The appends the step makes, for assertions of the caller's own. */
        appends: run,
        then,
        /** The process has nothing left to do. */
        thenNothing: () => then([]),
        thenThrows: (matcher: ErrorMatcher): Error => expectThrows(run, matcher),
      };
    },
  };
}

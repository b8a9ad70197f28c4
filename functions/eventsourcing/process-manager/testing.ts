import { deepStrictEqual } from 'node:assert/strict';
import type { RecordedEvent } from '../types.js';
import type { ProcessStreamEvent } from './process-events.js';
import type { ProcessInput, ProcessManager, ProcessOutput } from './definition.js';
import {
  decideInput,
  evolveInstance,
  newInstance,
  type InputDecision,
  type ProcessInstance,
} from './instance.js';

/** An instance that applied `inputs` in order, as its runtime would have recorded them. */
function applyAll<Event extends RecordedEvent, State>(
  definition: ProcessManager<Event, State>,
  inputs: readonly ProcessInput<Event>[],
): ProcessInstance<State> {
  let instance = newInstance(`process-${definition.name}-test`, definition.initialState);
  for (const input of inputs) {
    const decision = decideInput(definition, instance, input);
    if ('skip' in decision) continue;
    instance = evolveInstance(definition, instance, {
      type: 'ProcessInputApplied',
      data: decision as unknown as ProcessStreamEvent['data'],
      version: instance.version + 1,
      eventId: `test-${instance.version + 1}`,
      metadata: {},
    });
  }
  return instance;
}

/**
 * Given/when/then for process managers, without a database: the inputs it applied before, the
 * input now, the outputs it decides (`then`), or why it skips the input (`thenSkips`: applied
 * before, not started, completed, a stale timer). `instance()` is the instance afterwards: its
 * state, pending commands and timers. The runtime's own rules (duplicates, completion, timers
 * cancelled on completion) apply as they do over DynamoDB.
 */
export function givenProcess<Event extends RecordedEvent, State>(
  definition: ProcessManager<Event, State>,
  ...history: ProcessInput<Event>[]
) {
  return {
    when(input: ProcessInput<Event>) {
      const decide = (): InputDecision =>
        decideInput(definition, applyAll(definition, history), input);
      return {
        /** The outputs decided, for assertions of the caller's own. */
        outputs(): readonly ProcessOutput[] {
          const decision = decide();
          if ('skip' in decision) throw new Error(`The input was skipped: ${decision.skip}`);
          return decision.outputs;
        },
        then(expected: readonly ProcessOutput[]): void {
          deepStrictEqual(this.outputs(), expected);
        },
        thenSkips(reason: Extract<InputDecision, { skip: string }>['skip']): void {
          deepStrictEqual(decide(), { skip: reason });
        },
        /** The instance after the input. */
        instance: (): ProcessInstance<State> => applyAll(definition, [...history, input]),
      };
    },
  };
}

import { DomainError, type Decider } from '../../functions/eventsourcing';

/** A small decider used to test the framework itself. */
export type CounterEvent =
  | { type: 'Incremented'; data: { by: number } }
  | { type: 'Decremented'; data: { by: number } }
  | { type: 'Reset'; data: Record<string, never> };

export type CounterCommand =
  { type: 'increment'; by: number } | { type: 'decrement'; by: number } | { type: 'reset' };

export interface CounterState {
  readonly value: number;
  readonly operations: number;
}

export const counter: Decider<CounterCommand, CounterState, CounterEvent> = {
  initialState: { value: 0, operations: 0 },
  evolve(state, event) {
    switch (event.type) {
      case 'Incremented':
        return { value: state.value + event.data.by, operations: state.operations + 1 };
      case 'Decremented':
        return { value: state.value - event.data.by, operations: state.operations + 1 };
      case 'Reset':
        return { value: 0, operations: state.operations + 1 };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'increment':
        return [{ type: 'Incremented', data: { by: command.by } }];
      case 'decrement':
        if (state.value - command.by < 0) {
          throw new DomainError('BelowZero', `cannot go below zero from ${state.value}`);
        }
        return [{ type: 'Decremented', data: { by: command.by } }];
      case 'reset':
        return state.value === 0 ? [] : [{ type: 'Reset', data: {} }];
    }
  },
};

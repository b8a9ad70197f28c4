import { describe, expect, it } from 'vitest';
import { DomainError } from '../../functions/eventsourcing';
import { given } from '../../functions/eventsourcing/testing';
import { counter } from '../support/counter';

describe('given/when/then for deciders (no database)', () => {
  it('decides from the state its history folds into', () => {
    given(counter, [{ type: 'Incremented', data: { by: 5 } }])
      .when({ type: 'decrement', by: 2 })
      .then([{ type: 'Decremented', data: { by: 2 } }]);
  });

  it('reports a business rule violation by code', () => {
    const error = given(counter, [{ type: 'Incremented', data: { by: 1 } }])
      .when({ type: 'decrement', by: 2 })
      .thenThrows('BelowZero');
    expect(error.message).toContain('below zero');
  });

  it('reports a business rule violation by class', () => {
    given(counter, [{ type: 'Incremented', data: { by: 1 } }])
      .when({ type: 'decrement', by: 2 })
      .thenThrows(DomainError);
  });

  it('fails loudly when the decider decides other events', () => {
    expect(() =>
      given(counter)
        .when({ type: 'increment', by: 1 })
        .then([{ type: 'Incremented', data: { by: 2 } }]),
    ).toThrow();
  });

  it('fails loudly when the decider does not throw', () => {
    expect(() => given(counter).when({ type: 'increment', by: 1 }).thenThrows('BelowZero')).toThrow(
      /expected a throw/,
    );
  });

  it('fails loudly when the decider throws another error', () => {
    expect(() =>
      given(counter).when({ type: 'decrement', by: 1 }).thenThrows('SomethingElse'),
    ).toThrow();
  });

  it('exposes the folded state', () => {
    const { state } = given(counter, [
      { type: 'Incremented', data: { by: 5 } },
      { type: 'Reset', data: {} },
      { type: 'Incremented', data: { by: 2 } },
    ]);
    expect(state).toEqual({ value: 2, operations: 3 });
  });

  it('decides nothing for a no-op', () => {
    given(counter).when({ type: 'reset' }).then([]);
  });
});

import { describe, expect, it } from 'vitest';
import { DomainError, type StreamAppend } from '../../functions/eventsourcing';
import { givenStreams, streamOf } from '../../functions/eventsourcing/testing';
import { counter, type CounterState } from '../support/counter';
import type { LoadedStream } from '../../functions/eventsourcing/testing';

/** A process that moves a counter's value to another counter, refusing to move nothing. */
function moveAll({
  from,
  to,
}: {
  from: LoadedStream<CounterState>;
  to: LoadedStream<CounterState>;
}) {
  const by = from.state.value;
  if (by === 0) throw new DomainError('NothingToMove', `${from.streamId} is at zero`);
  return [
    {
      streamId: from.streamId,
      expectedVersion: from.version,
      events: [{ type: 'Reset', data: {} }],
    },
    {
      streamId: to.streamId,
      expectedVersion: to.version,
      events: [{ type: 'Incremented', data: { by } }],
    },
  ] satisfies StreamAppend[];
}

const streams = (value: number) => ({
  from: streamOf(counter, 'counter-a', value ? [{ type: 'Incremented', data: { by: value } }] : []),
  to: streamOf(counter, 'counter-b'),
});

describe('given/when/then for process managers (no database)', () => {
  it('loads each stream at the version its history reaches', () => {
    expect(streamOf(counter, 'c', [{ type: 'Incremented', data: { by: 2 } }])).toEqual({
      streamId: 'c',
      version: 1,
      state: { value: 2, operations: 1 },
    });
  });

  it('checks the appends a step makes', () => {
    givenStreams(streams(3))
      .when(moveAll)
      .then([
        { streamId: 'counter-a', expectedVersion: 1, events: [{ type: 'Reset', data: {} }] },
        {
          streamId: 'counter-b',
          expectedVersion: 0,
          events: [{ type: 'Incremented', data: { by: 3 } }],
        },
      ]);
  });

  it('fails loudly when the step appends something else', () => {
    expect(() => givenStreams(streams(3)).when(moveAll).thenNothing()).toThrow();
  });

  it('reports a refusal by code', () => {
    const error = givenStreams(streams(0)).when(moveAll).thenThrows('NothingToMove');
    expect(error.message).toContain('counter-a');
  });

  it('fails loudly when the step does not throw', () => {
    expect(() => givenStreams(streams(3)).when(moveAll).thenThrows('NothingToMove')).toThrow(
      /expected a throw/,
    );
  });
});

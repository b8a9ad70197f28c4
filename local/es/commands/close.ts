import { ConcurrencyError, StreamClosedError } from '../../../functions/eventsourcing';
import { emit, requiredPositional, UsageError, type EsCommand } from '../command';

export const close: EsCommand = {
  name: 'close',
  summary: 'close a stream for good with its tombstone',
  usage: `close STREAM --reason TEXT

  Appends the stream's tombstone (StreamClosed, with the reason and the operator as actor) and
  closes its head in one transaction: every later append is refused (StreamClosed, HTTP 410),
  its owner's reads answer 410, operators still read it, and the archiver archives it on its
  next run.`,
  options: {
    reason: { type: 'string' },
  },
  async run(input, context) {
    const streamId = requiredPositional(input, 'STREAM');
    const reason = input.values.reason;
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new UsageError('--reason is required: why the stream is closed for good');
    }
    let closed;
    try {
      closed = await context.store.close(streamId, reason.trim(), {
        expectedVersion: 'stream_exists',
        metadata: { actor: `operator:${process.env.USER ?? 'unknown'}` },
      });
    } catch (error) {
      // Already closed, or no such stream: said plainly, nothing written.
      if (!(error instanceof StreamClosedError || error instanceof ConcurrencyError)) throw error;
      context.io.print(error.message);
      return 1;
    }
    emit(context.io, closed, (result) => [
      `Closed ${result.streamId} at version ${result.version}`,
    ]);
    return 0;
  },
};

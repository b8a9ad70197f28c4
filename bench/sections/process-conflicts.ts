import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { processEvents } from '../../functions/eventsourcing/process-manager/process-events';

type Send = (this: DynamoDBClient, command: unknown, ...rest: unknown[]) => Promise<unknown>;

/** Whether a transaction writes an item of a process instance's stream. */
function writesInstance(command: TransactWriteItemsCommand): boolean {
  return (command.input.TransactItems ?? []).some((action) => {
    const streamId = action.Put?.Item?.streamId?.S;
    return streamId !== undefined && processEvents.owns(streamId);
  });
}

/**
 * Runs `body` counting the transactions on process instances' streams that DynamoDB cancels,
 * sent by any DynamoDB client of this process: the process runtime builds its own client inside
 * the stack, so the count hooks the client class rather than one client. In the runtime each
 * such cancellation is a lost race (`ConcurrencyError`) that it retries from a fresh load.
 */
export async function countingCancelledInstanceWrites<T>(
  body: () => Promise<T>,
): Promise<{ readonly result: T; readonly cancelled: number }> {
  const prototype = DynamoDBClient.prototype as unknown as { send: Send };
  const original = prototype.send;
  let cancelled = 0;
  prototype.send = function (command, ...rest) {
    const sent = original.call(this, command, ...rest);
    if (command instanceof TransactWriteItemsCommand && writesInstance(command)) {
      sent.catch((error: unknown) => {
        if (error instanceof Error && error.name === 'TransactionCanceledException') cancelled++;
      });
    }
    return sent;
  };
  try {
    return { result: await body(), cancelled };
  } finally {
    prototype.send = original;
  }
}

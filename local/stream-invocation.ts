import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { logger } from '../functions/eventsourcing';
import { lambdaContext } from './lambda-context';
import type { StreamHandler } from './stream-runner-options';

/** What one invocation of a stream handler came to, in Lambda's terms. */
export type InvocationResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly failedIndex: number;
      readonly functionError: boolean;
      readonly error: string;
    };

/** The function a stream runner invokes, as Lambda would configure it. */
export interface StreamFunction {
  readonly handler: StreamHandler;
  readonly functionName: string;
  /** Names the runner in the log. */
  readonly consumer: string;
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
}

export const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;

/** Invokes the handler with one batch, timed out like the function would be. */
export async function invokeStreamHandler(
  fn: StreamFunction,
  records: DynamoDBRecord[],
): Promise<InvocationResult> {
  const timeoutMs = (fn.timeoutSeconds ?? 60) * 1000;
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    const response = await Promise.race([
      fn.handler(
        { Records: records },
        lambdaContext(fn.functionName, fn.memoryMb ?? 512, deadline),
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)),
          timeoutMs,
        );
      }),
    ]);
    return interpret(records, response);
  } catch (error) {
    logger.warn('Stream handler failed', { consumer: fn.consumer, error });
    return { ok: false, failedIndex: 0, functionError: true, error: String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Partial batch response semantics of Lambda for streams. */
function interpret(
  records: DynamoDBRecord[],
  response: DynamoDBBatchResponse | void | undefined,
): InvocationResult {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return { ok: true };
  const indexes = failures.map((failure) =>
    records.findIndex((record) => sequenceOf(record) === failure.itemIdentifier),
  );
  const error = `batchItemFailures: ${failures.map((failure) => failure.itemIdentifier).join(', ')}`;
  // An empty, null or unknown identifier makes the whole batch a failure.
  if (indexes.some((index) => index < 0)) {
    return { ok: false, failedIndex: 0, functionError: false, error };
  }
  return { ok: false, failedIndex: Math.min(...indexes), functionError: false, error };
}

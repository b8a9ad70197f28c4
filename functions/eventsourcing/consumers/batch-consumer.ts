import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * A consumer that takes each batch whole, as stored and in the order the stream delivered it,
 * and keeps its own idempotency instead of the host's version guards: the global log's indexer,
 * which appends a batch's events of many streams as one page. Whatever it reports as failed is
 * delivered again to every consumer of the host, whose guards skip what they already did.
 */
export interface BatchConsumer {
  readonly name: string;
  consume(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse>;
}

export const isBatchConsumer = (consumer: object): consumer is BatchConsumer =>
  'consume' in consumer;

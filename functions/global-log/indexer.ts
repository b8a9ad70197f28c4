import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createGlobalLogIndexerHandler } from '../eventsourcing';
import { once } from '../http/once';
import { globalLogTablesFromEnv } from './tables';

const indexer = once(() => createGlobalLogIndexerHandler({ tables: globalLogTablesFromEnv() }));

/** Stream consumer `globalLogIndexer` (see `functions/system.ts`). */
export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  indexer()(event);

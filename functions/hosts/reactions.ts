import { toDomainEvent } from '../domain-events';
import { createConsumerHost } from '../eventsourcing/hosts';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { createGlobalLogIndexerHandler } from '../eventsourcing/global-log';
import { EVENT_BUS_NAME_VARIABLE, tableNameFromEnv } from '../eventsourcing/declaration';
import { globalLogTablesFromEnv } from '../global-log/tables';
import { GLOBAL_LOG_INDEXER } from '../infrastructure';
import { once } from '../eventsourcing/http';
import { createEventBridgeClient } from '../integration/eventbridge-client';
import { integrationEventPublisher } from '../integration/publisher';
import { streamHosts } from '../system';
import { transferProcessReaction } from '../transfers/process-reaction';
import { TransferProcess } from '../transfers/service';
import { declaredConsumers } from './declared-consumers';

const transferProcess = once(() => new TransferProcess(storageFromEnv(createDynamoDbClient())));

const eventBridge = once(() => {
  const eventBusName = process.env[EVENT_BUS_NAME_VARIABLE];
  if (!eventBusName) {
    throw new Error(`Environment variable ${EVENT_BUS_NAME_VARIABLE} (the event bus) is not set`);
  }
  return { client: createEventBridgeClient(), eventBusName };
});

const globalLogIndexer = once(() =>
  createGlobalLogIndexerHandler({
    tables: globalLogTablesFromEnv(),
    // A stream with a hole is parked, not retried: it would hold every reaction with it.
    parking: { consumer: GLOBAL_LOG_INDEXER, tableName: tableNameFromEnv('parkedStreams') },
  }),
);

/**
 * Stream host `reactions` (see `functions/system.ts`): the transfer process manager, the
 * integration-event publisher and the global log's indexer.
 */
export const handler = createConsumerHost({
  consumers: declaredConsumers(streamHosts.reactions, {
    'transfer-process': transferProcessReaction(transferProcess),
    'integration-publisher': integrationEventPublisher(eventBridge),
    [GLOBAL_LOG_INDEXER]: {
      name: GLOBAL_LOG_INDEXER,
      consume: (event) => globalLogIndexer()(event),
    },
  }),
  decode: toDomainEvent,
  // A transfer step waits on DynamoDB round trips and conflict backoff: every stream of a batch
  // runs at once.
  concurrency: streamHosts.reactions.batchSize,
});

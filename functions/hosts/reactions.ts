import { toDomainEvent } from '../domain-events';
import { createConsumerHost, declaredConsumers } from '../eventsourcing/hosts';
import { createGlobalLogIndexerHandler } from '../eventsourcing/global-log';
import { EVENT_BUS_NAME_VARIABLE, tableNameFromEnv } from '../eventsourcing/declaration';
import { globalLogTablesFromEnv } from '../global-log/tables';
import { GLOBAL_LOG_INDEXER } from '../infrastructure';
import { once } from '../eventsourcing/http';
import { createEventBridgeClient } from '../integration/eventbridge-client';
import { integrationEventPublisher } from '../integration/publisher';
import { streamHosts } from '../system';

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
 * Stream host `reactions` (see `functions/system.ts`): every reaction and process manager the
 * contexts' modules declare, built by their own `create`, and the system's own: the
 * integration-event publisher and the global log's indexer.
 */
export const handler = createConsumerHost({
  consumers: declaredConsumers(streamHosts.reactions, {
    'integration-publisher': integrationEventPublisher(eventBridge),
    [GLOBAL_LOG_INDEXER]: {
      name: GLOBAL_LOG_INDEXER,
      consume: (event) => globalLogIndexer()(event),
    },
  }),
  decode: toDomainEvent,
  // Reactions wait on round trips (a process manager's appends and their conflict backoff,
  // PutEvents): every stream of a batch runs at once.
  concurrency: streamHosts.reactions.batchSize,
});

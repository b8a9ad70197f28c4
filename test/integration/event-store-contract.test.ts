import { describe } from 'vitest';
import { EventStore } from '../../functions/eventsourcing';
import { createTestTables } from '../support/dynamodb';
import { eventStoreContract } from '../support/event-store-contract';
import { putStoredEvent, storedVersions } from '../support/stored-items';
import { storeTestEvents } from '../support/test-events';

describe('the DynamoDB event store keeps the event store contract', () => {
  eventStoreContract(async () => {
    const { client, names } = await createTestTables();
    return {
      newStore: ({ raw = false } = {}) =>
        new EventStore({
          client,
          tableName: names.events,
          ...(raw ? {} : { catalogue: storeTestEvents }),
        }),
      storedVersions: (streamId) => storedVersions(client, names.events, streamId),
      putStored: (event) => putStoredEvent(client, names.events, event),
    };
  });
});

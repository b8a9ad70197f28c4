import * as z from 'zod';
import { EventCatalogue } from '../../functions/eventsourcing';

/** Events of the test-only counter decider (`./counter`). */
export const counterEventSchemas = {
  Incremented: z.object({ by: z.int() }),
  Decremented: z.object({ by: z.int() }),
  Reset: z.object({}),
};

export const counterEvents = EventCatalogue.of(counterEventSchemas);

/** Events of the test-only balances projection (`./balance-projection`). */
export const balanceEvents = EventCatalogue.of({
  Opened: z.object({ owner: z.string() }),
  Deposited: z.object({ amount: z.number() }),
  Withdrawn: z.object({ amount: z.number() }),
  Closed: z.object({}),
});

/** Events the event store's own tests write. */
export const storeTestEvents = EventCatalogue.of({
  Happened: z.object({ n: z.int() }),
  Opened: z.object({ owner: z.string() }),
  Raced: z.object({ writer: z.int() }),
  Once: z.object({}),
  Big: z.object({ blob: z.string() }),
  Huge: z.object({ blob: z.string() }),
  Chunk: z.object({ blob: z.string() }),
  Debited: z.object({ n: z.int() }),
  Started: z.object({ n: z.int() }),
});

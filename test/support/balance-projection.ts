import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type {
  Projection,
  ProjectionContext,
  ReadModelItem,
  ReadModelWrite,
  RecordedEvent,
} from '../../functions/eventsourcing';
import type { TableDeclaration } from '../../functions/eventsourcing/declaration';
import { createTableInput } from '../../local/tables';

/** Events of the test-only "balances" projection. */
export type BalanceEvent =
  | RecordedEvent<'Opened', { owner: string }>
  | RecordedEvent<'Deposited', { amount: number }>
  | RecordedEvent<'Withdrawn', { amount: number }>
  | RecordedEvent<'Closed', Record<string, never>>;

/** A read-model table like the declared ones (pk/sk), created only for a test file. */
const readModelDeclaration: TableDeclaration = {
  description: 'Test-only read model.',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  durability: 'derived',
};

export async function createReadModelTable(client: DynamoDBClient): Promise<string> {
  const name = `test-balances-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateTableCommand(createTableInput(name, readModelDeclaration)));
  return name;
}

export interface BalanceProjectionOptions {
  /** Events for which apply throws, to play a poison event (and its fix). */
  readonly isPoison?: (event: RecordedEvent) => boolean;
  readonly name?: string;
}

/**
 * A small projection exercising every kind of write: read-modify-write `put`s (deposits and
 * withdrawals), an index item per owner, an `update` and a `delete` (closing).
 */
export function balanceProjection(
  options: BalanceProjectionOptions = {},
): Projection<BalanceEvent> {
  return {
    name: options.name ?? 'balances',
    // The test table is not declared in the system; tests pass its physical name explicitly.
    readModel: 'testBalances',
    handles: ['Opened', 'Deposited', 'Withdrawn', 'Closed'],
    async apply(event, context) {
      if (options.isPoison?.(event)) throw new Error(`cannot project ${event.eventId}`);
      return balanceWrites(event, context);
    },
  };
}

const summaryKey = (streamId: string) => ({ pk: `account#${streamId}`, sk: 'summary' });

async function balanceWrites(
  event: BalanceEvent,
  context: ProjectionContext,
): Promise<ReadModelWrite[]> {
  switch (event.type) {
    case 'Opened':
      return [
        {
          put: { ...summaryKey(event.streamId), owner: event.data.owner, balance: 0, deposits: 0 },
        },
        { put: { pk: `owner#${event.data.owner}`, sk: `account#${event.streamId}` } },
      ];
    case 'Deposited':
    case 'Withdrawn':
      return [{ put: await movedSummary(event, context) }];
    case 'Closed': {
      const key = summaryKey(event.streamId);
      const summary = await context.get(key);
      return [
        { update: { key, updateExpression: 'SET closed = :yes', values: { ':yes': true } } },
        {
          delete: { pk: `owner#${summary?.owner as string}`, sk: `account#${event.streamId}` },
        },
      ];
    }
  }
}

/** The account's summary once the deposit or withdrawal is counted (read-modify-write). */
async function movedSummary(
  event: Extract<BalanceEvent, { type: 'Deposited' | 'Withdrawn' }>,
  context: ProjectionContext,
): Promise<ReadModelItem> {
  const summary = await context.get(summaryKey(event.streamId));
  if (!summary) throw new Error(`no account ${event.streamId}`);
  const deposit = event.type === 'Deposited';
  return {
    ...summary,
    balance: (summary.balance as number) + (deposit ? 1 : -1) * event.data.amount,
    deposits: (summary.deposits as number) + (deposit ? 1 : 0),
  };
}

/** The read model `balanceProjection` must produce for the given events, computed directly. */
export function expectedBalances(events: readonly RecordedEvent[]): Map<string, object> {
  const items = new Map<string, Record<string, unknown>>();
  const ordered = [...events].sort(
    (a, b) => a.streamId.localeCompare(b.streamId) || a.version - b.version,
  );
  for (const event of ordered) {
    const summaryId = `account#${event.streamId}|summary`;
    const summary = items.get(summaryId);
    const amount = (event.data as { amount?: number }).amount ?? 0;
    switch (event.type) {
      case 'Opened': {
        const owner = (event.data as { owner: string }).owner;
        items.set(summaryId, { owner, balance: 0, deposits: 0 });
        items.set(`owner#${owner}|account#${event.streamId}`, {});
        break;
      }
      case 'Deposited':
        items.set(summaryId, {
          ...summary,
          balance: (summary!.balance as number) + amount,
          deposits: (summary!.deposits as number) + 1,
        });
        break;
      case 'Withdrawn':
        items.set(summaryId, { ...summary, balance: (summary!.balance as number) - amount });
        break;
      case 'Closed':
        items.set(summaryId, { ...summary, closed: true });
        items.delete(`owner#${summary!.owner as string}|account#${event.streamId}`);
        break;
    }
  }
  return items;
}

/** A seeded pseudo-random generator (mulberry32), so failures can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface AccountHistory {
  readonly streamId: string;
  readonly events: { type: BalanceEvent['type']; data: Record<string, unknown> }[];
}

/** Random account histories (exactly `events` events): opened, then deposits and withdrawals,
 * about one in ten closed at the end. */
export function randomHistories(
  random: () => number,
  options: { streams: number; events: number; prefix: string },
): AccountHistory[] {
  const histories: AccountHistory[] = Array.from({ length: options.streams }, (_, i) => ({
    streamId: `${options.prefix}-${i}`,
    events: [{ type: 'Opened', data: { owner: `owner-${Math.floor(random() * 20)}` } }],
  }));
  const closing = histories.filter(() => random() < 0.1);
  for (let made = options.streams + closing.length; made < options.events; made++) {
    const history = histories[Math.floor(random() * histories.length)]!;
    const amount = 1 + Math.floor(random() * 100);
    history.events.push({ type: random() < 0.6 ? 'Deposited' : 'Withdrawn', data: { amount } });
  }
  for (const history of closing) history.events.push({ type: 'Closed', data: {} });
  return histories;
}

import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Projection, RecordedEvent } from '../../functions/eventsourcing';
import type { TableDeclaration, TableKey } from '../../functions/system';
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
 * A small projection exercising every kind of write: a read-modify-write `put` (deposits), an
 * atomic `update` (withdrawals), an index item per owner, and a `delete` (closing).
 */
export function balanceProjection(
  options: BalanceProjectionOptions = {},
): Projection<BalanceEvent> {
  return {
    name: options.name ?? 'balances',
    // The test table is not declared in the system; tests pass its physical name explicitly.
    readModel: 'testBalances' as TableKey,
    handles: ['Opened', 'Deposited', 'Withdrawn', 'Closed'],
    async apply(event, context) {
      if (options.isPoison?.(event)) throw new Error(`cannot project ${event.eventId}`);
      const key = { pk: `account#${event.streamId}`, sk: 'summary' };
      switch (event.type) {
        case 'Opened':
          return [
            { put: { ...key, owner: event.data.owner, balance: 0, deposits: 0 } },
            { put: { pk: `owner#${event.data.owner}`, sk: `account#${event.streamId}` } },
          ];
        case 'Deposited': {
          const summary = await context.get(key);
          if (!summary) throw new Error(`no account ${event.streamId}`);
          return [
            {
              put: {
                ...summary,
                balance: (summary.balance as number) + event.data.amount,
                deposits: (summary.deposits as number) + 1,
              },
            },
          ];
        }
        case 'Withdrawn':
          return [
            {
              update: {
                key,
                updateExpression: 'ADD balance :minus',
                values: { ':minus': -event.data.amount },
              },
            },
          ];
        case 'Closed': {
          const summary = await context.get(key);
          return [
            { put: { ...key, ...summary, closed: true } },
            {
              delete: { pk: `owner#${summary?.owner as string}`, sk: `account#${event.streamId}` },
            },
          ];
        }
      }
    },
  };
}

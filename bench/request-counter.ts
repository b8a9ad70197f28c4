import type { AttributeValue, ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemBytes } from '../functions/eventsourcing/item-size';

type Item = Record<string, AttributeValue>;

/** One DynamoDB request a client sent, with what DynamoDB said it consumed. */
export interface CountedRequest {
  readonly command: string;
  /** Which capacity the request consumes. */
  readonly kind: 'read' | 'write' | 'other';
  readonly input: Record<string, unknown>;
  /** Capacity units the endpoint reported (needs `returnConsumedCapacity`). */
  readonly reportedCapacity: number | undefined;
  /** Capacity units by DynamoDB's published sizing rules, from the items written or returned. */
  readonly capacityByRules: number;
}

export interface RequestCounterOptions {
  /** Ask DynamoDB to report consumed capacity on every data-plane request. */
  readonly returnConsumedCapacity?: boolean;
}

/** Commands that accept `ReturnConsumedCapacity`. */
const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'QueryCommand',
  'TransactWriteItemsCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'ScanCommand',
]);

const READ_COMMANDS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'BatchGetItemCommand',
  'ScanCommand',
]);

const kindOf = (command: string): CountedRequest['kind'] =>
  READ_COMMANDS.has(command) ? 'read' : CAPACITY_COMMANDS.has(command) ? 'write' : 'other';

const KB = 1024;
const READ_UNIT_BYTES = 4 * KB;
const WRITE_UNIT_BYTES = KB;

/** Strongly consistent read units for reading `bytes` of items: one per started 4 KB, at least one. */
export const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));

/** Write units for writing an item of `bytes`: one per started KB, at least one. */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));

const itemWriteUnits = (item: Item | undefined) => writeUnits(itemBytes(item ?? {}));

/**
 * Capacity by DynamoDB's rules: a write costs one unit per started KB of the item (two inside a
 * transaction); a read sums the sizes of the items it returns and costs one unit per started
 * 4 KB when strongly consistent, half when eventually consistent, and never less than one
 * (half) unit. Reads with a projection are charged for the whole item by DynamoDB; the items
 * returned here are then smaller, which only matters above 4 KB.
 */
function capacityByRules(
  command: string,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
): number {
  const consistency = input.ConsistentRead === true ? 1 : 0.5;
  const itemsReadUnits = (items: readonly Item[]) =>
    consistency * readUnits(items.reduce((sum, item) => sum + itemBytes(item), 0));
  switch (command) {
    case 'PutItemCommand':
      return itemWriteUnits(input.Item as Item);
    case 'UpdateItemCommand':
      // The item as written; known only when the request asks for it back (ReturnValues).
      return itemWriteUnits((output.Attributes ?? input.Key) as Item);
    case 'TransactWriteItemsCommand':
      return (input.TransactItems as { Put?: { Item: Item } }[]).reduce(
        (sum, action) => sum + 2 * itemWriteUnits(action.Put?.Item),
        0,
      );
    case 'GetItemCommand':
      return itemsReadUnits(output.Item ? [output.Item as Item] : []);
    case 'QueryCommand':
      return itemsReadUnits((output.Items as Item[] | undefined) ?? []);
    default:
      return 0;
  }
}

function reported(consumed: unknown): number | undefined {
  if (consumed === undefined) return undefined;
  const entries = (Array.isArray(consumed) ? consumed : [consumed]) as ConsumedCapacity[];
  return entries.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

const LOCAL_COMMIT_CHECK = 'ListTablesCommand';

let nextId = 0;

/** Records the DynamoDB commands a client sends (and what they consume) until `stop()`. */
export function countRequests(client: DynamoDBClient, options: RequestCounterOptions = {}) {
  const name = `request-counter-${++nextId}`;
  const requests: CountedRequest[] = [];
  const commands: string[] = [];
  const inputs: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      // A client of DynamoDB Local sends one after each transaction to wait for its commit
      // (`awaitLocalCommits`); a client of DynamoDB sends none, so it is no cost of the operation.
      if (command === LOCAL_COMMIT_CHECK) return next(args);
      const input = args.input as Record<string, unknown>;
      commands.push(command);
      inputs.push(input);
      if (options.returnConsumedCapacity && CAPACITY_COMMANDS.has(command)) {
        input.ReturnConsumedCapacity = 'TOTAL';
      }
      const result = await next(args);
      const output = result.output as unknown as Record<string, unknown>;
      requests.push({
        command,
        kind: kindOf(command),
        input,
        reportedCapacity: reported(output.ConsumedCapacity),
        capacityByRules: capacityByRules(command, input, output),
      });
      return result;
    },
    { step: 'initialize', name },
  );
  return {
    commands,
    inputs,
    requests,
    stop: () => client.middlewareStack.remove(name),
  };
}

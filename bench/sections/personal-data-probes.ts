import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DataKey, DataKeyWrapper, KeyContext } from '../../functions/eventsourcing/personal';
import { ERASURE_STREAM_PREFIX } from '../../functions/eventsourcing/personal/subject-keys';

/** What one batch of operations cost beyond its own events: key table, ledger and master key. */
export interface KeyCosts {
  /** GetItem, PutItem (a new key) and UpdateItem (a stream registered) on the data keys table. */
  keyGets: number;
  keyPuts: number;
  keyUpdates: number;
  /** GetItem of a subject's erasure ledger entry (in the events table). */
  ledgerGets: number;
  /** Every other request to the events table (the events themselves, heads). */
  eventRequests: number;
  /** Master key calls: KMS `Decrypt` and `GenerateDataKey` in AWS. */
  unwraps: number;
  generates: number;
}

export const noCosts = (): KeyCosts => ({
  keyGets: 0,
  keyPuts: 0,
  keyUpdates: 0,
  ledgerGets: 0,
  eventRequests: 0,
  unwraps: 0,
  generates: 0,
});

/** The batch being measured: every probe adds to its costs (batches run one at a time). */
export interface Probes {
  current: KeyCosts;
}

/** A master key wrapper that counts its calls into the current batch, as KMS would bill them. */
export class CountingKeyWrapper implements DataKeyWrapper {
  constructor(
    private readonly inner: DataKeyWrapper,
    private readonly probes: Probes,
  ) {}

  generateDataKey(context: KeyContext): Promise<DataKey> {
    this.probes.current.generates += 1;
    return this.inner.generateDataKey(context);
  }

  unwrap(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    this.probes.current.unwraps += 1;
    return this.inner.unwrap(wrapped, context);
  }
}

const KEY_COMMANDS: Record<string, keyof KeyCosts> = {
  GetItemCommand: 'keyGets',
  PutItemCommand: 'keyPuts',
  UpdateItemCommand: 'keyUpdates',
};

interface RequestInput {
  readonly TableName?: string;
  readonly Key?: { readonly streamId?: { readonly S?: string } };
}

/** Which cost a request to DynamoDB is, or undefined for one to another table. */
function costOf(
  command: string,
  input: RequestInput,
  tables: { readonly dataKeys: string; readonly events: string },
): keyof KeyCosts | undefined {
  if (input.TableName === tables.dataKeys) return KEY_COMMANDS[command] ?? 'keyUpdates';
  if (input.TableName !== tables.events) return undefined;
  const ledger =
    command === 'GetItemCommand' && input.Key?.streamId?.S?.startsWith(ERASURE_STREAM_PREFIX);
  return ledger ? 'ledgerGets' : 'eventRequests';
}

/**
 * Counts the client's requests to the data keys and events tables into the current batch until
 * the returned function is called. A refused write is counted too (it is sent before it throws).
 */
export function countKeyRequests(
  client: DynamoDBClient,
  tables: { readonly dataKeys: string; readonly events: string },
  probes: Probes,
): () => void {
  const name = `personal-data-counter-${randomUUID()}`;
  client.middlewareStack.add(
    (next, context) => (args) => {
      const cost = costOf(context.commandName ?? '', args.input as RequestInput, tables);
      if (cost) probes.current[cost] += 1;
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => client.middlewareStack.remove(name);
}

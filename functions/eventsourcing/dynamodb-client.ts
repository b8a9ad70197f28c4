import {
  DynamoDBClient,
  ListTablesCommand,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { localEndpointConfig } from './local-endpoint.js';
import { CommitUnconfirmedError } from './errors.js';

/** The name of the middleware that waits for DynamoDB Local's commit of a transaction. */
export const LOCAL_COMMIT_MIDDLEWARE = 'awaitDynamoDbLocalCommit';

/**
 * The calls DynamoDB Local answers before their SQLite `COMMIT` has run: it queues the commit
 * and does not wait for it. Every other write (PutItem, UpdateItem, DeleteItem, BatchWriteItem)
 * is answered once it is on disk.
 */
const COMMIT_QUEUED_AFTER_ANSWER = new Set([
  'TransactWriteItemsCommand',
  'ExecuteTransactionCommand',
]);

/**
 * A DynamoDB client for Lambda or for the local stack. `DYNAMODB_ENDPOINT` points it at
 * DynamoDB Local; in Lambda it is unset and the SDK uses the function's region and role.
 * Pointed at DynamoDB Local, the client waits for each transaction's commit before answering
 * (see `awaitLocalCommits`).
 */
export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  const endpoint = (overrides.endpoint as string | undefined) ?? process.env.DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient({ ...localEndpointConfig(endpoint), ...overrides });
  if (endpoint) awaitLocalCommits(client);
  return client;
}

/**
 * DynamoDB Local answers a transaction (TransactWriteItems, ExecuteTransaction) before its
 * SQLite commit has run: a crash in that gap loses a transaction the caller was told succeeded.
 * Its requests share one SQLite queue, so any later request waits behind the queued commit:
 * after each successful transaction this middleware sends one such request (ListTables, one
 * name) before handing back the answer. Real DynamoDB commits before it answers; only clients
 * of DynamoDB Local get this middleware. A client built on another client's middleware stack
 * (`DynamoDBDocumentClient.from`) shares it.
 */
export function awaitLocalCommits(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (COMMIT_QUEUED_AFTER_ANSWER.has(context.commandName ?? '')) await confirmCommit(client);
      return result;
    },
    { step: 'initialize', name: LOCAL_COMMIT_MIDDLEWARE, override: true },
  );
}

/** One request that DynamoDB Local serves only after every commit queued before it. */
async function confirmCommit(client: DynamoDBClient): Promise<void> {
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } catch (error) {
    throw new CommitUnconfirmedError({ cause: error });
  }
}

import {
  DynamoDBClient,
  ListTablesCommand,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { localEndpointConfig } from './local-endpoint.js';
import { CommitUnconfirmedError } from './errors.js';
import { traceClient } from './tracing.js';

/** The name of the middleware that waits for DynamoDB Local's commit of a transaction. */
export const LOCAL_COMMIT_MIDDLEWARE = 'awaitDynamoDbLocalCommit';

/**
 * Header marking the request that waits for a commit: not a call of the function's own (in AWS
 * it does not exist), so stand-ins for IAM let it through and request counters leave it out.
 */
export const LOCAL_COMMIT_CHECK_HEADER = 'x-local-commit-check';

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
 * (see `awaitLocalCommits`). In Lambda its calls are traced.
 */
export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  const endpoint = (overrides.endpoint as string | undefined) ?? process.env.DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient({ ...localEndpointConfig(endpoint), ...overrides });
  if (endpoint) awaitLocalCommits(client);
  return traceClient(client);
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
  let checker: DynamoDBClient | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (COMMIT_QUEUED_AFTER_ANSWER.has(context.commandName ?? '')) {
        await confirmCommit((checker ??= commitChecker(client)));
      }
      return result;
    },
    { step: 'initialize', name: LOCAL_COMMIT_MIDDLEWARE, override: true },
  );
}

/**
 * A client of the same DynamoDB Local for the confirming request, apart from the caller's own
 * middleware (whatever counts or inspects its calls), its requests marked as such.
 */
function commitChecker(client: DynamoDBClient): DynamoDBClient {
  const { endpoint, region, credentials, requestHandler } = client.config;
  const checker = new DynamoDBClient({ endpoint, region, credentials, requestHandler });
  checker.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[LOCAL_COMMIT_CHECK_HEADER] = '1';
      return next(args);
    },
    { step: 'build', name: 'markLocalCommitCheck' },
  );
  return checker;
}

/** One request that DynamoDB Local serves only after every commit queued before it. */
async function confirmCommit(client: DynamoDBClient): Promise<void> {
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } catch (error) {
    throw new CommitUnconfirmedError({ cause: error });
  }
}

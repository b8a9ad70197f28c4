import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TableAccess } from '../../functions/eventsourcing/declaration';
import { tableActions } from '../../functions/eventsourcing/cdk/table-access';
import { LOCAL_COMMIT_CHECK_HEADER } from '../../functions/eventsourcing/dynamodb-client';

/** One DynamoDB action on one table, as IAM names it: `dynamodb:PutItem` on `t-events`. */
export interface TableAction {
  readonly action: string;
  readonly table: string;
}

interface DynamoDbRequest {
  readonly TableName?: string;
  readonly RequestItems?: Record<string, unknown>;
  readonly TransactItems?: Record<string, { TableName?: string }>[];
}

/** What a transaction's parts need, each as the action its own request would be. */
const TRANSACT_PARTS: Readonly<Record<string, string>> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** The table actions IAM checks for one DynamoDB API call. */
export function actionsOf(operation: string, request: DynamoDbRequest): TableAction[] {
  if (request.TransactItems) {
    return request.TransactItems.flatMap((item) =>
      Object.entries(item).map(([part, { TableName }]) => ({
        action: `dynamodb:${TRANSACT_PARTS[part] ?? part}`,
        table: TableName ?? '',
      })),
    );
  }
  if (request.RequestItems) {
    return Object.keys(request.RequestItems).map((table) => ({
      action: `dynamodb:${operation}`,
      table,
    }));
  }
  return [{ action: `dynamodb:${operation}`, table: request.TableName ?? '' }];
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface GrantingProxy {
  readonly endpoint: string;
  /** Every table action the calls needed, in order. */
  readonly used: TableAction[];
  /** The table actions it refused. */
  readonly refused: TableAction[];
  stop(): Promise<void>;
}

/**
 * A DynamoDB endpoint in front of DynamoDB Local that does what IAM does with a function's role
 * and DynamoDB Local does not: it refuses every call needing an action on a table the grants do
 * not hold (`AccessDeniedException`, as DynamoDB answers), and forwards the others unchanged.
 * Anything else (the health check's plain `GET /`) is forwarded as it is.
 */
export async function startGrantingProxy(
  target: string,
  grants: Readonly<Record<string, TableAccess>>,
): Promise<GrantingProxy> {
  const allowed = new Set(
    Object.entries(grants).flatMap(([table, access]) =>
      tableActions[access].map((action) => `${action} ${table}`),
    ),
  );
  const used: TableAction[] = [];
  const refused: TableAction[] = [];
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await bodyOf(incoming);
      const amzTarget = incoming.headers['x-amz-target'];
      // A local client's wait for a commit is no call of the function's own (AWS has none).
      const commitCheck = incoming.headers[LOCAL_COMMIT_CHECK_HEADER] !== undefined;
      if (typeof amzTarget === 'string' && !commitCheck) {
        const operation = amzTarget.split('.')[1] ?? '';
        const needed = actionsOf(operation, JSON.parse(body.toString('utf8')) as DynamoDbRequest);
        used.push(...needed);
        const denied = needed.filter(({ action, table }) => !allowed.has(`${action} ${table}`));
        if (denied.length > 0) {
          refused.push(...denied);
          outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          outgoing.end(
            JSON.stringify({
              __type: 'com.amazon.coral.service#AccessDeniedException',
              message: `Not authorized to perform ${denied.map((d) => `${d.action} on ${d.table}`).join(', ')}`,
            }),
          );
          return;
        }
      }
      const headers = Object.fromEntries(
        Object.entries(incoming.headers).filter(
          (entry): entry is [string, string] =>
            typeof entry[1] === 'string' &&
            !['host', 'connection', 'content-length', 'accept-encoding'].includes(entry[0]),
        ),
      );
      const answer = await fetch(`${target}${incoming.url ?? '/'}`, {
        method: incoming.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const payload = Buffer.from(await answer.arrayBuffer());
      outgoing.writeHead(answer.status, {
        ...Object.fromEntries(
          [...answer.headers].filter(
            ([name]) =>
              !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(
                name,
              ),
          ),
        ),
        'content-length': String(payload.length),
      });
      outgoing.end(payload);
    })().catch((error: unknown) => {
      outgoing.writeHead(500);
      outgoing.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    used,
    refused,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import {
  ExecuteTransactionCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_COMMIT_MIDDLEWARE } from '../../functions/eventsourcing/dynamodb-client';
import { createDynamoDbClient } from '../../functions/eventsourcing';

const savedEndpoint = process.env.DYNAMODB_ENDPOINT;
afterEach(() => {
  if (savedEndpoint === undefined) delete process.env.DYNAMODB_ENDPOINT;
  else process.env.DYNAMODB_ENDPOINT = savedEndpoint;
});

type Answer = { status: number; body: unknown };

/**
 * A client of a fake DynamoDB that answers each operation as `answers` says (200 `{}` by default)
 * and records the operations it was sent, in order.
 */
function recordingClient(answers: Record<string, Answer> = {}) {
  const operations: string[] = [];
  const requestHandler = {
    handle: (request: { headers: Record<string, string> }) => {
      const operation = request.headers['x-amz-target']!.split('.')[1]!;
      operations.push(operation);
      const answer = answers[operation] ?? { status: 200, body: {} };
      return Promise.resolve({
        response: {
          statusCode: answer.status,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: new TextEncoder().encode(JSON.stringify(answer.body)),
        },
      });
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = createDynamoDbClient({
    endpoint: 'http://127.0.0.1:1',
    region: 'local',
    maxAttempts: 1,
    requestHandler,
  });
  return { client, operations };
}

const transaction = new TransactWriteItemsCommand({
  TransactItems: [{ Put: { TableName: 't', Item: { pk: { S: 'a' } } } }],
});

const middlewareNames = (client: DynamoDBClient) =>
  client.middlewareStack.identify().map((entry) => entry.split(' ')[0]);

describe('createDynamoDbClient', () => {
  it('adds no commit middleware to a client for AWS (no endpoint)', () => {
    delete process.env.DYNAMODB_ENDPOINT;
    expect(middlewareNames(createDynamoDbClient())).not.toContain(LOCAL_COMMIT_MIDDLEWARE);
    expect(middlewareNames(createDynamoDbClient({ region: 'eu-west-1' }))).not.toContain(
      LOCAL_COMMIT_MIDDLEWARE,
    );
  });

  it('adds it to a client of DynamoDB Local, from DYNAMODB_ENDPOINT or an endpoint given', () => {
    process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:8000';
    expect(middlewareNames(createDynamoDbClient())).toContain(LOCAL_COMMIT_MIDDLEWARE);
    delete process.env.DYNAMODB_ENDPOINT;
    expect(middlewareNames(createDynamoDbClient({ endpoint: 'http://127.0.0.1:8000' }))).toContain(
      LOCAL_COMMIT_MIDDLEWARE,
    );
  });
});

describe('a client of DynamoDB Local', () => {
  it('sends a request that waits behind the commit after each transaction, before answering', async () => {
    const { client, operations } = recordingClient();
    await client.send(transaction);
    expect(operations).toEqual(['TransactWriteItems', 'ListTables']);
    operations.length = 0;
    await client.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: 'x' }] }));
    expect(operations).toEqual(['ExecuteTransaction', 'ListTables']);
  });

  it('does so for a document client built on it', async () => {
    const { client, operations } = recordingClient();
    const documents = DynamoDBDocumentClient.from(client);
    await documents.send(
      new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 't', Item: { pk: 'a' } } }] }),
    );
    expect(operations).toEqual(['TransactWriteItems', 'ListTables']);
  });

  it('sends nothing more after writes DynamoDB Local commits before answering', async () => {
    const { client, operations } = recordingClient();
    await client.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } }));
    await client.send(
      new UpdateItemCommand({
        TableName: 't',
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { N: '1' } },
      }),
    );
    expect(operations).toEqual(['PutItem', 'UpdateItem']);
  });

  it('sends nothing more after a refused transaction, and passes its error on', async () => {
    const { client, operations } = recordingClient({
      TransactWriteItems: {
        status: 400,
        body: { __type: 'TransactionCanceledException', message: 'Transaction cancelled' },
      },
    });
    await expect(client.send(transaction)).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    });
    expect(operations).toEqual(['TransactWriteItems']);
  });

  it('fails the transaction, naming why, when the commit cannot be confirmed', async () => {
    const { client } = recordingClient({
      ListTables: { status: 500, body: { __type: 'InternalServerError', message: 'gone' } },
    });
    await expect(client.send(transaction)).rejects.toThrow(
      /answered a transaction but could not be reached to confirm its commit/,
    );
  });
});

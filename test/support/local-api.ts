import { randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { expect, inject } from 'vitest';
import { createDynamoDbClient } from '../../functions/eventsourcing/dynamodb-client';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';
import { waitFor } from '../../local/wait-for';
import { apiClient, type ApiClient, type ApiResponse } from './api-client';

export interface TestApi {
  readonly stack: LocalStack;
  readonly url: string;
  readonly api: ApiClient;
  readonly client: DynamoDBClient;
  /** Every item of the events table, in key order. */
  events(): Promise<Record<string, unknown>[]>;
  /** Repeats a GET until `accept` holds for its response, or fails at the deadline. */
  eventually(path: string, accept: (response: ApiResponse) => boolean): Promise<ApiResponse>;
  stop(): Promise<void>;
}

/** Opens an account for `ownerId` over the API and deposits `deposit` cents into it. */
export async function openAccount(t: TestApi, ownerId: string, deposit = 0): Promise<string> {
  const opened = await t.api.post('/accounts', { body: { ownerId } });
  expect(opened.status, opened.text).toBe(201);
  const accountId = opened.body.accountId as string;
  if (deposit > 0) {
    const deposited = await t.api.post(`/accounts/${accountId}/deposits`, {
      body: { amount: deposit },
    });
    expect(deposited.status, deposited.text).toBe(200);
  }
  return accountId;
}

export interface TestApiOptions extends Pick<LocalStackOptions, 'deliverEachBatch'> {
  /**
   * Start a DynamoDB Local of its own instead of using the test run's. DynamoDB Local serves
   * tables created after its database has filled many times slower, so a file that measures
   * concurrency under load should not depend on what the files before it wrote.
   */
  readonly ownDynamoDb?: boolean;
}

/**
 * The local stack (tables, stream consumers, HTTP server) on the test run's DynamoDB Local (or
 * one of its own), under table names of its own.
 */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const { ownDynamoDb, ...stackOptions } = options;
  // The projections' lag metrics would print a line per batch.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const stack = await startLocalStack({
    ...(ownDynamoDb ? {} : { dynamoDbEndpoint: inject('dynamoDbEndpoint') }),
    tablePrefix: `e${randomUUID().slice(0, 8)}-`,
    httpPort: 0,
    ...stackOptions,
  });
  const url = stack.apiUrl!;
  const api = apiClient(url);
  const client = createDynamoDbClient({ endpoint: stack.dynamoDbEndpoint, region: 'local' });
  return {
    stack,
    url,
    api,
    client,
    async events() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, never> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: stack.tableNames.events,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start);
      return items.sort((a, b) =>
        `${a.streamId as string}#${String(a.version).padStart(12, '0')}`.localeCompare(
          `${b.streamId as string}#${String(b.version).padStart(12, '0')}`,
        ),
      );
    },
    async eventually(path, accept) {
      let last: ApiResponse | undefined;
      try {
        return await waitFor(
          async () => {
            last = await api.get(path);
            return accept(last) ? last : undefined;
          },
          { timeoutMs: 20_000, intervalMs: 50, description: `GET ${path} to catch up` },
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}; last answer: ${last?.status} ${last?.text}`);
      }
    },
    async stop() {
      client.destroy();
      await stack.stop();
    },
  };
}

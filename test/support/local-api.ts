import { randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { eventFromItem, isEventItem } from '../../functions/eventsourcing/event-items';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';
import { waitFor } from '../../local/wait-for';
import { apiClient, type ApiClient, type ApiResponse } from './api-client';
import { putStoredEvent } from './stored-items';
import { signingKeyEnvVar } from '../../functions/eventsourcing/declaration';
import {
  LOCAL_SIGNING_KEY_PREFIX,
  signerFromEnv,
  type CheckpointSigner,
} from '../../functions/eventsourcing/integrity';
import type { HistoryTarget } from '../../local/es/history-target';

export interface TestApi {
  readonly stack: LocalStack;
  readonly url: string;
  readonly api: ApiClient;
  readonly client: DynamoDBClient;
  /** Every item of the events table, in key order. */
  events(): Promise<RecordedEvent[]>;
  /** Repeats a GET until `accept` holds for its response, or fails at the deadline. */
  eventually(path: string, accept: (response: ApiResponse) => boolean): Promise<ApiResponse>;
  /** Opens an account through the API, with a first deposit when `deposit` is above 0. */
  openAccount(ownerId: string, deposit?: number): Promise<string>;
  /**
   * Writes an account straight into the events table, as no command would: versions 1 and 3
   * without 2, so its stream can be neither loaded nor indexed in order until `fillHole`.
   */
  accountWithHole(): Promise<{ accountId: string; fillHole: () => Promise<void> }>;
  stop(): Promise<void>;
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
    s3Endpoint: inject('s3Endpoint'),
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
      const items: RecordedEvent[] = [];
      let start: Record<string, never> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: stack.tableNames.events,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(page.Items ?? []).filter(isEventItem).map(eventFromItem));
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start);
      return items.sort((a, b) =>
        `${a.streamId}#${String(a.version).padStart(12, '0')}`.localeCompare(
          `${b.streamId}#${String(b.version).padStart(12, '0')}`,
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
    async openAccount(ownerId, deposit = 0) {
      const opened = await api.post('/accounts', { body: { ownerId } });
      if (opened.status !== 201) throw new Error(`POST /accounts: ${opened.status} ${opened.text}`);
      const accountId = opened.body.accountId as string;
      if (deposit > 0) {
        const path = `/accounts/${accountId}/deposits`;
        const deposited = await api.post(path, { body: { amount: deposit } });
        if (deposited.status !== 200) {
          throw new Error(`POST ${path}: ${deposited.status} ${deposited.text}`);
        }
      }
      return accountId;
    },
    async accountWithHole() {
      const accountId = `broken-${randomUUID()}`;
      const put = (version: number, type: string, data: Record<string, unknown>) =>
        putStoredEvent(client, stack.tableNames.events, {
          streamId: `account-${accountId}`,
          version,
          type,
          data,
        });
      await put(1, 'AccountOpened', { ownerId: 'o', accountType: 'checking', currency: 'USD' });
      await put(3, 'MoneyDeposited', { amount: 10 });
      return { accountId, fillHole: () => put(2, 'MoneyDeposited', { amount: 20 }) };
    },
    async stop() {
      client.destroy();
      await stack.stop();
    },
  };
}

/**
 * The stack's history as `npm run es` finds it (checkpoints bucket, signing key), and its signer:
 * created now, as the stack's scheduled sealer would on its first run.
 */
export async function stackHistory(
  stack: LocalStack,
): Promise<{ target: HistoryTarget; signer: CheckpointSigner }> {
  const target: HistoryTarget = {
    checkpointsBucket: stack.bucketNames.checkpoints,
    s3Endpoint: stack.s3Endpoint,
    signingKey: `${LOCAL_SIGNING_KEY_PREFIX}${stack.signingKeysDir}`,
    log: 'local',
  };
  const signer = await signerFromEnv('checkpoints', {
    [signingKeyEnvVar('checkpoints')]: target.signingKey,
  });
  return { target, signer };
}

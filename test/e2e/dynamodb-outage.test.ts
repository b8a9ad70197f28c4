import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { waitFor } from '../../local/wait-for';
import { sleep } from '../../functions/eventsourcing/retry';
import { apiClient } from '../support/api-client';

/** How long DynamoDB Local stays down: the outage the stack must ride out. */
const OUTAGE_MS = 20_000;

let directory: string | undefined;
let dynamoDb: DynamoDbLocal | undefined;
let stack: LocalStack | undefined;

afterAll(async () => {
  await stack?.stop();
  await dynamoDb?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

type Api = ReturnType<typeof apiClient>;

/** Writers sending deposits to random accounts; failures during the outage are expected. */
function depositLoad(api: Api, accounts: readonly string[]) {
  let running = false;
  let writers: Promise<void>[] = [];
  let accepted = 0;
  let refused = 0;
  const writer = async () => {
    while (running) {
      const accountId = accounts[Math.floor(Math.random() * accounts.length)]!;
      const response = await api
        .post(`/accounts/${accountId}/deposits`, { body: { amount: 10 } })
        .catch(() => undefined);
      if (response?.status === 200) accepted += 1;
      else refused += 1;
    }
  };
  return {
    counts: () => ({ accepted, refused }),
    start() {
      running = true;
      writers = Array.from({ length: 3 }, writer);
    },
    async stop() {
      running = false;
      await Promise.all(writers);
    },
  };
}

/** Waits until every read model of every account reflects its events (the truth). */
async function readModelsConverge(api: Api, accounts: readonly string[]): Promise<void> {
  for (const [index, accountId] of accounts.entries()) {
    const truth = (await api.get(`/accounts/${accountId}/state`)).body as {
      version: number;
      state: { balance: number };
    };
    await waitFor(
      async () => {
        const [summary, history, owned] = await Promise.all([
          api.get(`/accounts/${accountId}`),
          api.get(`/accounts/${accountId}/history?limit=100`),
          api.get(`/owners/outage-${index}/accounts`),
        ]);
        const transactions = (history.body.transactions as unknown[] | undefined) ?? [];
        const listed = (owned.body.accounts as { version: number }[] | undefined)?.[0];
        return summary.body.version === truth.version &&
          summary.body.balance === truth.state.balance &&
          transactions.length === truth.version - 1 &&
          listed?.version === truth.version
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: `read models of ${accountId}` },
    );
  }
}

describe('the local stack when DynamoDB Local goes away for 20 seconds under load', () => {
  it('answers 503 from /health meanwhile, and its read models converge once it is back, without a restart', async () => {
    directory = await mkdtemp(join(tmpdir(), 'outage-'));
    const dataDir = join(directory, 'dynamodb');
    dynamoDb = await startDynamoDbLocal({ dbPath: dataDir });
    const { port } = dynamoDb;
    stack = await startLocalStack({
      dynamoDbEndpoint: dynamoDb.endpoint,
      tablePrefix: `o${randomUUID().slice(0, 8)}-`,
      httpPort: 0,
    });
    const api = apiClient(stack.apiUrl!);
    expect((await api.get('/health')).body).toEqual({ status: 'ok' });

    const accounts: string[] = [];
    for (let i = 0; i < 10; i++) {
      const opened = await api.post('/accounts', { body: { ownerId: `outage-${i}` } });
      expect(opened.status).toBe(201);
      accounts.push(opened.body.accountId as string);
    }
    const load = depositLoad(api, accounts);
    load.start();
    await waitFor(() => (load.counts().accepted >= 30 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'deposits before the outage',
    });
    // Caught up, the stream readers are polling for records when DynamoDB goes away.
    await load.stop();
    await readModelsConverge(api, accounts);

    load.start();
    await dynamoDb.stop();
    dynamoDb = undefined;
    const down = await waitFor(
      async () => {
        const health = await api.get('/health');
        return health.status === 503 ? health : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, description: '/health to report the outage' },
    );
    expect(down.body).toEqual({
      status: 'unavailable',
      reason: expect.stringContaining(
        `DynamoDB (http://127.0.0.1:${port}) is unreachable`,
      ) as string,
    });
    const acceptedBeforeOutage = load.counts().accepted;
    // The outage itself: a deliberate duration, not a wait for something to happen.
    await sleep(OUTAGE_MS);
    expect((await api.get('/health')).status).toBe(503);
    expect(load.counts().refused).toBeGreaterThan(0);

    dynamoDb = await startDynamoDbLocal({ dbPath: dataDir, port });
    await waitFor(async () => ((await api.get('/health')).status === 200 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
      description: '/health to recover',
    });
    await waitFor(() => (load.counts().accepted >= acceptedBeforeOutage + 30 ? true : undefined), {
      timeoutMs: 60_000,
      description: 'deposits after the outage',
    });
    await load.stop();

    // The events are the truth (a deposit cut off by the outage may or may not be stored).
    await readModelsConverge(api, accounts);
  }, 240_000);
});

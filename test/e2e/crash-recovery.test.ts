import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { eventFromItem, isEventItem } from '../../functions/eventsourcing/event-items';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { prefixedTableNames } from '../../functions/eventsourcing/declaration';
import { tables as declaredTables } from '../../functions/system';
import { startStackProcess, type StackProcess } from '../support/stack-process';

const ACCOUNTS = 20;
const DEPOSITS = 180;
const CONCURRENCY = 30;
/** The stack is killed once this many deposits were answered. */
const KILL_AFTER = 100;

interface Deposit {
  readonly key: string;
  readonly accountId: string;
  readonly amount: number;
  /** Whether the request went out before the crash. */
  sent?: boolean;
  /** The answer the client got, if it got one before the crash or on a retry. */
  answer?: { status: number; body: { version?: number; balance?: number } };
}

let directory: string;
let stack: StackProcess | undefined;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'crash-recovery-'));
});

afterAll(async () => {
  await stack?.kill();
  await rm(directory, { recursive: true, force: true });
});

async function post(url: string, path: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { version?: number; balance?: number; accountId?: string },
  };
}

/**
 * Sends a deposit with its key, again after each 409 or 503 (as a client does), until it gets a
 * final answer; leaves it unanswered when the connection fails.
 */
async function send(url: string, deposit: Deposit): Promise<void> {
  for (;;) {
    deposit.sent = true;
    deposit.answer = undefined;
    try {
      deposit.answer = await post(
        url,
        `/accounts/${deposit.accountId}/deposits`,
        { amount: deposit.amount, source: deposit.key },
        { 'idempotency-key': deposit.key },
      );
    } catch {
      return; // No answer: the request may or may not have taken effect.
    }
    // 409: conflicts outlived the retries; 503: the gateway gave up waiting (the machine is slow).
    if (deposit.answer.status !== 409 && deposit.answer.status !== 503) return;
  }
}

describe('a crash of the whole local stack', () => {
  it(
    'leaves every acknowledged deposit exactly once, and a retry with its key applies nothing twice',
    { timeout: 300_000 },
    async () => {
      const dataDir = join(directory, 'dynamodb');
      stack = await startStackProcess(dataDir);
      const accountIds: string[] = [];
      for (let i = 0; i < ACCOUNTS; i++) {
        const opened = await post(stack.url, '/accounts', { ownerId: `crash-${i}` }, {});
        expect(opened.status).toBe(201);
        accountIds.push(opened.body.accountId!);
      }
      const deposits: Deposit[] = Array.from({ length: DEPOSITS }, (_, i) => ({
        key: `deposit-${i}`,
        accountId: accountIds[i % ACCOUNTS]!,
        amount: 1 + (i % 7),
      }));

      // Keyed deposits, CONCURRENCY at a time; SIGKILL of every process mid-way.
      let next = 0;
      let answered = 0;
      let killed: Promise<void> | undefined;
      const running = stack;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < deposits.length && !killed) {
            const deposit = deposits[next++]!;
            await send(running.url, deposit);
            if (deposit.answer && ++answered >= KILL_AFTER) killed ??= running.kill();
          }
        }),
      );
      await killed;
      stack = undefined;
      const acknowledged = deposits.filter((d) => d.answer?.status === 200);
      const unanswered = deposits.filter((d) => d.answer === undefined);
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
      // Some were in flight when every process died.
      expect(unanswered.filter((d) => d.sent).length).toBeGreaterThan(0);
      const acknowledgedBefore = new Map(acknowledged.map((d) => [d.key, d.answer!]));

      // Restart on the same data; every client retries its unanswered deposit with its key.
      stack = await startStackProcess(dataDir);
      const restarted = stack;
      let retry = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (retry < unanswered.length) {
            await send(restarted.url, unanswered[retry++]!);
          }
        }),
      );
      expect(deposits.map((d) => d.answer?.status)).toEqual(deposits.map(() => 200));

      // The events table: one deposit per key, at the version its answer named.
      const client = createDynamoDbClient({ endpoint: restarted.dynamoDbEndpoint });
      const items: RecordedEvent[] = [];
      let start: Record<string, never> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: prefixedTableNames(declaredTables, 'local-').events,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(page.Items ?? []).filter(isEventItem).map(eventFromItem));
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start);
      client.destroy();
      const byKey = new Map<string, { streamId: string; version: number }[]>();
      for (const item of items) {
        if (item.type !== 'MoneyDeposited') continue;
        const key = (item.data as { source: string }).source;
        byKey.set(key, [
          ...(byKey.get(key) ?? []),
          { streamId: item.streamId, version: item.version },
        ]);
      }
      for (const deposit of deposits) {
        const applied = byKey.get(deposit.key) ?? [];
        expect(applied, deposit.key).toHaveLength(1);
        expect(applied[0]).toEqual({
          streamId: `account-${deposit.accountId}`,
          version: deposit.answer!.body.version,
        });
      }
      // What was acknowledged before the crash is what a retry is told now.
      await Promise.all(
        deposits
          .filter((deposit) => acknowledgedBefore.has(deposit.key))
          .map(async (deposit) => {
            await send(restarted.url, deposit);
            expect(deposit.answer).toEqual(acknowledgedBefore.get(deposit.key));
          }),
      );
      // And the balances are the sums of the deposits, each counted once.
      for (const accountId of accountIds) {
        const expected = deposits
          .filter((d) => d.accountId === accountId)
          .reduce((sum, d) => sum + d.amount, 0);
        const state = (await (
          await fetch(`${restarted.url}/accounts/${accountId}/state`)
        ).json()) as {
          state: { balance: number };
        };
        expect(state.state.balance).toBe(expected);
      }
    },
  );
});

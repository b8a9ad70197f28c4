import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/local-api';
import { expectCorruptAnswers } from '../support/corrupt-event';
import { putStoredEvent } from '../support/stored-items';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi({ ownDynamoDb: true });
});
afterAll(() => t?.stop());

/** Headers making the local API treat the request as a JWT caller (see the README). */
const as = (principal: string, groups?: string) => ({
  'x-local-principal': principal,
  ...(groups ? { 'x-local-groups': groups } : {}),
});

const eventsOf = async (accountId: string) =>
  (await t.events()).filter((event) => event.streamId === `account-${accountId}`);

describe('a corrupt stored event', () => {
  it('makes every command and read of its stream answer CorruptEvent and write nothing', async () => {
    const accountId = await t.openAccount('carla', 100);
    // What a bad deploy, a manual fix or a missing upcaster would leave behind.
    await putStoredEvent(t.client, t.stack.tableNames.events, {
      streamId: `account-${accountId}`,
      version: 3,
      type: 'MoneyDeposited',
      data: { amount: 'not-a-number' },
    });
    const before = await eventsOf(accountId);
    await expectCorruptAnswers(t.api, accountId, { version: 3, field: 'data.amount' });
    expect(await eventsOf(accountId)).toEqual(before);
    // Before the corrupt event the history is intact.
    const earlier = await t.api.get(`/accounts/${accountId}/state?version=2`);
    expect(earlier.body).toMatchObject({ version: 2, state: { balance: 100 } });
  });
});

describe('ownership', () => {
  it('lets JWT callers act only on their own accounts; operators and IAM callers on any', async () => {
    const alice = as('alice');
    const bob = as('bob');
    const opened = await t.api.post('/accounts', { body: { ownerId: 'alice' }, headers: alice });
    expect(opened.status, opened.text).toBe(201);
    const accountId = opened.body.accountId as string;
    const forSomeoneElse = await t.api.post('/accounts', {
      body: { ownerId: 'bob' },
      headers: alice,
    });
    expect(forSomeoneElse.status).toBe(403);

    expect(
      (
        await t.api.post(`/accounts/${accountId}/deposits`, {
          body: { amount: 300 },
          headers: alice,
        })
      ).status,
    ).toBe(200);
    const before = await eventsOf(accountId);
    const refused = [
      await t.api.post(`/accounts/${accountId}/withdrawals`, {
        body: { amount: 1 },
        headers: bob,
      }),
      await t.api.post(`/accounts/${accountId}/close`, { headers: bob }),
      await t.api.post('/transfers', {
        body: { fromAccountId: accountId, toAccountId: 'anywhere', amount: 1 },
        headers: bob,
      }),
      await t.api.get(`/accounts/${accountId}/state`, { headers: bob }),
      await t.api.get(`/accounts/${accountId}/events`, { headers: bob }),
      await t.api.get(`/accounts/${accountId}/history`, { headers: bob }),
      await t.api.get(`/owners/alice/accounts`, { headers: bob }),
    ];
    for (const answer of refused) {
      expect(answer.status, answer.text).toBe(403);
      expect(answer.body.error?.code).toBe('Forbidden');
    }
    expect(await eventsOf(accountId)).toEqual(before);

    const summary = await t.eventually(`/accounts/${accountId}`, (r) => r.status === 200);
    expect(summary.body.ownerId).toBe('alice');
    expect((await t.api.get(`/accounts/${accountId}`, { headers: bob })).status).toBe(403);
    expect((await t.api.get(`/accounts/${accountId}`, { headers: alice })).status).toBe(200);
    expect((await t.api.get(`/accounts/${accountId}/events`, { headers: alice })).status).toBe(200);

    const bobs = await t.api.post('/accounts', { body: { ownerId: 'bob' }, headers: bob });
    const transfer = await t.api.post('/transfers', {
      body: { fromAccountId: accountId, toAccountId: bobs.body.accountId, amount: 100 },
      headers: alice,
    });
    expect(transfer.status, transfer.text).toBe(201);
    const transferPath = `/transfers/${transfer.body.transferId as string}`;
    expect((await t.api.get(transferPath, { headers: bob })).status).toBe(200);
    expect((await t.api.get(transferPath, { headers: as('mallory') })).status).toBe(403);

    const operator = as('olga', 'support,operators');
    expect(
      (
        await t.api.post(`/accounts/${accountId}/withdrawals`, {
          body: { amount: 1 },
          headers: operator,
        })
      ).status,
    ).toBe(200);
    expect(
      (await t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 1 } })).status,
    ).toBe(200);
    const withdrawals = (await eventsOf(accountId)).filter((e) => e.type === 'MoneyWithdrawn');
    expect(withdrawals.map((e) => (e.metadata as { actor: string }).actor)).toEqual(
      expect.arrayContaining(['olga', 'arn:aws:iam::000000000000:user/local-developer']),
    );
  });
});

describe('a hot stream', () => {
  it(
    'answers 100 concurrent withdrawals with 200, 422 or 409 only, and never overdraws',
    { timeout: 180_000 },
    async () => {
      const accountId = await t.openAccount('hot', 50);
      const withdraw = () =>
        t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 1 } });
      const first = await Promise.all(Array.from({ length: 100 }, withdraw));
      const statuses = new Set(first.map((answer) => answer.status));
      expect([...statuses].every((status) => [200, 409, 422].includes(status))).toBe(true);
      for (const conflict of first.filter((answer) => answer.status === 409)) {
        expect(conflict.body.error?.code).toBe('ConcurrencyConflict');
        expect(Number(conflict.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      for (const refusal of first.filter((answer) => answer.status === 422)) {
        expect(refusal.body.error?.code).toBe('InsufficientFunds');
      }

      // Each client retries its 409 until it gets a final answer.
      const final = await Promise.all(
        first.map(async (answer) => {
          let current = answer;
          while (current.status === 409) current = await withdraw();
          return current;
        }),
      );
      expect(final.filter((answer) => answer.status === 200)).toHaveLength(50);
      expect(final.filter((answer) => answer.status === 422)).toHaveLength(50);
      const balances = final
        .filter((answer) => answer.status === 200)
        .map((answer) => answer.body.balance as number)
        .sort((a, b) => a - b);
      expect(balances).toEqual(Array.from({ length: 50 }, (_, i) => i));

      const events = await eventsOf(accountId);
      expect(events.filter((event) => event.type === 'MoneyWithdrawn')).toHaveLength(50);
      const state = await t.api.get(`/accounts/${accountId}/state`);
      expect(state.body).toMatchObject({ version: 52, state: { balance: 0 } });
    },
  );
});

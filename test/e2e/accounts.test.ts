import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../functions/eventsourcing';
import { startTestApi, type TestApi } from '../support/local-api';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.stop());

const ownerId = `owner-${Date.now()}`;

async function openAccount(owner = ownerId, extra: Record<string, unknown> = {}) {
  const response = await t.api.post('/accounts', { body: { ownerId: owner, ...extra } });
  expect(response.status, response.text).toBe(201);
  return response.body.accountId as string;
}

describe('accounts over HTTP', () => {
  it('answers the health check', async () => {
    const response = await t.api.get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('opens, deposits, withdraws and shows the read models catching up', async () => {
    const opened = await t.api.post('/accounts', {
      body: { ownerId, accountType: 'savings', currency: 'USD' },
    });
    expect(opened.status).toBe(201);
    const accountId = opened.body.accountId as string;
    expect(opened.body).toEqual({ accountId, version: 1 });
    expect(opened.headers.get('location')).toBe(`/accounts/${accountId}`);
    expect(opened.headers.get('etag')).toBe('"1"');

    const deposit = await t.api.post(`/accounts/${accountId}/deposits`, {
      body: { amount: 5000, source: 'salary' },
    });
    expect(deposit.status).toBe(200);
    expect(deposit.body).toEqual({ accountId, version: 2, balance: 5000 });
    expect(deposit.headers.get('etag')).toBe('"2"');

    const withdrawal = await t.api.post(`/accounts/${accountId}/withdrawals`, {
      body: { amount: 1500, destination: 'rent' },
    });
    expect(withdrawal.body).toEqual({ accountId, version: 3, balance: 3500 });

    const summary = await t.eventually(
      `/accounts/${accountId}`,
      (r) => r.status === 200 && r.body.version === 3,
    );
    expect(summary.body).toMatchObject({
      accountId,
      ownerId,
      accountType: 'savings',
      currency: 'USD',
      status: 'open',
      balance: 3500,
      version: 3,
    });
    expect(summary.body.openedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(summary.headers.get('etag')).toBe('"3"');

    const history = await t.eventually(
      `/accounts/${accountId}/history`,
      (r) => r.status === 200 && (r.body.transactions as unknown[]).length === 2,
    );
    expect(history.body.transactions).toMatchObject([
      { version: 2, type: 'deposit', amount: 5000, balanceAfter: 5000, source: 'salary' },
      { version: 3, type: 'withdrawal', amount: 1500, balanceAfter: 3500, destination: 'rent' },
    ]);

    const owned = await t.eventually(`/owners/${ownerId}/accounts`, (r) =>
      (r.body.accounts as { accountId: string; version: number }[]).some(
        (a) => a.accountId === accountId && a.version === 3,
      ),
    );
    expect(owned.body.accounts).toContainEqual(
      expect.objectContaining({ accountId, balance: 3500, status: 'open', accountType: 'savings' }),
    );
  });

  it('defaults to a checking account in USD', async () => {
    const accountId = await openAccount();
    const summary = await t.eventually(`/accounts/${accountId}`, (r) => r.status === 200);
    expect(summary.body).toMatchObject({ accountType: 'checking', currency: 'USD', balance: 0 });
  });

  it('pages the history and an owner’s accounts with cursors', async () => {
    const owner = `pager-${Date.now()}`;
    const accountId = await openAccount(owner);
    await openAccount(owner);
    for (const amount of [1, 2, 3]) {
      await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount } });
    }
    await t.eventually(
      `/accounts/${accountId}/history`,
      (r) => r.status === 200 && (r.body.transactions as unknown[]).length === 3,
    );
    const first = await t.api.get(`/accounts/${accountId}/history?limit=2`);
    expect((first.body.transactions as { amount: number }[]).map((tx) => tx.amount)).toEqual([
      1, 2,
    ]);
    const second = await t.api.get(
      `/accounts/${accountId}/history?limit=2&cursor=${first.body.nextCursor as string}`,
    );
    expect((second.body.transactions as { amount: number }[]).map((tx) => tx.amount)).toEqual([3]);
    expect(second.body.nextCursor).toBeUndefined();

    await t.eventually(
      `/owners/${owner}/accounts`,
      (r) => (r.body.accounts as unknown[]).length === 2,
    );
    const page = await t.api.get(`/owners/${owner}/accounts?limit=1`);
    expect(page.body.accounts).toHaveLength(1);
    const rest = await t.api.get(
      `/owners/${owner}/accounts?limit=1&cursor=${page.body.nextCursor as string}`,
    );
    expect(rest.body.accounts).toHaveLength(1);
    expect(rest.body.accounts).not.toEqual(page.body.accounts);

    const forged = await t.api.get(`/accounts/${accountId}/history?cursor=not-a-cursor`);
    expect(forged.status).toBe(400);
    expect(forged.body.error?.code).toBe('InvalidCursor');
  });

  it('rebuilds the state at a version or at a time, and lists the raw events', async () => {
    const accountId = await openAccount();
    await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 700 } });
    await t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 200 } });

    const atVersion = await t.api.get(`/accounts/${accountId}/state?version=2`);
    expect(atVersion.status).toBe(200);
    expect(atVersion.body).toMatchObject({
      accountId,
      version: 2,
      state: { balance: 700, status: 'open' },
    });

    const events = await t.api.get(`/accounts/${accountId}/events`);
    expect((events.body.events as { type: string }[]).map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyWithdrawn',
    ]);
    const [openedEvent, depositedEvent] = events.body.events as {
      recordedAt: string;
      version: number;
    }[];
    const atTime = await t.api.get(
      `/accounts/${accountId}/state?at=${encodeURIComponent(depositedEvent!.recordedAt)}`,
    );
    expect(atTime.body).toMatchObject({ version: 2, state: { balance: 700 } });
    const before = new Date(Date.parse(openedEvent!.recordedAt) - 1000).toISOString();
    expect((await t.api.get(`/accounts/${accountId}/state?at=${before}`)).status).toBe(404);
    const current = await t.api.get(`/accounts/${accountId}/state`);
    expect(current.body).toMatchObject({ version: 3, state: { balance: 500 } });

    const page = await t.api.get(`/accounts/${accountId}/events?fromVersion=2&limit=1`);
    expect(page.body).toMatchObject({
      accountId,
      events: [{ version: 2, type: 'MoneyDeposited', schemaVersion: 1, data: { amount: 700 } }],
      nextFromVersion: 3,
    });

    const both = await t.api.get(`/accounts/${accountId}/state?version=1&at=${before}`);
    expect(both.status).toBe(400);
    const badTime = await t.api.get(`/accounts/${accountId}/state?at=yesterday`);
    expect(badTime.status).toBe(400);
    expect(badTime.body.error?.fields?.[0]?.field).toBe('at');
  });

  it('refuses business-rule violations with 422 and appends nothing', async () => {
    const accountId = await openAccount();
    await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 100 } });
    const before = await t.events();

    const overdraw = await t.api.post(`/accounts/${accountId}/withdrawals`, {
      body: { amount: 101 },
    });
    expect(overdraw.status).toBe(422);
    expect(overdraw.body.error).toMatchObject({ code: 'InsufficientFunds' });
    const close = await t.api.post(`/accounts/${accountId}/close`);
    expect(close.status).toBe(422);
    expect(close.body.error?.code).toBe('BalanceNotZero');
    expect(await t.events()).toEqual(before);

    await t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 100 } });
    const closed = await t.api.post(`/accounts/${accountId}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ accountId, version: 4, status: 'closed' });
    const afterClose = await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 1 } });
    expect(afterClose.status).toBe(422);
    expect(afterClose.body.error?.code).toBe('AccountClosed');
    await t.eventually(`/accounts/${accountId}`, (r) => r.body.status === 'closed');
  });

  it('answers 410 to the owner of a closed account and refuses its commands; operators still read it', async () => {
    const owner = `closing-${Date.now()}`;
    const accountId = await openAccount(owner);
    const store = new EventStore({
      client: t.client,
      tableName: t.stack.tableNames.events,
      archive: false,
    });
    await store.close(`account-${accountId}`, 'opened by mistake', {
      expectedVersion: 'stream_exists',
    });
    const asOwner = { headers: { 'x-local-principal': owner } };
    for (const path of [`/accounts/${accountId}/state`, `/accounts/${accountId}/events`]) {
      const gone = await t.api.get(path, asOwner);
      expect(gone.status, gone.text).toBe(410);
      expect(gone.body.error).toMatchObject({ code: 'StreamClosed' });
    }
    const deposit = await t.api.post(`/accounts/${accountId}/deposits`, {
      body: { amount: 5 },
      ...asOwner,
    });
    expect(deposit.status, deposit.text).toBe(410);
    const operator = { headers: { 'x-local-principal': 'olga', 'x-local-groups': 'operators' } };
    const last = await t.api.get(`/accounts/${accountId}/state`, operator);
    expect(last.status, last.text).toBe(200);
    expect(last.body).toMatchObject({ version: 2, closed: 2, state: { status: 'open' } });
    expect((await store.read(`account-${accountId}`)).map((e) => e.type)).toEqual([
      'AccountOpened',
      'StreamClosed',
    ]);
  });

  it('answers 404 for unknown accounts and routes', async () => {
    for (const path of [
      '/accounts/nope',
      '/accounts/nope/history',
      '/accounts/nope/state',
      '/accounts/nope/events',
    ]) {
      const response = await t.api.get(path);
      expect(response.status, path).toBe(404);
      expect(response.body.error?.code, path).toBe('AccountNotFound');
    }
    const deposit = await t.api.post('/accounts/nope/deposits', { body: { amount: 1 } });
    expect(deposit.status).toBe(404);
    expect(deposit.body.error?.code).toBe('AccountNotFound');
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['GET', '/'],
      ['DELETE', '/accounts/nope'],
      ['GET', '/accounts'],
    ] as const) {
      const response = await t.api.send(method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error?.code).toBe('RouteNotFound');
    }
  });

  it('refuses bad input: 400 naming fields, malformed JSON, 415, 413', async () => {
    const accountId = await openAccount();
    const invalid = await t.api.post(`/accounts/${accountId}/deposits`, {
      body: { amount: 1e13, note: 'x' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error?.code).toBe('ValidationFailed');
    expect(invalid.body.error?.fields?.map((f) => f.field).sort()).toEqual(['amount', 'note']);
    const missing = await t.api.post('/accounts', { body: {} });
    expect(missing.body.error?.fields?.map((f) => f.field)).toEqual(['ownerId']);
    const badType = await t.api.post('/accounts', { body: { ownerId: 'a', accountType: 'gold' } });
    expect(badType.body.error?.fields?.map((f) => f.field)).toEqual(['accountType']);

    const malformed = await t.api.post(`/accounts/${accountId}/deposits`, { body: '{"amount": 5' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.code).toBe('MalformedJson');
    const form = await t.api.post(`/accounts/${accountId}/deposits`, {
      body: 'amount=5',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const huge = await t.api.post(`/accounts/${accountId}/deposits`, {
      body: { amount: 5, source: 'x'.repeat(300 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error?.code).toBe('PayloadTooLarge');
  });

  describe('If-Match', () => {
    it('appends only at the version the client saw', async () => {
      const accountId = await openAccount();
      const first = await t.api.post(`/accounts/${accountId}/deposits`, {
        body: { amount: 10 },
        headers: { 'if-match': '"1"' },
      });
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe('"2"');
      const before = await t.events();
      const stale = await t.api.post(`/accounts/${accountId}/deposits`, {
        body: { amount: 10 },
        headers: { 'if-match': '"1"' },
      });
      expect(stale.status).toBe(412);
      expect(stale.body.error).toMatchObject({ code: 'PreconditionFailed', currentVersion: 2 });
      expect(await t.events()).toEqual(before);
      const fresh = await t.api.post(`/accounts/${accountId}/withdrawals`, {
        body: { amount: 5 },
        headers: { 'if-match': first.headers.get('etag')! },
      });
      expect(fresh.body).toMatchObject({ version: 3, balance: 5 });
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first response and appends nothing for a repeat', async () => {
      const key = { 'idempotency-key': `open-${Date.now()}` };
      const opened = await t.api.post('/accounts', { body: { ownerId }, headers: key });
      const again = await t.api.post('/accounts', { body: { ownerId }, headers: key });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(opened.body);
      expect(again.headers.get('location')).toBe(opened.headers.get('location'));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const accountId = opened.body.accountId as string;

      const depositKey = { 'idempotency-key': `deposit-${Date.now()}` };
      const deposit = await t.api.post(`/accounts/${accountId}/deposits`, {
        body: { amount: 42 },
        headers: depositKey,
      });
      const before = await t.events();
      const repeat = await t.api.post(`/accounts/${accountId}/deposits`, {
        body: { amount: 42 },
        headers: depositKey,
      });
      expect(repeat.text).toBe(deposit.text);
      expect(repeat.headers.get('etag')).toBe('"2"');
      expect(await t.events()).toEqual(before);

      const reused = await t.api.post(`/accounts/${accountId}/deposits`, {
        body: { amount: 43 },
        headers: depositKey,
      });
      expect(reused.status).toBe(422);
      expect(reused.body.error?.code).toBe('IdempotencyKeyReused');
      expect(await t.events()).toEqual(before);
    });

    it('gives 20 concurrent requests with one key one deposit, and all of them its answer', async () => {
      const accountId = await openAccount();
      for (let round = 0; round < 3; round++) {
        const headers = { 'idempotency-key': `burst-${round}-${Date.now()}` };
        const responses = await Promise.all(
          Array.from({ length: 20 }, () =>
            t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 1 }, headers }),
          ),
        );
        expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
        expect(new Set(responses.map((r) => r.text)).size).toBe(1);
        expect(responses[0]!.body).toMatchObject({ version: round + 2, balance: round + 1 });
        // Each key moved money exactly once, however many times it was sent.
        const events = await t.api.get(`/accounts/${accountId}/events`);
        expect(events.body.events).toHaveLength(round + 2);
      }
    });
  });

  it('loses no deposit under concurrent writers', async () => {
    const accountId = await openAccount();
    const amounts = Array.from({ length: 12 }, (_, i) => i + 1);
    const responses = await Promise.all(
      amounts.map((amount) => t.api.post(`/accounts/${accountId}/deposits`, { body: { amount } })),
    );
    const accepted = amounts.filter((_, i) => responses[i]!.status === 200);
    expect(responses.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const versions = responses.filter((r) => r.status === 200).map((r) => r.body.version as number);
    expect(new Set(versions).size).toBe(accepted.length);
    const state = await t.api.get(`/accounts/${accountId}/state`);
    expect(state.body).toMatchObject({
      version: accepted.length + 1,
      state: { balance: accepted.reduce((sum, amount) => sum + amount, 0) },
    });
  });
});

import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../functions/eventsourcing';
import { PersonalData, subjectKeysFromEnv } from '../../functions/eventsourcing/personal';
import { domainEvents } from '../../functions/domain-events';
import { systemContext } from '../../local/es/context';
import type { HistoryTarget } from '../../local/es/history-target';
import { stackHistory, startTestApi, type TestApi } from '../support/local-api';
import {
  CLEAR_VALUES,
  ERIN,
  ERIN_CALLER,
  FRANK,
  OPERATOR,
  clearAccountOpened,
  everyStoredItem,
} from '../support/personal-data';
import { runOperator } from '../support/operator';

let t: TestApi;
let history: HistoryTarget;
let erinAccount: string;
let frankAccount: string;
let erinOrder: string;
/** Erin's data key as it was before the erasure: what a backup of the keys table holds. */
let erinKeyBackup: Record<string, AttributeValue>;

const es = (...args: string[]) =>
  runOperator(args, (io) => systemContext(t.client, t.stack.tableNames, io, { history }));

async function openAccount(person: { ownerId: string; holderName: string; email: string }) {
  const opened = await t.api.post('/accounts', {
    body: { ownerId: person.ownerId, holderName: person.holderName, email: person.email },
  });
  expect(opened.status).toBe(201);
  return String(opened.body.accountId);
}

beforeAll(async () => {
  t = await startTestApi();
  history = (await stackHistory(t.stack)).target;
  erinAccount = await openAccount(ERIN);
  frankAccount = await openAccount(FRANK);
  expect(
    (await t.api.post(`/accounts/${erinAccount}/deposits`, { body: { amount: 2500 } })).status,
  ).toBe(200);
  const order = await t.api.post('/orders', {
    body: {
      customerId: ERIN.ownerId,
      items: [{ productId: 'book', quantity: 1, unitPrice: 1500 }],
      shippingAddress: ERIN.address,
    },
  });
  expect(order.status).toBe(201);
  erinOrder = String(order.body.orderId);
  await t.eventually(`/orders/${erinOrder}`, (response) => response.status === 200);
  await t.eventually(`/accounts/${frankAccount}`, (response) => response.status === 200);
  await t.eventually(
    `/accounts/${erinAccount}`,
    (response) => response.status === 200 && response.body.balance === 2500,
  );
});
afterAll(async () => {
  await t?.stop();
});

describe('personal data on the local stack', () => {
  it('is stored nowhere in clear: events, snapshots, read models, the log, integration events', async () => {
    const stored = await everyStoredItem(t.client, t.stack.tableNames);
    const published = JSON.stringify(
      await (await fetch(`${t.stack.eventBus.endpoint}/events`)).json(),
    );
    for (const value of CLEAR_VALUES) {
      expect(stored).not.toContain(value);
      expect(published).not.toContain(value);
    }
    expect(stored).toContain('"$sealed"');
  });

  it('reads in clear for its owner and operators: read models and the events endpoint', async () => {
    const summary = await t.api.get(`/accounts/${erinAccount}`, { headers: ERIN_CALLER });
    expect(summary.body).toMatchObject({ holderName: ERIN.holderName, email: ERIN.email });
    const order = await t.api.get(`/orders/${erinOrder}`, { headers: OPERATOR });
    expect(order.body.shippingAddress).toEqual(ERIN.address);
    const events = await t.api.get(`/accounts/${erinAccount}/events`);
    expect(JSON.stringify(events.body)).toContain(ERIN.email);
  });

  it('refuses erasure to anyone but operators and IAM callers, and a request without a reason', async () => {
    const byErin = await t.api.post('/subjects/erin/erasure', {
      headers: ERIN_CALLER,
      body: { reason: 'self-service' },
    });
    expect(byErin.status).toBe(403);
    const noReason = await t.api.post('/subjects/erin/erasure', { body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toMatchObject({ code: 'ValidationFailed' });
    expect((await t.api.post('/subjects/erin/erasure', { body: '{"reason":' })).status).toBe(400);
  });
});

describe('erasing a data subject', () => {
  let report: Record<string, unknown>;

  beforeAll(async () => {
    const { Item } = await t.client.send(
      new GetItemCommand({
        TableName: t.stack.tableNames.dataKeys,
        Key: { subject: { S: 'erin' } },
        ConsistentRead: true,
      }),
    );
    erinKeyBackup = Item!;
    const erased = await t.api.post('/subjects/erin/erasure', {
      headers: OPERATOR,
      body: { reason: 'GDPR art. 17 request #4711' },
    });
    expect(erased.status).toBe(200);
    report = erased.body;
  });

  it('records who asked and why in the ledger first, and reports what it touched', async () => {
    expect(report).toMatchObject({
      subject: 'erin',
      repeated: false,
      streams: [`account-${erinAccount}`, `order-${erinOrder}`].sort(),
      events: 2,
      clearEvents: [],
    });
    expect(report.readModelItems).toMatchObject({ accountSummaries: 1, orderSummaries: 1 });
    const [ledger] = await new EventStore({
      client: t.client,
      tableName: t.stack.tableNames.events,
      catalogue: domainEvents,
    }).read('erasure-erin');
    expect(ledger).toMatchObject({
      type: 'SubjectErased',
      data: { subject: 'erin', requestedBy: 'olga', reason: 'GDPR art. 17 request #4711' },
    });
  });

  it("reads the subject's fields as their replacements within seconds, everywhere", async () => {
    const summary = await t.eventually(
      `/accounts/${erinAccount}`,
      (response) => response.body.holderName === '[erased]',
    );
    expect(summary.body).toMatchObject({ email: '[erased]', balance: 2500 });
    const order = await t.eventually(
      `/orders/${erinOrder}`,
      (response) =>
        (response.body.shippingAddress as { name?: string } | undefined)?.name === '[erased]',
    );
    expect(order.body).toMatchObject({ customerId: 'erin', status: 'pending' });
    const events = await t.eventually(
      `/accounts/${erinAccount}/events`,
      (response) => !JSON.stringify(response.body).includes(ERIN.email),
    );
    const opened = (events.body.events as { type: string; data: object }[]).find(
      (event) => event.type === 'AccountOpened',
    );
    expect(opened?.data).toMatchObject({ holderName: '[erased]', email: '[erased]' });
  });

  it('keeps deciders working on the erased history, and fences new personal data', async () => {
    const deposit = await t.api.post(`/accounts/${erinAccount}/deposits`, {
      body: { amount: 100 },
    });
    expect(deposit.status).toBe(200);
    expect(deposit.body.balance).toBe(2600);
    const reopened = await t.api.post('/accounts', {
      body: { ownerId: 'erin', holderName: ERIN.holderName },
    });
    expect(reopened.status).toBe(422);
    expect(reopened.body.error).toMatchObject({ code: 'SubjectErased' });
    const order = await t.api.post('/orders', {
      body: { customerId: 'erin', shippingAddress: ERIN.address },
    });
    expect(order.status).toBe(422);
    expect(order.body.error).toMatchObject({ code: 'SubjectErased' });
  });

  it('leaves other subjects untouched', async () => {
    const frank = await t.api.get(`/accounts/${frankAccount}`);
    expect(frank.body).toMatchObject({ holderName: FRANK.holderName, email: FRANK.email });
  });

  it('keeps history verifying: hashes cover the sealed bytes, which never changed', async () => {
    const sealed = await es('checkpoint');
    expect(sealed.output).toMatch(/^Checkpoint 1: /);
    const verified = await es('verify', '--full');
    expect(verified.output).toContain('nothing wrong');
    expect(verified.code).toBe(0);
  });

  it('does not bring the subject back when the keys table is restored from before', async () => {
    await t.client.send(
      new PutItemCommand({ TableName: t.stack.tableNames.dataKeys, Item: erinKeyBackup }),
    );
    // A process that never saw the erasure: no cache, the restored key in the table.
    const fresh = new PersonalData(subjectKeysFromEnv(t.client)!);
    const store = new EventStore({
      client: t.client,
      tableName: t.stack.tableNames.events,
      catalogue: domainEvents,
      personalData: fresh,
    });
    const [opened] = await store.read(`account-${erinAccount}`, { toVersion: 1 });
    expect(opened!.data).toMatchObject({ holderName: '[erased]', email: '[erased]' });
    await expect(
      fresh.seal(domainEvents, { streamId: 'account-new', firstVersion: 1 }, [
        { type: 'AccountOpened', data: { ownerId: 'erin', holderName: 'Erin again' } },
      ]),
    ).rejects.toMatchObject({ code: 'SubjectErased' });

    // Re-applying the erasure destroys the restored key again, and reports the first erasure.
    const again = await es('erase', 'erin', '--reason', 'restore of the keys table', '--json');
    expect(again.code).toBe(0);
    const repeated = JSON.parse(again.output) as { repeated: boolean; erasedAt: string };
    expect(repeated).toMatchObject({ repeated: true, erasedAt: report.erasedAt });
    const { Item } = await t.client.send(
      new GetItemCommand({
        TableName: t.stack.tableNames.dataKeys,
        Key: { subject: { S: 'erin' } },
        ConsistentRead: true,
      }),
    );
    expect(Item?.wrapped).toBeUndefined();
    expect(Item?.erasedAt).toEqual({ S: report.erasedAt });
  });

  it('lists events that hold the subject in clear (written before encryption)', async () => {
    const legacy = await t.client.send(
      new PutItemCommand({
        TableName: t.stack.tableNames.events,
        Item: clearAccountOpened('account-legacy-gina', 'gina', 'Gina Legacy'),
      }),
    );
    expect(legacy.$metadata.httpStatusCode).toBe(200);
    const erased = await es('erase', 'gina', '--reason', 'request #9', '--json');
    expect(JSON.parse(erased.output)).toMatchObject({
      subject: 'gina',
      clearEvents: [
        {
          streamId: 'account-legacy-gina',
          version: 1,
          type: 'AccountOpened',
          fields: ['holderName'],
        },
      ],
    });
  });
});

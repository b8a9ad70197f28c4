import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlobalLogReader } from '../../functions/eventsourcing/global-log';
import { ParkedStreams } from '../../functions/eventsourcing/hosts';
import { systemContext } from '../../local/es/context';
import { waitFor } from '../../local/wait-for';
import { expectCorruptAnswers } from '../support/corrupt-event';
import { readAllReferences } from '../support/global-log';
import { startTestApi, type TestApi } from '../support/local-api';
import { runOperator } from '../support/operator';
import { putUnreadableEvent, storedVersions } from '../support/stored-items';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.stop());

describe('a stored event whose data is not JSON', () => {
  it('answers CorruptEvent on its stream and writes nothing; the consumers park it and every other stream flows', async () => {
    const accountId = await t.openAccount('uma', 100);
    const streamId = `account-${accountId}`;
    // A manual write that broke the item's JSON: no schema can even be asked about it.
    await putUnreadableEvent(
      { client: t.client, names: t.stack.tableNames },
      {
        streamId,
        version: 3,
        eventId: `${streamId}-3`,
        type: 'MoneyDeposited',
        schemaVersion: 1,
        data: {},
        metadata: {},
        recordedAt: new Date().toISOString(),
      },
    );
    const versions = () => storedVersions(t.client, t.stack.tableNames.events, streamId);
    expect(await versions()).toEqual([1, 2, 3]);

    await expectCorruptAnswers(t.api, accountId, { version: 3, field: 'data' });
    expect(await versions()).toEqual([1, 2, 3]);

    // Each projection handling deposits parks the stream with the reason; nothing stops.
    const parking = new ParkedStreams(
      DynamoDBDocumentClient.from(t.client),
      t.stack.tableNames.parkedStreams,
    );
    const parked = await waitFor(
      async () => {
        const record = await parking.get('account-summaries', streamId);
        return record?.status === 'parked' ? record : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, description: `${streamId} parked` },
    );
    expect(parked).toMatchObject({ version: 3, kind: 'poison', eventType: 'MoneyDeposited' });
    expect(parked.error).toContain('not JSON');

    // The operator's scan names it; the global log gives it a position (it needs only the type).
    const scan = await runOperator(['corrupt'], (io) =>
      systemContext(t.client, t.stack.tableNames, io),
    );
    expect(scan.code).toBe(2);
    expect(scan.output).toContain(
      `${streamId} version 3 (MoneyDeposited ${streamId}-3): data: not JSON`,
    );
    const { globalLog, events } = t.stack.tableNames;
    const reader = new GlobalLogReader({ client: t.client, tables: { globalLog, events } });
    await waitFor(
      async () =>
        (await readAllReferences(reader)).some(
          (reference) => reference.streamId === streamId && reference.version === 3,
        ) || undefined,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        description: `${streamId} version 3 in the global log`,
      },
    );

    const other = await t.openAccount('vera', 10);
    expect((await t.api.post(`/accounts/${other}/deposits`, { body: { amount: 7 } })).status).toBe(
      200,
    );
    await t.eventually(`/accounts/${other}`, (r) => r.body.balance === 17);
    await t.eventually('/owners/vera/accounts', (r) => {
      const accounts = r.body.accounts as { balance: number }[] | undefined;
      return accounts?.[0]?.balance === 17;
    });
  });
});

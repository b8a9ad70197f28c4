import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createHistoryFixture,
  eventKey,
  fullFindings,
  happened,
  type HistoryFixture,
} from '../support/history';

let history: HistoryFixture;
const findings = () => fullFindings(history);

describe('sealing', () => {
  beforeEach(async () => {
    history = await createHistoryFixture();
  });

  it('seals nothing when nothing is new, and links each checkpoint to the one before', async () => {
    expect(await history.sealer().seal()).toEqual([]);
    await history.append('a', happened(3));
    const [first] = await history.sealer().seal();
    expect(first).toMatchObject({ sequence: 1, firstPosition: 1, lastPosition: 3, written: true });
    expect(await history.sealer().seal()).toEqual([]);
    await history.append('a', happened(2, 4));
    const [second] = await history.sealer().seal();
    expect(second).toMatchObject({ sequence: 2, firstPosition: 4, lastPosition: 5 });
  });

  it('records a checkpoint a stopped run wrote, instead of writing another', async () => {
    await history.append('a', happened(3));
    await history.sealer().seal();
    // A run that stopped after writing its checkpoint, before moving the head.
    await history.tables.client.send(
      new DeleteItemCommand({
        TableName: history.tables.names.seals,
        Key: { pk: { S: 'head' }, sk: { N: '0' } },
      }),
    );
    await history.append('b', happened(2));
    const resumed = await history.sealer().seal();
    expect(resumed.map(({ sequence, written }) => ({ sequence, written }))).toEqual([
      { sequence: 1, written: false },
      { sequence: 2, written: true },
    ]);
    expect(await findings()).toEqual([]);
  });

  it('gives concurrent sealers one chain of checkpoints', async () => {
    for (let round = 0; round < 5; round++) {
      await history.append(`s${round}`, happened(3));
      await Promise.all([
        history.sealer().seal(),
        history.sealer().seal(),
        history.sealer().seal(),
      ]);
    }
    const sequences = await history.checkpoints.sequences();
    expect(sequences).toEqual(sequences.map((_, index) => index + 1));
    expect(await findings()).toEqual([]);
  });

  it('reports events stored before hashing as unsealed, not as failures', async () => {
    const legacy = history.tables.names.events;
    for (const version of [1, 2]) {
      await history.tables.client.send(
        new PutItemCommand({
          TableName: legacy,
          Item: {
            ...eventKey('old', version),
            eventId: { S: `old-${version}` },
            type: { S: 'Happened' },
            recordedAt: { S: '2025-01-01T00:00:00.000Z' },
            schemaVersion: { N: '1' },
            data: { M: { n: { N: String(version) } } },
            metadata: { M: {} },
          },
        }),
      );
    }
    const old = await history.store().read('old');
    await history.index(old);
    await history.append('old', happened(1, 3));
    await history.sealer().seal();
    const report = await (await history.verifier()).verify({ full: true });
    expect(report.findings).toEqual([]);
    expect(report.unsealed).toEqual([{ streamId: 'old', fromVersion: 1, toVersion: 2 }]);
  });
});

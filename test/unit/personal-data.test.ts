import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  ConfigurationError,
  CorruptEventError,
  EventCatalogue,
  InvalidEventError,
  SubjectErasedError,
  storedData,
} from '../../functions/eventsourcing';
import { InMemoryEventStore } from '../../functions/eventsourcing/testing';
import { InMemorySubjectKeys } from '../../functions/eventsourcing/personal/in-memory-subject-keys';
import { PersonalData } from '../../functions/eventsourcing/personal/personal-data';
import { InvalidPersonalDataError } from '../../functions/eventsourcing/personal/declaration';

const schemas = {
  Opened: z.object({
    ownerId: z.string(),
    holderName: z.string().optional(),
    email: z.string().optional(),
  }),
  Deposited: z.object({
    amount: z.int(),
    ownerId: z.string().optional(),
    source: z.string().optional(),
  }),
};

const catalogue = EventCatalogue.of(
  schemas,
  {},
  {
    Opened: { subject: 'ownerId', fields: { holderName: '[erased]', email: '[erased]' } },
    Deposited: { subject: 'ownerId', fields: { source: '[erased]' } },
  },
);

function setUp() {
  const keys = new InMemorySubjectKeys();
  const store = new InMemoryEventStore({ catalogue, personalData: new PersonalData(keys) });
  return { keys, store };
}

const storedItemData = (store: InMemoryEventStore, streamId: string, version: number) =>
  JSON.stringify(store.table.get(streamId, version)!.data);

describe('personal data declared with the schema', () => {
  const refused = (personal: Parameters<typeof EventCatalogue.of<typeof schemas>>[2]) =>
    expect(() => EventCatalogue.of(schemas, {}, personal)).toThrow(InvalidPersonalDataError);

  it('refuses a personal field without a subject, or a subject that is no field', () => {
    refused({ Opened: { subject: '', fields: { holderName: '' } } });
    refused({ Opened: { subject: 'owner', fields: { holderName: '' } } });
  });

  it('refuses a field the data does not have, the subject itself, and a replacement that does not fit', () => {
    refused({ Opened: { subject: 'ownerId', fields: { phone: '' } } });
    refused({ Opened: { subject: 'ownerId', fields: { ownerId: '' } } });
    refused({ Opened: { subject: 'ownerId', fields: { holderName: 42 } } });
  });
});

describe('personal data in the event store', () => {
  it('stores personal fields sealed under their subject, and reads them back in clear', async () => {
    const { store } = setUp();
    await store.append(
      'acc-1',
      [
        {
          type: 'Opened',
          data: { ownerId: 'alice', holderName: 'Alice Liddell', email: 'alice@example.com' },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    const stored = storedItemData(store, 'acc-1', 1);
    expect(stored).not.toContain('Alice Liddell');
    expect(stored).not.toContain('alice@example.com');
    expect(stored).toContain('"s":"alice"');
    const [opened] = await store.read('acc-1');
    expect(opened!.data).toEqual({
      ownerId: 'alice',
      holderName: 'Alice Liddell',
      email: 'alice@example.com',
    });
  });

  it('is refused by a store without subject keys, rather than kept in clear', async () => {
    const store = new InMemoryEventStore({ catalogue });
    await expect(
      store.append('acc-1', [{ type: 'Opened', data: { ownerId: 'alice', holderName: 'Alice' } }], {
        expectedVersion: 'no_stream',
      }),
    ).rejects.toBeInstanceOf(ConfigurationError);
    expect(store.table.get('acc-1', 1)).toBeUndefined();
    // Events without personal values need no keys.
    await store.append('acc-2', [{ type: 'Opened', data: { ownerId: 'bob' } }], {
      expectedVersion: 'no_stream',
    });
  });

  it('reads as its replacements for a reader without the keys: events still parse', async () => {
    const { store } = setUp();
    await store.append(
      'acc-1',
      [{ type: 'Opened', data: { ownerId: 'alice', holderName: 'Alice', email: 'a@example.com' } }],
      { expectedVersion: 'no_stream' },
    );
    const withoutKeys = new InMemoryEventStore({ catalogue, table: store.table });
    const [opened] = await withoutKeys.read('acc-1');
    expect(opened!.data).toEqual({ ownerId: 'alice', holderName: '[erased]', email: '[erased]' });
    // A projection without the keys still keeps the sealed values, for its query to open.
    expect(JSON.stringify(storedData(opened!))).toContain('"$sealed"');
  });

  it("reads an erased subject's fields as their replacements, keeps the hashes, and fences new personal data", async () => {
    const { keys, store } = setUp();
    await store.append(
      'acc-1',
      [{ type: 'Opened', data: { ownerId: 'alice', holderName: 'Alice' } }],
      {
        expectedVersion: 'no_stream',
      },
    );
    await store.append('acc-2', [{ type: 'Opened', data: { ownerId: 'bob', holderName: 'Bob' } }], {
      expectedVersion: 'no_stream',
    });
    const hashBefore = store.table.get('acc-1', 1)!.hash;
    keys.erase('alice');
    const [erased] = await store.read('acc-1');
    expect(erased!.data).toEqual({ ownerId: 'alice', holderName: '[erased]' });
    expect(erased!.hash).toBe(hashBefore);
    expect((await store.read('acc-2'))[0]!.data).toMatchObject({ holderName: 'Bob' });
    await expect(
      store.append(
        'acc-1',
        [{ type: 'Deposited', data: { amount: 1, ownerId: 'alice', source: 'x' } }],
        {
          expectedVersion: 1,
        },
      ),
    ).rejects.toBeInstanceOf(SubjectErasedError);
    // An event without personal values still lands: the fence keeps out personal data only.
    await store.append('acc-1', [{ type: 'Deposited', data: { amount: 1 } }], {
      expectedVersion: 1,
    });
    expect(await store.headVersion('acc-1')).toBe(2);
  });

  it('refuses personal values whose subject the event does not name', async () => {
    const { store } = setUp();
    await expect(
      store.append('acc-1', [{ type: 'Deposited', data: { amount: 5, source: 'salary' } }], {
        expectedVersion: 'no_stream',
      }),
    ).rejects.toMatchObject({ field: 'events[0].data.ownerId' });
    await expect(
      store.append('acc-1', [{ type: 'Deposited', data: { amount: 5, source: 'salary' } }], {
        expectedVersion: 'no_stream',
      }),
    ).rejects.toBeInstanceOf(InvalidEventError);
  });

  it('refuses a sealed value moved to another event', async () => {
    const { store } = setUp();
    await store.append(
      'acc-1',
      [
        { type: 'Deposited', data: { amount: 1, ownerId: 'alice', source: 'salary' } },
        { type: 'Deposited', data: { amount: 2, ownerId: 'alice', source: 'bonus' } },
      ],
      { expectedVersion: 'no_stream' },
    );
    const first = store.table.get('acc-1', 1)!;
    store.table.putStored({ ...first, version: 2, data: first.data });
    await expect(store.read('acc-1')).rejects.toBeInstanceOf(CorruptEventError);
  });

  it('opens sealed values anywhere inside a value, as read models and snapshots keep them', async () => {
    const keys = new InMemorySubjectKeys();
    const personal = new PersonalData(keys);
    const sealed = await personal.sealValue(
      'carol',
      { name: 'Carol' },
      { streamId: 's', context: 'test' },
    );
    const item = { pk: 'x', rows: [{ holder: sealed, amount: 3 }] };
    expect(JSON.stringify(item)).not.toContain('Carol');
    expect(await personal.revealDeep(item)).toEqual({
      pk: 'x',
      rows: [{ holder: { name: 'Carol' }, amount: 3 }],
    });
    keys.erase('carol');
    expect(await personal.revealDeep(item)).toEqual({
      pk: 'x',
      rows: [{ holder: null, amount: 3 }],
    });
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { accountEvents } from '../../functions/accounts/events';
import { EventCatalogue, EventStore } from '../../functions/eventsourcing';
import {
  DynamoDbSubjectKeys,
  LocalKeyWrapper,
  PersonalData,
} from '../../functions/eventsourcing/personal';
import type { BenchEnvironment } from '../environment';
import { groupIntoRuns, interleave, pairwiseRatio } from '../interleave';
import type { BenchSettings, PersonalDataSettings } from '../settings';
import type { Spread } from '../stats';
import { EVENT_METADATA } from '../workload';
import {
  measureInProcess,
  storedSizes,
  type InProcessCost,
  type StoredSizes,
} from './personal-data-crypto';
import {
  PERSONAL_SIDES,
  openedEvent,
  type PersonalSide,
  type Subject,
} from './personal-data-events';
import { CountingKeyWrapper, countKeyRequests, noCosts, type Probes } from './personal-data-probes';
import {
  batch,
  summariseRun,
  summariseSide,
  type Batch,
  type PersonalSideSummary,
} from './personal-data-batches';

/**
 * What is measured, in this order on every subject: its first event (the subject's key created),
 * an append and a read by the process that created the key (key cached), then an append and a
 * read by a process that has never seen the subject (a new container, or a cache expired).
 */
export const PERSONAL_OPERATIONS = [
  'firstAppend',
  'warmAppend',
  'warmLoad',
  'coldAppend',
  'coldLoad',
] as const;
export type PersonalOperation = (typeof PERSONAL_OPERATIONS)[number];

export interface PersonalOperationResult {
  readonly operation: PersonalOperation;
  readonly sides: Record<PersonalSide, PersonalSideSummary>;
  /** Operations per second sealed ÷ plain, paired per run. */
  readonly sealedVersusPlain: Spread;
}

export interface PersonalDataResult {
  /** The machine's one-minute load average when the section started. */
  readonly loadAverageAtStart: number;
  readonly runs: number;
  /** Batches per side per run, the sides taking turns. */
  readonly slotsPerRun: number;
  readonly subjectsPerSide: number;
  readonly concurrency: number;
  /** How long the process that created a key keeps it (the default for every other process). */
  readonly warmCacheMs: number;
  readonly operations: readonly PersonalOperationResult[];
  readonly sizes: StoredSizes;
  readonly inProcess: InProcessCost;
}

/** The cache of the warm process: long enough for a whole run, so every warm read hits it. */
const WARM_CACHE_MS = 60 * 60_000;

/** The section's stores: `plain` declares no personal fields, `sealed` seals them. */
class Stores {
  private readonly plainCatalogue = EventCatalogue.of(accountEvents.schemas);
  readonly warm: Record<PersonalSide, EventStore>;
  /** The sealing of the warm process, whose cache holds every key it has used. */
  readonly warmPersonalData: PersonalData;

  constructor(
    private readonly env: BenchEnvironment,
    private readonly wrapper: CountingKeyWrapper,
  ) {
    this.warmPersonalData = this.personalData(WARM_CACHE_MS);
    this.warm = { plain: this.store('plain'), sealed: this.store('sealed', this.warmPersonalData) };
  }

  /** Sealing over the data keys table; `cacheMs` undefined is the framework's default. */
  personalData(cacheMs?: number): PersonalData {
    const { client, tables } = this.env;
    return new PersonalData(
      new DynamoDbSubjectKeys({
        client,
        tables: { dataKeys: tables.dataKeys, events: tables.events },
        wrapper: this.wrapper,
        cacheMs,
      }),
    );
  }

  /** A store of a process of its own (the sealed side with a cache of its own by default). */
  store(side: PersonalSide, personalData = this.personalData()): EventStore {
    const { client, tables } = this.env;
    if (side === 'plain') {
      return new EventStore({ client, tableName: tables.events, catalogue: this.plainCatalogue });
    }
    return new EventStore({
      client,
      tableName: tables.events,
      catalogue: accountEvents.catalogue,
      personalData,
    });
  }

  /** The operation on one subject, by the warm process or (cold) a new one per batch. */
  operation(side: PersonalSide, operation: PersonalOperation): (s: Subject) => Promise<unknown> {
    const store = operation.startsWith('cold') ? this.store(side) : this.warm[side];
    const append = (version: number) => (s: Subject) =>
      store.append(s.streamId, [openedEvent(s)], {
        expectedVersion: version === 0 ? 'no_stream' : version,
        metadata: EVENT_METADATA,
      });
    switch (operation) {
      case 'firstAppend':
        return append(0);
      case 'warmAppend':
        return append(1);
      case 'coldAppend':
        return append(2);
      case 'warmLoad':
      case 'coldLoad':
        return (s) => store.read(s.streamId);
    }
  }
}

/** Fresh subjects for one side: `slots` batches of `perSlot`, each subject its own stream. */
function newSubjects(side: PersonalSide, tag: string, slots: number, perSlot: number) {
  return Array.from({ length: slots }, (_, slot) =>
    Array.from({ length: perSlot }, (_, i): Subject => {
      const serial = slot * perSlot + i;
      const subject = `owner-${tag}-${side}-${slot}-${i}`;
      return { subject, streamId: `account-${subject}`, serial };
    }),
  );
}

/**
 * One run: fresh subjects per side, every operation in turn on all of them, the two sides'
 * batches interleaved in a random order per slot. Returns each operation's batches per side.
 */
async function measureRun(
  stores: Stores,
  settings: PersonalDataSettings,
  probes: Probes,
): Promise<Record<PersonalOperation, Record<PersonalSide, Batch[]>>> {
  const { slotsPerRun, subjectsPerSlot, concurrency } = settings;
  const tag = randomUUID().slice(0, 8);
  const subjects = {
    plain: newSubjects('plain', tag, slotsPerRun, subjectsPerSlot),
    sealed: newSubjects('sealed', tag, slotsPerRun, subjectsPerSlot),
  };
  const result = {} as Record<PersonalOperation, Record<PersonalSide, Batch[]>>;
  for (const operation of PERSONAL_OPERATIONS) {
    result[operation] = await interleave(
      PERSONAL_SIDES,
      slotsPerRun,
      (side, slot) =>
        batch(subjects[side][slot]!, stores.operation(side, operation), concurrency, probes),
      'shuffle',
    );
  }
  return result;
}

/**
 * Section 11: the cost of sealing personal data, on append and on load, against the same events
 * of a catalogue that declares no personal fields; key table requests and master key calls per
 * operation, for a subject's first event, with its key cached and without.
 */
export async function measurePersonalData(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<PersonalDataResult> {
  const pd = settings.personalData;
  const loadAverageAtStart = Number(loadavg()[0]!.toFixed(2));
  const directory = await mkdtemp(path.join(tmpdir(), 'bench-personal-data-'));
  const probes: Probes = { current: noCosts() };
  const stopCounting = countKeyRequests(env.client, env.tables, probes);
  try {
    const stores = new Stores(env, new CountingKeyWrapper(new LocalKeyWrapper(directory), probes));
    await measureRun(stores, { ...pd, slotsPerRun: 1 }, probes);
    const batches = Object.fromEntries(
      PERSONAL_OPERATIONS.map((op) => [op, { plain: [] as Batch[], sealed: [] as Batch[] }]),
    ) as Record<PersonalOperation, Record<PersonalSide, Batch[]>>;
    for (let run = 0; run < pd.runs; run++) {
      const measured = await measureRun(stores, pd, probes);
      for (const op of PERSONAL_OPERATIONS) {
        batches[op].plain.push(...measured[op].plain);
        batches[op].sealed.push(...measured[op].sealed);
      }
    }
    const operations = PERSONAL_OPERATIONS.map((operation): PersonalOperationResult => {
      const sides = {
        plain: summariseSide(batches[operation].plain, pd.runs),
        sealed: summariseSide(batches[operation].sealed, pd.runs),
      };
      const rates = (side: PersonalSide) =>
        groupIntoRuns(batches[operation][side], pd.runs).map((b) => summariseRun(b).opsPerSecond);
      return {
        operation,
        sides,
        sealedVersusPlain: pairwiseRatio(rates('sealed'), rates('plain')),
      };
    });
    return {
      loadAverageAtStart,
      runs: pd.runs,
      slotsPerRun: pd.slotsPerRun,
      subjectsPerSide: pd.runs * pd.slotsPerRun * pd.subjectsPerSlot,
      concurrency: pd.concurrency,
      warmCacheMs: WARM_CACHE_MS,
      operations,
      sizes: await storedSizes(env, stores.warm),
      inProcess: await measureInProcess(stores.warm.sealed, stores.warmPersonalData, pd),
    };
  } finally {
    stopCounting();
    await rm(directory, { recursive: true, force: true });
  }
}

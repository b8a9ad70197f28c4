/** How long and how often each section measures; `--quick` is for trying the bench out. */
export interface BenchSettings {
  readonly mode: 'full' | 'quick';
  /** Runs per throughput comparison: every figure is a median over runs, every ratio per run. */
  readonly runs: number;
  /** Slices each side gets in one run; sides take turns slice by slice. */
  readonly slicesPerRun: number;
  /** Duration of one slice. */
  readonly sliceMs: number;
  /** Untimed burst per side before measuring (JIT of both Node and the JVM). */
  readonly warmupMs: number;
  /** Untimed mixed load before the first section, so the JVM is warm for every section. */
  readonly globalWarmupMs: number;
  readonly concurrencies: readonly number[];
  /** Events per stream in the command-path benchmarks before a worker moves to a new stream. */
  readonly commandStreamLength: number;
  /** Stream lengths for the load benchmarks, and how many interleaved loads each gets. */
  readonly loads: readonly { readonly length: number; readonly repetitions: number }[];
  /** Events behind the head at which the load benchmarks' snapshot is taken. */
  readonly snapshotTail: number;
  /** Runs of each operation when counting requests and capacity. */
  readonly capacityRuns: number;
  /** Section 7: keyed commands per side in each run. */
  readonly keyedCommandsPerRun: number;
  /** Section 4: events written across how many streams, per run. */
  readonly projections: {
    readonly events: number;
    readonly streams: number;
    readonly runs: number;
  };
  /** Section 6: fresh Node.js processes that import each function's bundle. */
  readonly coldImports: number;
  /** Section 9: verifiable history. */
  readonly history: HistorySettings;
  /** Section 10: writers on one stream; each writer count gets one slice per run. */
  readonly contention: { readonly sliceMs: number; readonly runs: number };
  /** Section 11: personal data sealed per data subject. */
  readonly personalData: PersonalDataSettings;
  /** Section 12: the archive. */
  readonly archive: ArchiveSettings;
  /** Section 13: process managers (order fulfilment). */
  readonly processes: ProcessSettings;
}

/**
 * How section 13 runs order fulfilment: per run, `orders` orders of two lines over `products`
 * products, then as many over `hotProducts`, placed and paid by `concurrency` clients.
 */
export interface ProcessSettings {
  readonly runs: number;
  readonly orders: number;
  readonly products: number;
  readonly hotProducts: number;
  readonly concurrency: number;
  /** Orders placed and paid before the first run, not measured (JIT of Node and the JVM). */
  readonly warmupOrders: number;
  /** Orders placed by one client, each fulfilled before the next: latency without a queue. */
  readonly oneAtATimeOrders: number;
}

/** How section 12 measures the archive: one history archived whole, then smaller ones. */
export interface ArchiveSettings {
  /** The history whose storage, archive run and loads are measured: streams, events each. */
  readonly streams: number;
  readonly eventsPerStream: number;
  /** Timed loads of each kind, interleaved. */
  readonly loadRepetitions: number;
  /**
   * The hot path with and without an archive run going on: runs, each one slice of either (an
   * archive run of `streamsPerRun` streams of its own), the slice ending with the archive run.
   */
  readonly hotPathRuns: number;
  readonly streamsPerRun: number;
  /** Appending workers, and as many loading ones, during a slice; a slice's longest duration. */
  readonly hotPathWorkers: number;
  readonly hotPathSliceMs: number;
}

/** How section 11 measures sealing: every subject is new, and each operation runs once on it. */
export interface PersonalDataSettings {
  readonly runs: number;
  /** Batches per side in each run (the sides take turns batch by batch), and subjects in each. */
  readonly slotsPerRun: number;
  readonly subjectsPerSlot: number;
  /** Operations in flight at once per side (one: a Lambda container serves one at a time). */
  readonly concurrency: number;
  /** Events sealed and revealed in process per run, for the cost of AES-GCM alone. */
  readonly inProcessEvents: number;
  readonly inProcessRuns: number;
}

/** How section 9 measures hashing, verification and sealing. */
export interface HistorySettings {
  /**
   * Runs of the interleaved append comparison, and slices per side in each: more, shorter runs
   * than elsewhere, as the effect is small and the median of many paired runs is steadier.
   */
  readonly appendRuns: number;
  readonly appendSlicesPerRun: number;
  /** Events hashed in process per run, for the CPU cost of hashing and the verification rate. */
  readonly inProcessEvents: number;
  readonly inProcessRuns: number;
  /** Streams the seeded history spreads its events over. */
  readonly streams: number;
  /** Checkpoints timed and counted: events sealed by each, and how many of each. */
  readonly seals: readonly { readonly events: number; readonly runs: number }[];
  /** Full verifications of the seeded history. */
  readonly verifyRuns: number;
}

const full: BenchSettings = {
  mode: 'full',
  runs: 5,
  slicesPerRun: 6,
  sliceMs: 200,
  warmupMs: 500,
  globalWarmupMs: 15000,
  concurrencies: [1, 16],
  commandStreamLength: 10,
  loads: [
    { length: 10, repetitions: 31 },
    { length: 100, repetitions: 21 },
    { length: 1000, repetitions: 15 },
    { length: 10_000, repetitions: 7 },
  ],
  snapshotTail: 5,
  capacityRuns: 3,
  keyedCommandsPerRun: 40,
  projections: { events: 1000, streams: 20, runs: 3 },
  coldImports: 9,
  history: {
    appendRuns: 24,
    appendSlicesPerRun: 3,
    inProcessEvents: 100_000,
    inProcessRuns: 5,
    streams: 300,
    seals: [
      { events: 1000, runs: 3 },
      { events: 10_000, runs: 2 },
    ],
    verifyRuns: 3,
  },
  contention: { sliceMs: 3000, runs: 5 },
  personalData: {
    runs: 5,
    slotsPerRun: 4,
    subjectsPerSlot: 50,
    concurrency: 1,
    inProcessEvents: 20_000,
    inProcessRuns: 5,
  },
  archive: {
    streams: 1000,
    eventsPerStream: 25,
    loadRepetitions: 201,
    hotPathRuns: 6,
    streamsPerRun: 40,
    hotPathWorkers: 4,
    hotPathSliceMs: 5000,
  },
  processes: {
    runs: 3,
    orders: 500,
    products: 20,
    hotProducts: 2,
    concurrency: 16,
    warmupOrders: 40,
    oneAtATimeOrders: 40,
  },
};

/** Shorter and fewer of everything; what each section measures stays the same. */
const quick: BenchSettings = {
  ...full,
  mode: 'quick',
  runs: 3,
  slicesPerRun: 2,
  sliceMs: 150,
  warmupMs: 150,
  globalWarmupMs: 1000,
  loads: [
    { length: 10, repetitions: 5 },
    { length: 100, repetitions: 5 },
    { length: 1000, repetitions: 3 },
  ],
  capacityRuns: 2,
  keyedCommandsPerRun: 10,
  projections: { events: 300, streams: 10, runs: 1 },
  coldImports: 3,
  history: {
    appendRuns: 3,
    appendSlicesPerRun: 2,
    inProcessEvents: 20_000,
    inProcessRuns: 2,
    streams: 100,
    seals: [
      { events: 1000, runs: 1 },
      { events: 5000, runs: 1 },
    ],
    verifyRuns: 1,
  },
  contention: { sliceMs: 1000, runs: 2 },
  personalData: {
    runs: 2,
    slotsPerRun: 2,
    subjectsPerSlot: 20,
    concurrency: 1,
    inProcessEvents: 2000,
    inProcessRuns: 2,
  },
  archive: {
    streams: 100,
    eventsPerStream: 25,
    loadRepetitions: 21,
    hotPathRuns: 2,
    streamsPerRun: 20,
    hotPathWorkers: 4,
    hotPathSliceMs: 2000,
  },
  processes: {
    runs: 1,
    orders: 50,
    products: 20,
    hotProducts: 2,
    concurrency: 16,
    warmupOrders: 10,
    oneAtATimeOrders: 5,
  },
};

export const benchSettings = (isQuick: boolean): BenchSettings => (isQuick ? quick : full);

import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/eventsourcing';
import {
  bucketEnvironment,
  bucketNameEnvVar,
  bucketNameFromEnv,
  declarationProblems,
  effectiveBuckets,
  hostFunction,
  prefixedBucketNames,
  tableNameEnvVar,
  type BucketDeclaration,
  type ConsumerDeclaration,
  type FunctionDeclaration,
  type SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import * as system from '../../functions/system';
import { systemDeclaration } from '../../lib/declaration';

const sealer: FunctionDeclaration = {
  description: 'Seals the global log',
  entry: 'functions/system.ts',
  trigger: 'schedule',
  scheduleMinutes: 5,
  memoryMb: 256,
  timeoutSeconds: 30,
  tables: {},
  buckets: { checkpoints: 'writeOnce' },
};

/** The real declaration with a function using buckets, and an extra plain bucket. */
const withSealer = (buckets: FunctionDeclaration['buckets']): SystemDeclaration => ({
  ...systemDeclaration,
  buckets: { ...systemDeclaration.buckets, exports: { description: 'Exports' } },
  functions: { ...systemDeclaration.functions, sealer: { ...sealer, buckets } },
});

/** The real declaration with a reaction using buckets. */
const withReaction = (reaction: ConsumerDeclaration): SystemDeclaration => {
  const reactions = systemDeclaration.streamHosts.reactions!;
  return {
    ...systemDeclaration,
    streamHosts: {
      ...systemDeclaration.streamHosts,
      reactions: { ...reactions, consumers: { ...reactions.consumers, archiver: reaction } },
    },
  };
};

describe('the declared buckets', () => {
  it('hold the checkpoints and the archive, write-once, each written by one function', () => {
    expect(system.buckets).toEqual({
      checkpoints: {
        description: 'Signed checkpoints of the global log; write-once.',
        writeOnce: true,
      },
      archive: {
        description:
          'Events of aged streams, moved out of the events table byte for byte (compressed JSON Lines segments); write-once.',
        writeOnce: true,
        retentionSetting: 'archiveRetentionDays',
        transitions: [
          { days: 30, storageClass: 'STANDARD_IA' },
          { days: 90, storageClass: 'GLACIER_IR' },
        ],
        archiveOf: 'events',
      },
    });
    expect(systemDeclaration.buckets).toBe(system.buckets);
    const users = Object.entries(system.functions).flatMap(([key, fn]) =>
      'buckets' in fn ? [[key, fn.buckets]] : [],
    );
    expect(users).toEqual([
      ['sealCheckpoints', { checkpoints: 'writeOnce' }],
      ['eventProofs', { checkpoints: 'read' }],
      ['archiveStreams', { archive: 'writeOnce' }],
    ]);
  });

  it('accept read and writeOnce on a write-once bucket, and readWrite on another', () => {
    expect(
      declarationProblems(withSealer({ checkpoints: 'writeOnce', exports: 'readWrite' })),
    ).toEqual([]);
    expect(declarationProblems(withSealer({ checkpoints: 'read' }))).toEqual([]);
  });

  it('refuse a grant on an undeclared bucket, to a function or a consumer', () => {
    expect(declarationProblems(withSealer({ reports: 'read' }))).toEqual([
      'function sealer uses undeclared bucket reports',
    ]);
    expect(
      declarationProblems(
        withReaction({
          description: 'Archives',
          kind: 'reaction',
          tables: {},
          buckets: { reports: 'writeOnce' },
        }),
      ),
    ).toEqual(['consumer archiver uses undeclared bucket reports']);
  });

  it('refuse readWrite on a write-once bucket', () => {
    expect(declarationProblems(withSealer({ checkpoints: 'readWrite' }))).toEqual([
      'function sealer asks for readWrite on write-once bucket checkpoints (read or writeOnce only)',
    ]);
  });

  it('refuse a key that cannot name a bucket', () => {
    const declaration: SystemDeclaration = {
      ...systemDeclaration,
      buckets: { Archive: { description: 'Capitalized' }, 'old-events': { description: 'Dash' } },
    };
    expect(declarationProblems(declaration).filter((p) => p.startsWith('bucket '))).toEqual([
      expect.stringMatching(/^bucket Archive needs a key of letters and digits/),
      expect.stringMatching(/^bucket old-events needs a key of letters and digits/),
    ]);
  });

  it('reach a stream host with the broadest access its consumers ask for', () => {
    const consumer = (buckets: ConsumerDeclaration['buckets']): ConsumerDeclaration => ({
      description: 'Uses buckets',
      kind: 'reaction',
      tables: {},
      buckets,
    });
    const host = systemDeclaration.streamHosts.reactions!;
    const fn = hostFunction({
      ...host,
      consumers: {
        first: consumer({ checkpoints: 'read', exports: 'readWrite' }),
        second: consumer({ checkpoints: 'writeOnce', exports: 'read' }),
      },
    });
    expect(fn.buckets).toEqual({ checkpoints: 'writeOnce', exports: 'readWrite' });
    expect(hostFunction(host)).not.toHaveProperty('buckets');
  });
});

/** The real declaration with the archive bucket changed. */
const withArchive = (changes: Partial<BucketDeclaration>): SystemDeclaration => ({
  ...systemDeclaration,
  buckets: { ...systemDeclaration.buckets, archive: { ...system.buckets.archive, ...changes } },
});

describe('the archive', () => {
  const archiver = systemDeclaration.functions.archiveStreams!;

  it('is read by every function and stream host with any access to the events table', () => {
    const readers = Object.entries(systemDeclaration.functions).filter(
      ([, fn]) => fn.tables.events,
    );
    expect(readers.map(([key]) => key)).toEqual(
      expect.arrayContaining(['projections', 'reactions', 'eventFeed', 'accountCommands']),
    );
    for (const [key, fn] of readers) {
      const expected = key === 'archiveStreams' ? 'writeOnce' : 'read';
      expect(effectiveBuckets(fn, systemDeclaration.buckets).archive, key).toBe(expected);
    }
    for (const [key, fn] of Object.entries(systemDeclaration.functions)) {
      if (!fn.tables.events) {
        expect(effectiveBuckets(fn, systemDeclaration.buckets), key).toEqual(fn.buckets ?? {});
      }
    }
  });

  it('keeps what a function declares beside it', () => {
    const fn = { tables: { events: 'read' }, buckets: { checkpoints: 'read' } } as const;
    expect(effectiveBuckets(fn, systemDeclaration.buckets)).toEqual({
      archive: 'read',
      checkpoints: 'read',
    });
    expect(effectiveBuckets(fn, { checkpoints: system.buckets.checkpoints })).toEqual({
      checkpoints: 'read',
    });
  });

  it('lets one function alone archive, an append-only table whose archive is declared', () => {
    expect(declarationProblems(systemDeclaration)).toEqual([]);
    const twice: SystemDeclaration = {
      ...systemDeclaration,
      functions: { ...systemDeclaration.functions, secondArchiver: archiver },
    };
    expect(declarationProblems(twice)).toEqual([
      'archive access is for one function alone; archiveStreams, secondArchiver ask for it',
    ]);
    const snapshots: SystemDeclaration = {
      ...systemDeclaration,
      functions: {
        ...systemDeclaration.functions,
        archiveStreams: { ...archiver, tables: { snapshots: 'archive' } },
      },
    };
    expect(declarationProblems(snapshots)).toEqual([
      'function archiveStreams asks for archive on table snapshots, which is not append-only',
    ]);
    expect(
      declarationProblems({
        ...systemDeclaration,
        buckets: { checkpoints: system.buckets.checkpoints },
        functions: { ...systemDeclaration.functions, archiveStreams: { ...archiver, buckets: {} } },
      }),
    ).toEqual([
      'function archiveStreams archives table events, but no bucket declares archiveOf: events',
    ]);
  });

  it("is never a consumer's to archive with", () => {
    expect(
      declarationProblems(
        withReaction({ description: 'Deletes', kind: 'reaction', tables: { events: 'archive' } }),
      ),
    ).toEqual([
      "consumer archiver asks for archive on table events: only a function may, as consumers share their host's role",
    ]);
  });

  it('moves objects only to classes that read back at once, later and colder each step', () => {
    const transitionsOf = (transitions: unknown) =>
      declarationProblems(withArchive({ transitions } as Partial<BucketDeclaration>));
    expect(transitionsOf([{ days: 200, storageClass: 'DEEP_ARCHIVE' }])).toEqual([
      'bucket archive moves objects to DEEP_ARCHIVE, which does not read back at once (STANDARD_IA or GLACIER_IR only)',
    ]);
    expect(transitionsOf([{ days: 10, storageClass: 'STANDARD_IA' }])).toEqual([
      'bucket archive moves objects to STANDARD_IA after 10 days: S3 needs at least 30',
    ]);
    expect(transitionsOf([{ days: 1.5, storageClass: 'GLACIER_IR' }])).toEqual([
      'bucket archive moves objects to GLACIER_IR after 1.5 days: a whole number of days from 1 is needed',
    ]);
    expect(
      transitionsOf([
        { days: 90, storageClass: 'GLACIER_IR' },
        { days: 120, storageClass: 'STANDARD_IA' },
      ]),
    ).toEqual([
      'bucket archive moves objects to STANDARD_IA after 120 days: each step must come later and go colder than the one before',
    ]);
    expect(transitionsOf([{ days: 1, storageClass: 'GLACIER_IR' }])).toEqual([]);
  });

  it('names a declared table, and a retention setting only when write-once', () => {
    expect(declarationProblems(withArchive({ archiveOf: 'history' }))).toEqual([
      'bucket archive archives undeclared table history',
      'function archiveStreams archives table events, but no bucket declares archiveOf: events',
    ]);
    const unlocked: SystemDeclaration = {
      ...systemDeclaration,
      buckets: {
        ...systemDeclaration.buckets,
        exports: { description: 'Exports', retentionSetting: 'exportRetentionDays' },
      },
    };
    expect(declarationProblems(unlocked)).toEqual([
      'bucket exports has a retentionSetting but is not write-once: it locks nothing',
    ]);
  });
});

describe('bucket names', () => {
  it('reach functions as BUCKET_<NAME> variables, as table names do as TABLE_<NAME>', () => {
    expect(bucketNameEnvVar('checkpoints')).toBe('BUCKET_CHECKPOINTS');
    expect(bucketNameEnvVar('eventArchive')).toBe('BUCKET_EVENT_ARCHIVE');
    expect(tableNameEnvVar('eventArchive')).toBe('TABLE_EVENT_ARCHIVE');
    expect(bucketEnvironment({ checkpoints: 'local-checkpoints' })).toEqual({
      BUCKET_CHECKPOINTS: 'local-checkpoints',
    });
    expect(bucketNameFromEnv('checkpoints', { BUCKET_CHECKPOINTS: 'cp-1' })).toBe('cp-1');
  });

  it('say which variable is missing', () => {
    expect(() => bucketNameFromEnv('checkpoints', {})).toThrow(ConfigurationError);
    expect(() => bucketNameFromEnv('checkpoints', {})).toThrow(
      'Environment variable BUCKET_CHECKPOINTS (name of the checkpoints bucket) is not set',
    );
  });

  it('are lowercase words behind a prefix locally', () => {
    expect(prefixedBucketNames({ checkpoints: {}, eventArchive: {} }, 'local-')).toEqual({
      checkpoints: 'local-checkpoints',
      eventArchive: 'local-event-archive',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/eventsourcing';
import {
  bucketEnvironment,
  bucketNameEnvVar,
  bucketNameFromEnv,
  declarationProblems,
  hostFunction,
  prefixedBucketNames,
  tableNameEnvVar,
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
  it('hold the checkpoints, write-once, written by the sealer and read for proofs', () => {
    expect(system.buckets).toEqual({
      checkpoints: {
        description: 'Signed checkpoints of the global log; write-once.',
        writeOnce: true,
      },
    });
    expect(systemDeclaration.buckets).toBe(system.buckets);
    const users = Object.entries(system.functions).flatMap(([key, fn]) =>
      'buckets' in fn ? [[key, fn.buckets]] : [],
    );
    expect(users).toEqual([
      ['sealCheckpoints', { checkpoints: 'writeOnce' }],
      ['eventProofs', { checkpoints: 'read' }],
    ]);
  });

  it('accept read and writeOnce on a write-once bucket, and readWrite on another', () => {
    expect(
      declarationProblems(withSealer({ checkpoints: 'writeOnce', exports: 'readWrite' })),
    ).toEqual([]);
    expect(declarationProblems(withSealer({ checkpoints: 'read' }))).toEqual([]);
  });

  it('refuse a grant on an undeclared bucket, to a function or a consumer', () => {
    expect(declarationProblems(withSealer({ archive: 'read' }))).toEqual([
      'function sealer uses undeclared bucket archive',
    ]);
    expect(
      declarationProblems(
        withReaction({
          description: 'Archives',
          kind: 'reaction',
          tables: {},
          buckets: { archive: 'writeOnce' },
        }),
      ),
    ).toEqual(['consumer archiver uses undeclared bucket archive']);
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

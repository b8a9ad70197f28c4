import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CheckpointSealer,
  HistoryVerifier,
  LocalCheckpointSigner,
  S3CheckpointStore,
} from '../../functions/eventsourcing/integrity';
import type { HistorySettings } from '../settings';
import { spread, type Spread } from '../stats';
import {
  CountingSigner,
  countServiceCalls,
  spreadCalls,
  type ServiceCallSpreads,
  type ServiceCalls,
} from './history-counters';
import { SeededHistory, type HistoryTables } from './history-seeding';

/** Checkpoints of one size: how long sealing took and what it asked of each service. */
export interface SealingResult {
  /** Events each checkpoint sealed. */
  readonly events: number;
  readonly runs: number;
  readonly ms: Spread;
  /** The whole `seal()` call: the checkpoint, and the look that finds nothing more to seal. */
  readonly calls: ServiceCallSpreads;
}

/** Full verifications of the whole seeded history. */
export interface VerificationResult {
  readonly events: number;
  readonly streams: number;
  readonly checkpoints: number;
  readonly runs: number;
  readonly ms: Spread;
  readonly eventsPerSecond: Spread;
  readonly calls: ServiceCallSpreads;
}

export interface SealingAndVerification {
  readonly streams: number;
  readonly sealing: readonly SealingResult[];
  readonly verification: VerificationResult;
  /** Bytes of the log's pages per position: the least a read of positions costs. */
  readonly logBytesPerPosition: number;
}

/** The log name checkpoints carry here. */
const LOG = 'bench';

/** A seeded history, a sealer with a local key, and a verifier, on the given tables. */
export interface Rig {
  readonly history: SeededHistory;
  readonly sealer: CheckpointSealer;
  readonly verifier: HistoryVerifier;
  readonly count: <T>(work: () => Promise<T>) => Promise<{ result: T; calls: ServiceCalls }>;
}

export async function rig(
  clients: { readonly dynamoDb: DynamoDBClient; readonly s3: S3Client },
  tables: HistoryTables,
  streams: number,
  keyDirectory: string,
): Promise<Rig> {
  const { dynamoDb: client, s3 } = clients;
  const bucket = 'bench-checkpoints';
  // Object Lock, as the deployed bucket: checkpoints are created with If-None-Match: *.
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  const checkpoints = new S3CheckpointStore(s3, bucket);
  const signer = new CountingSigner(await LocalCheckpointSigner.open({ directory: keyDirectory }));
  return {
    history: new SeededHistory(client, tables, streams),
    sealer: new CheckpointSealer({ client, tables, checkpoints, signer, log: LOG }),
    verifier: new HistoryVerifier({
      client,
      tables,
      checkpoints,
      publicKey: await signer.publicKeyPem(),
      log: LOG,
    }),
    count: (work) => countServiceCalls({ dynamoDb: client, s3, signer }, work),
  };
}

interface Measured {
  readonly ms: number;
  readonly calls: ServiceCalls;
}

/** Adds `events` to the history, then seals them in one checkpoint, timed and counted. */
async function sealOnce(rig: Rig, events: number): Promise<Measured> {
  await rig.history.add(events);
  const started = performance.now();
  const { result, calls } = await rig.count(() => rig.sealer.seal());
  const ms = performance.now() - started;
  if (result.length !== 1 || result[0]!.lastPosition - result[0]!.firstPosition + 1 !== events) {
    throw new Error(
      `Expected one checkpoint of ${events} positions, sealed ${JSON.stringify(result)}`,
    );
  }
  return { ms, calls };
}

/**
 * One untimed checkpoint of the first size (the sealer's code and the emulator's paths warm),
 * then the checkpoint sizes in turn (1,000, 10,000, 1,000, …) until each has its runs.
 */
async function measureSeals(rig: Rig, settings: HistorySettings): Promise<SealingResult[]> {
  await sealOnce(rig, settings.seals[0]!.events);
  const measured = settings.seals.map(() => [] as Measured[]);
  const rounds = Math.max(...settings.seals.map((seal) => seal.runs));
  for (let round = 0; round < rounds; round++) {
    for (const [index, seal] of settings.seals.entries()) {
      if (round < seal.runs) measured[index]!.push(await sealOnce(rig, seal.events));
    }
  }
  return settings.seals.map((seal, index) => ({
    events: seal.events,
    runs: seal.runs,
    ms: spread(measured[index]!.map((m) => m.ms)),
    calls: spreadCalls(measured[index]!.map((m) => m.calls)),
  }));
}

async function measureVerification(
  rig: Rig,
  settings: HistorySettings,
  checkpoints: number,
): Promise<VerificationResult> {
  const measured: Measured[] = [];
  for (let run = 0; run < settings.verifyRuns; run++) {
    const started = performance.now();
    const { result, calls } = await rig.count(() => rig.verifier.verify({ full: true }));
    const ms = performance.now() - started;
    if (result.findings.length > 0 || result.positions !== rig.history.events) {
      throw new Error(`The seeded history did not verify: ${JSON.stringify(result.findings[0])}`);
    }
    measured.push({ ms, calls });
  }
  const events = rig.history.events;
  return {
    events,
    streams: settings.streams,
    checkpoints,
    runs: settings.verifyRuns,
    ms: spread(measured.map((m) => m.ms)),
    eventsPerSecond: spread(measured.map((m) => events / (m.ms / 1000))),
    calls: spreadCalls(measured.map((m) => m.calls)),
  };
}

/**
 * Seeds a history checkpoint by checkpoint, timing and counting each `seal()`, then verifies
 * the whole history (`verify({ full: true })`) `verifyRuns` times.
 */
export async function measureSealingAndVerification(
  clients: { readonly dynamoDb: DynamoDBClient; readonly s3: S3Client },
  tables: HistoryTables,
  settings: HistorySettings,
): Promise<SealingAndVerification> {
  const keyDirectory = mkdtempSync(path.join(tmpdir(), 'bench-signing-'));
  try {
    const history = await rig(clients, tables, settings.streams, keyDirectory);
    const sealing = await measureSeals(history, settings);
    // The untimed first one, and the measured ones.
    const checkpoints = 1 + settings.seals.reduce((sum, seal) => sum + seal.runs, 0);
    return {
      streams: settings.streams,
      sealing,
      verification: await measureVerification(history, settings, checkpoints),
      logBytesPerPosition: await history.history.logBytesPerPosition(),
    };
  } finally {
    rmSync(keyDirectory, { recursive: true, force: true });
  }
}

import os from 'node:os';
import { createS3Client } from '../../functions/eventsourcing/aws';
import { startLocalS3 } from '../../local/s3/server';
import type { BenchEnvironment } from '../environment';
import type { BenchSettings, HistorySettings } from '../settings';
import { measureHashingAppends, type HashingAppendResult } from './history-appends';
import { measureInProcess, type InProcessResult } from './history-in-process';
import { measureSealingAndVerification, type SealingAndVerification } from './history-sealing';
import { createHistoryTables } from './history-seeding';
import { warmUp } from './throughput';

/** Section 9: what verifiable history costs appends, and what verifying and sealing cost. */
export interface HistoryResult {
  /** When the section ran, how long it took, and how busy the machine was meanwhile. */
  readonly measuredAt: string;
  readonly durationSeconds: number;
  readonly mode: BenchSettings['mode'];
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly settings: HistorySettings &
    Pick<BenchSettings, 'concurrencies' | 'sliceMs' | 'warmupMs'>;
  /** Appends with and without hashing, per concurrency. */
  readonly appends: readonly HashingAppendResult[];
  readonly inProcess: InProcessResult;
  readonly checkpoints: SealingAndVerification;
}

/** The machine's one-minute load average. */
export const loadAverage = () => Number(os.loadavg()[0]!.toFixed(2));

/**
 * Runs on a DynamoDB Local of its own, with the local S3 server (in this process) for the
 * checkpoints and a local signing key: first the in-process measures (the emulator idle), then
 * the interleaved appends (after the usual warm-up), then a history seeded, sealed and verified
 * in tables of its own.
 */
export async function measureHistory(
  env: BenchEnvironment,
  settings: BenchSettings,
  progress: (message: string) => void,
): Promise<HistoryResult> {
  const started = performance.now();
  const measuredAt = new Date().toISOString();
  const loadAtStart = loadAverage();
  const tables = await createHistoryTables(env.client);
  const s3Server = await startLocalS3();
  const s3 = createS3Client({ endpoint: s3Server.endpoint });
  try {
    progress('section 9: hashing, event hashes and Merkle roots in process');
    const inProcess = await measureInProcess(settings.history);
    progress(`section 9: warming up for ${settings.globalWarmupMs / 1000} s`);
    await warmUp(env, settings);
    const appends: HashingAppendResult[] = [];
    for (const concurrency of settings.concurrencies) {
      progress(`section 9: appends with and without hashing at concurrency ${concurrency}`);
      appends.push(await measureHashingAppends(env, settings, concurrency));
    }
    progress('section 9: seeding, sealing and verifying a history');
    const checkpoints = await measureSealingAndVerification(
      { dynamoDb: env.client, s3 },
      tables,
      settings.history,
    );
    const { concurrencies, sliceMs, warmupMs } = settings;
    return {
      measuredAt,
      durationSeconds: (performance.now() - started) / 1000,
      mode: settings.mode,
      loadAverage: { start: loadAtStart, end: loadAverage() },
      settings: { ...settings.history, concurrencies, sliceMs, warmupMs },
      appends,
      inProcess,
      checkpoints,
    };
  } finally {
    s3.destroy();
    await s3Server.stop();
  }
}

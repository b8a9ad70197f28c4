import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  bucketNameEnvVar,
  prefixedBucketNames,
  signingKeyEnvVar,
} from '../../functions/eventsourcing/declaration';
import {
  CheckpointSealer,
  HISTORY_LOG_VARIABLE,
  HistoryVerifier,
  LOCAL_SIGNING_KEY_PREFIX,
  S3CheckpointStore,
  signerFromEnv,
  type CheckpointSigner,
} from '../../functions/eventsourcing/integrity';
import { createS3Client } from '../../functions/eventsourcing/aws';
import {
  EventArchive,
  StreamArchiver,
  type ArchiveSource,
  type RetentionRule,
} from '../../functions/eventsourcing/archive';
import { buckets as declaredBuckets } from '../../functions/system';
import {
  bucketOutputId,
  publicKeyOutputId,
  signingKeyOutputId,
} from '../../functions/eventsourcing/declaration';
import { TargetError } from './target';

/** Where a stack keeps its checkpoints, and the key that signs them. */
export interface HistoryTarget {
  readonly checkpointsBucket: string;
  /** The local S3 server's address; AWS's S3 when absent. */
  readonly s3Endpoint?: string;
  /** `local:<directory>` of the local key, or the KMS key's ARN. */
  readonly signingKey: string;
  /** The public key as the stack's outputs give it (deployed stacks only). */
  readonly publicKeyPem?: string;
  /** The log's name in every checkpoint. */
  readonly log: string;
  /** Where aged streams are archived; undefined for a stack without an archive. */
  readonly archiveBucket?: string;
}

/** Where the local stack (`npm start`) keeps its signing key, beside its data. */
export const LOCAL_SIGNING_DIR = '.data/signing';

const DEFAULT_S3_PORT = '4568';

/** The local stack's checkpoints, or those the BUCKET_* and SIGNING_KEY_* variables name. */
export function localHistoryTarget(env: NodeJS.ProcessEnv = process.env): HistoryTarget {
  const bucket = env[bucketNameEnvVar('checkpoints')];
  const s3Endpoint = env.S3_ENDPOINT ?? `http://127.0.0.1:${env.S3_PORT ?? DEFAULT_S3_PORT}`;
  if (bucket) {
    const archiveBucket = env[bucketNameEnvVar('archive')];
    return {
      checkpointsBucket: bucket,
      s3Endpoint,
      signingKey: env[signingKeyEnvVar('checkpoints')] ?? '',
      log: env[HISTORY_LOG_VARIABLE] ?? 'local',
      ...(archiveBucket ? { archiveBucket } : {}),
    };
  }
  const local = prefixedBucketNames(declaredBuckets, 'local-');
  return {
    checkpointsBucket: local.checkpoints,
    s3Endpoint,
    signingKey: `${LOCAL_SIGNING_KEY_PREFIX}${path.resolve(LOCAL_SIGNING_DIR)}`,
    log: 'local',
    archiveBucket: local.archive,
  };
}

/** A deployed stack's checkpoints, from its outputs; undefined for a stack without them. */
export function historyFromOutputs(
  stackName: string,
  outputs: Readonly<Record<string, string>>,
): HistoryTarget | undefined {
  const bucket = outputs[bucketOutputId('checkpoints')];
  const signingKey = outputs[signingKeyOutputId('checkpoints')];
  if (!bucket || !signingKey) return undefined;
  const publicKeyPem = outputs[publicKeyOutputId('checkpoints')];
  const archiveBucket = outputs[bucketOutputId('archive')];
  return {
    checkpointsBucket: bucket,
    signingKey,
    log: stackName,
    ...(publicKeyPem ? { publicKeyPem } : {}),
    ...(archiveBucket ? { archiveBucket } : {}),
  };
}

/** What sealing and verifying need, on the target's tables. */
export interface HistoryTables {
  readonly events: string;
  readonly globalLog: string;
  readonly seals: string;
}

/**
 * The signer of the target's key. A local key must exist already: a new one would sign
 * checkpoints nothing else knows.
 */
async function signerOf(target: HistoryTarget): Promise<CheckpointSigner> {
  if (target.signingKey.startsWith(LOCAL_SIGNING_KEY_PREFIX)) {
    const directory = target.signingKey.slice(LOCAL_SIGNING_KEY_PREFIX.length);
    if (!existsSync(path.join(directory, 'checkpoints-key.pem'))) {
      throw new TargetError(
        `No checkpoint signing key in ${directory}: start the stack (npm start) first, or set ` +
          `${signingKeyEnvVar('checkpoints')}=local:<directory> to the key of the stack you mean.`,
      );
    }
  }
  if (!target.signingKey) {
    throw new TargetError(
      `${signingKeyEnvVar('checkpoints')} is not set beside the BUCKET_* variables`,
    );
  }
  return signerFromEnv('checkpoints', { [signingKeyEnvVar('checkpoints')]: target.signingKey });
}

/** The target's archive bucket; undefined for a stack without one. */
export function archiveOf(target: HistoryTarget): EventArchive | undefined {
  if (!target.archiveBucket) return undefined;
  const s3 = createS3Client(target.s3Endpoint ? { endpoint: target.s3Endpoint } : {});
  return new EventArchive(s3, target.archiveBucket);
}

/** Where readers of the target's events find archived versions (`false`: nowhere). */
export function archiveSourceOf(target: HistoryTarget | undefined): ArchiveSource | false {
  const archive = target && archiveOf(target);
  return archive ? () => Promise.resolve(archive) : false;
}

/** The sealer, the verifier and the archiver of a target's history. */
export function historyTools(client: DynamoDBClient, tables: HistoryTables, target: HistoryTarget) {
  const checkpoints = new S3CheckpointStore(
    createS3Client(target.s3Endpoint ? { endpoint: target.s3Endpoint } : {}),
    target.checkpointsBucket,
  );
  const archive = archiveSourceOf(target);
  return {
    archiver(rules: readonly RetentionRule[]) {
      const bucket = archiveOf(target);
      if (!bucket) throw new TargetError('This stack has no archive bucket');
      return new StreamArchiver({ client, tables, archive: bucket, rules });
    },
    async sealer() {
      const signer = await signerOf(target);
      return new CheckpointSealer({ client, tables, checkpoints, signer, log: target.log });
    },
    async verifier(publicKeyFile?: string) {
      const publicKey = await publicKeyOf(target, publicKeyFile);
      return new HistoryVerifier({
        client,
        tables,
        checkpoints,
        publicKey,
        log: target.log,
        archive,
      });
    },
  };
}

export type HistoryTools = ReturnType<typeof historyTools>;

/** The public key checkpoints must verify with: a file given, the stack's output, or the key's. */
async function publicKeyOf(target: HistoryTarget, file: string | undefined): Promise<string> {
  if (file) {
    const { readFile } = await import('node:fs/promises');
    return readFile(file, 'utf8');
  }
  if (target.publicKeyPem) return target.publicKeyPem;
  return (await signerOf(target)).publicKeyPem();
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventSourcingError } from '../errors.js';
import { GlobalLogReader } from '../global-log/reader.js';
import type { LeafReference } from '../global-log/references.js';
import {
  CHECKPOINT_FORMAT,
  checkpointHash,
  parseStoredCheckpoint,
  type CheckpointBody,
  type StoredCheckpoint,
} from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { leafRoot, readLeaves } from './log-leaves.js';
import { SealRecords, type SealHead } from './seal-records.js';
import { signCheckpoint, type CheckpointSigner } from './signer.js';

/**
 * A checkpoint in the store does not follow the sealed head (other positions, another previous
 * hash): history or the seal records were changed. Run the verifier before sealing on.
 */
export class CheckpointOutOfOrderError extends EventSourcingError {
  readonly code = 'CheckpointOutOfOrder';
  constructor(
    readonly sequence: number,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointOutOfOrderError';
  }
}

export interface CheckpointSealerOptions {
  readonly client: DynamoDBClient;
  readonly tables: {
    /** The global log being sealed: the sealer reads the hashes its pages hold, no event. */
    readonly globalLog: string;
    /** Where sealing stands (`SealRecords`). */
    readonly seals: string;
  };
  readonly checkpoints: CheckpointStore;
  readonly signer: CheckpointSigner;
  /** The log's name in every checkpoint: the stack, or `local`. */
  readonly log: string;
  /** Positions one checkpoint seals at most (default 50,000): a backlog takes several. */
  readonly maxPositions?: number;
  /** Must match the indexer's. */
  readonly positionsPerEpoch?: number;
  readonly clock?: () => Date;
}

/** One checkpoint a run wrote or adopted. */
export interface SealedCheckpoint {
  readonly sequence: number;
  readonly firstPosition: number;
  readonly lastPosition: number;
  readonly root: string;
  /** Whether this run wrote it, or found it written by a run that stopped before recording it. */
  readonly written: boolean;
}

const DEFAULT_MAX_POSITIONS = 50_000;

/**
 * Seals the global log: each checkpoint is the Merkle root over the leaves of every position
 * since the previous checkpoint, signed and written once to the checkpoint store. Safe to run
 * twice at once and to stop at any instant: a checkpoint is written before the head moves, and a
 * run that finds the next checkpoint already written records that one instead of its own.
 */
export class CheckpointSealer {
  private readonly reader: GlobalLogReader;
  private readonly records: SealRecords;
  private readonly maxPositions: number;
  private readonly clock: () => Date;

  constructor(private readonly options: CheckpointSealerOptions) {
    this.reader = new GlobalLogReader({
      client: options.client,
      tables: { globalLog: options.tables.globalLog },
      ...(options.positionsPerEpoch ? { positionsPerEpoch: options.positionsPerEpoch } : {}),
    });
    this.records = new SealRecords(options.client, options.tables.seals);
    this.maxPositions = options.maxPositions ?? DEFAULT_MAX_POSITIONS;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Seals everything the log holds now, in as many checkpoints as it takes. */
  async seal(): Promise<SealedCheckpoint[]> {
    const sealed: SealedCheckpoint[] = [];
    for (;;) {
      const next = await this.sealNext();
      if (!next) return sealed;
      sealed.push(next);
    }
  }

  /** Writes (or adopts) the checkpoint after the head; undefined when nothing is left to seal. */
  private async sealNext(): Promise<SealedCheckpoint | undefined> {
    const head = await this.records.head();
    const sequence = (head?.sequence ?? 0) + 1;
    const written = await this.options.checkpoints.read(sequence);
    if (written !== undefined) return this.adopt(head, parseStoredCheckpoint(written));
    const leaves = await this.leavesAfter(head?.lastPosition ?? 0);
    if (leaves.length === 0) return undefined;
    const body: CheckpointBody = {
      format: CHECKPOINT_FORMAT,
      log: this.options.log,
      sequence,
      firstPosition: leaves[0]!.position,
      lastPosition: leaves.at(-1)!.position,
      root: leafRoot(leaves),
      previous: head?.checkpointHash ?? null,
      sealedAt: this.clock().toISOString(),
      keyId: this.options.signer.keyId,
    };
    const stored = await signCheckpoint(this.options.signer, body);
    if ((await this.options.checkpoints.create(stored)) === 'exists') {
      // Another run wrote this sequence number first: record its checkpoint instead.
      return this.adopt(head, parseStoredCheckpoint(await this.options.checkpoints.read(sequence)));
    }
    await this.record(stored, leaves);
    return { ...summary(stored), written: true };
  }

  /** Records a checkpoint found written after `head`, once its positions follow the head's. */
  private async adopt(
    head: SealHead | undefined,
    stored: StoredCheckpoint,
  ): Promise<SealedCheckpoint> {
    const { firstPosition, lastPosition, previous } = stored.checkpoint;
    if (
      firstPosition !== (head?.lastPosition ?? 0) + 1 ||
      previous !== (head?.checkpointHash ?? null)
    ) {
      throw new CheckpointOutOfOrderError(
        stored.checkpoint.sequence,
        `Checkpoint ${stored.checkpoint.sequence} does not follow the sealed head ` +
          `(positions from ${firstPosition}, previous ${previous}): run the verifier`,
      );
    }
    const leaves = await this.leavesAfter(firstPosition - 1, lastPosition);
    await this.record(stored, leaves);
    return { ...summary(stored), written: false };
  }

  /** The stream index of a written checkpoint, then the head: a proof never waits on the head. */
  private async record(stored: StoredCheckpoint, leaves: readonly LeafReference[]): Promise<void> {
    const { sequence, lastPosition } = stored.checkpoint;
    await this.records.recordStreams(sequence, leaves);
    await this.records.advance({
      sequence,
      lastPosition,
      checkpointHash: checkpointHash(stored.checkpoint),
    });
  }

  /** The log's leaves after `after`, up to `until` (or as many as one checkpoint takes). */
  private leavesAfter(after: number, until?: number): Promise<LeafReference[]> {
    return readLeaves(this.reader, after, until ?? after + this.maxPositions);
  }
}

const summary = (stored: StoredCheckpoint) => ({
  sequence: stored.checkpoint.sequence,
  firstPosition: stored.checkpoint.firstPosition,
  lastPosition: stored.checkpoint.lastPosition,
  root: stored.checkpoint.root,
});

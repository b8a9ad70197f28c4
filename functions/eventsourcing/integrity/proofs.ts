import { ArchivedEvents, archiveFromEnv, type ArchiveSource } from '../archive/archived-events.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlobalLogReader } from '../global-log/reader.js';
import { parseStoredCheckpoint } from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { storedFieldsOf, storedHashOf } from './event-hash.js';
import { leafHashesOf, readLeaves } from './log-leaves.js';
import { buildProof, type EventProof } from './proof.js';
import { SealRecords } from './seal-records.js';
import { StoredEventItems } from './stored-items.js';

export interface EventProofsOptions {
  /** Where archived events are read: the bucket `BUCKET_ARCHIVE` names when omitted; `false`: none. */
  readonly archive?: ArchiveSource | false;
  readonly client: DynamoDBClient;
  readonly tables: { readonly events: string; readonly globalLog: string; readonly seals: string };
  readonly checkpoints: CheckpointStore;
  readonly positionsPerEpoch?: number;
}

/** A proof, or why there is none yet. */
export type ProofAnswer =
  | { readonly status: 'proof'; readonly proof: EventProof }
  | { readonly status: 'not-found' }
  | { readonly status: 'not-sealed'; readonly reason: string };

/**
 * Builds the proof that one event, exactly as stored, is part of a signed checkpoint: the event's
 * stored fields and hash, its inclusion proof in the tree of the checkpoint that sealed it, and
 * that checkpoint. Anyone can check it with the public key alone (`verifyProof`).
 */
export class EventProofs {
  private readonly items: StoredEventItems;
  private readonly records: SealRecords;
  private readonly reader: GlobalLogReader;

  constructor(private readonly options: EventProofsOptions) {
    const archive = options.archive === false ? undefined : (options.archive ?? archiveFromEnv());
    this.items = new StoredEventItems(
      options.client,
      options.tables.events,
      archive && new ArchivedEvents(options.client, options.tables.events, archive),
    );
    this.records = new SealRecords(options.client, options.tables.seals);
    this.reader = new GlobalLogReader({
      client: options.client,
      ...(options.archive === undefined ? {} : { archive: options.archive }),
      tables: { globalLog: options.tables.globalLog, events: options.tables.events },
      ...(options.positionsPerEpoch ? { positionsPerEpoch: options.positionsPerEpoch } : {}),
    });
  }

  async proof(streamId: string, version: number): Promise<ProofAnswer> {
    const [previousItem, item] = await this.itemAndPrevious(streamId, version);
    if (!item) return { status: 'not-found' };
    const fields = storedFieldsOf(item);
    const hash = storedHashOf(item);
    if (!fields || !hash) {
      return { status: 'not-sealed', reason: 'it was stored before events were hashed' };
    }
    const sealed = await this.records.sealed(streamId, version);
    if (!sealed) {
      return { status: 'not-sealed', reason: 'no checkpoint has sealed it yet' };
    }
    const checkpoint = parseStoredCheckpoint(await this.options.checkpoints.read(sealed.sequence));
    const { firstPosition, lastPosition } = checkpoint.checkpoint;
    const leaves = await readLeaves(this.reader, firstPosition - 1, lastPosition);
    const proof = buildProof({
      event: fields,
      previousHash: previousItem ? storedHashOf(previousItem) : undefined,
      hash,
      position: sealed.position,
      leafHashes: leafHashesOf(leaves),
      checkpoint,
    });
    return { status: 'proof', proof };
  }

  /** The item at `version` and the one before it, in one Query. */
  private async itemAndPrevious(streamId: string, version: number) {
    const items = await this.items.range(streamId, Math.max(1, version - 1), version);
    const at = (wanted: number) => items.find((item) => Number(item.version!.N) === wanted);
    return [version > 1 ? at(version - 1) : undefined, at(version)] as const;
  }
}

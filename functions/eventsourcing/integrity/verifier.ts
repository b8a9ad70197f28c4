import { ArchivedEvents, archiveFromEnv, type ArchiveSource } from '../archive/archived-events.js';
import type { KeyObject } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mapConcurrently } from '../consumers/concurrency.js';
import { GlobalLogReader } from '../global-log/reader.js';
import type { LeafReference } from '../global-log/references.js';
import { checkChain } from './chain-check.js';
import { checkpointHash, type CheckpointBody } from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { walkCheckpoints, type WalkedCheckpoint } from './checkpoint-walk.js';
import type { Finding, UnsealedRange } from './findings.js';
import { checkLeaves, type LeafCheckResult } from './leaf-check.js';
import { leafRoot, readLeaves } from './log-leaves.js';
import { checkpointPublicKey } from './public-key.js';
import { SealRecords, type SealHead } from './seal-records.js';
import { StoredEventItems } from './stored-items.js';
import { verifyStream, type StreamVerification } from './stream-verification.js';

export interface HistoryVerifierOptions {
  /** Where archived events are read: the bucket `BUCKET_ARCHIVE` names when omitted; `false`: none. */
  readonly archive?: ArchiveSource | false;
  readonly client: DynamoDBClient;
  readonly tables: { readonly events: string; readonly globalLog: string; readonly seals: string };
  readonly checkpoints: CheckpointStore;
  /** The public key checkpoints are signed with (PEM). */
  readonly publicKey: string | KeyObject;
  /** The log's name every checkpoint must carry. */
  readonly log: string;
  readonly positionsPerEpoch?: number;
  readonly clock?: () => Date;
}

export interface VerifyOptions {
  /** Start over from the first checkpoint and walk every stream whole (default: from the last run). */
  readonly full?: boolean;
  /** Called after each checkpoint checked. */
  readonly onCheckpoint?: (sequence: number) => void;
}

export interface VerificationReport {
  readonly findings: readonly Finding[];
  /** Events stored before hashing, per stream: not failures. */
  readonly unsealed: readonly UnsealedRange[];
  /** The first checkpoint this run checked, and the last one it found. */
  readonly checkpoints: {
    readonly from: number;
    readonly checked: number;
    readonly latest?: number;
  };
  /** Log positions checked against their events, sealed or not yet. */
  readonly positions: number;
  readonly streams: number;
}

/** Positions the unsealed tail is checked in at a time. */
const TAIL_CHUNK = 10_000;

/** Tallies of a run, gathered as it goes. */
class Tally {
  readonly findings: Finding[] = [];
  readonly unsealed = new Map<string, UnsealedRange>();
  readonly streams = new Set<string>();
  positions = 0;

  add(result: LeafCheckResult, leaves: readonly LeafReference[]): void {
    this.findings.push(...result.findings);
    for (const range of result.unsealed) this.addUnsealed(range);
    for (const leaf of leaves) this.streams.add(leaf.streamId);
    this.positions += result.events;
  }

  report(from: number, checked: number, last: CheckpointBody | undefined): VerificationReport {
    return {
      findings: this.findings,
      unsealed: [...this.unsealed.values()],
      checkpoints: { from, checked, ...(last ? { latest: last.sequence } : {}) },
      positions: this.positions,
      streams: this.streams.size,
    };
  }

  addUnsealed(range: UnsealedRange): void {
    const known = this.unsealed.get(range.streamId);
    this.unsealed.set(range.streamId, {
      streamId: range.streamId,
      fromVersion: Math.min(range.fromVersion, known?.fromVersion ?? Infinity),
      toVersion: Math.max(range.toVersion, known?.toVersion ?? 0),
    });
  }
}

/** The last position sealed by the last checkpoint checked, or found sound before. */
const sealedUpTo = (last: CheckpointBody | undefined, progress: SealHead | undefined): number =>
  last?.lastPosition ?? progress?.lastPosition ?? 0;

/**
 * Checks that history is as it was sealed: every checkpoint signed and linked to the one
 * before it, the global log's entries giving each checkpoint's root, every event behind a
 * position hashing to what the log recorded, and every stream's chain intact. It recomputes
 * every hash from stored bytes and trusts no stored hash. Incremental by default: it goes on
 * from the last checkpoint it found sound (kept in the seals table); `full` starts over.
 */
export class HistoryVerifier {
  private readonly reader: GlobalLogReader;
  private readonly records: SealRecords;
  private readonly items: StoredEventItems;
  private readonly publicKey: KeyObject;
  private readonly clock: () => Date;

  constructor(private readonly options: HistoryVerifierOptions) {
    this.reader = new GlobalLogReader({
      client: options.client,
      ...(options.archive === undefined ? {} : { archive: options.archive }),
      tables: { globalLog: options.tables.globalLog, events: options.tables.events },
      ...(options.positionsPerEpoch ? { positionsPerEpoch: options.positionsPerEpoch } : {}),
    });
    this.records = new SealRecords(options.client, options.tables.seals);
    const archive = options.archive === false ? undefined : (options.archive ?? archiveFromEnv());
    this.items = new StoredEventItems(
      options.client,
      options.tables.events,
      archive && new ArchivedEvents(options.client, options.tables.events, archive),
    );
    this.publicKey = checkpointPublicKey(options.publicKey);
    this.clock = options.clock ?? (() => new Date());
  }

  async verify(options: VerifyOptions = {}): Promise<VerificationReport> {
    const full = options.full === true;
    const progress = full ? undefined : await this.records.verifiedUpTo();
    const from = progress ? progress.sequence + 1 : 1;
    const tally = new Tally();
    const walked = await this.walk(from, progress, tally);
    for (const checkpoint of walked) {
      await this.checkSealed(checkpoint, tally, !full);
      options.onCheckpoint?.(checkpoint.stored.checkpoint.sequence);
    }
    const last = walked.at(-1)?.stored.checkpoint;
    await this.checkUnsealedTail(sealedUpTo(last, progress), tally, !full);
    if (full) await this.checkEveryStream(tally);
    if (last && tally.findings.length === 0) await this.recordProgress(last);
    return tally.report(from, walked.length, last);
  }

  /** Checks one stream's chain, and each of its sealed events against its checkpoint. */
  verifyStream(streamId: string): Promise<StreamVerification> {
    return verifyStream({
      streamId,
      items: this.items,
      records: this.records,
      reader: this.reader,
      checkpoints: this.options.checkpoints,
      publicKey: this.publicKey,
    });
  }

  /** The checkpoints from `from` on, each checked against the one before it. */
  private async walk(
    from: number,
    progress: SealHead | undefined,
    tally: Tally,
  ): Promise<WalkedCheckpoint[]> {
    return walkCheckpoints(
      {
        store: this.options.checkpoints,
        publicKey: this.publicKey,
        log: this.options.log,
        from,
        written: (await this.records.head())?.sequence,
        ...(progress ? { verifiedHash: progress.checkpointHash } : {}),
      },
      tally.findings,
    );
  }

  /** One checkpoint's positions: all present, giving its root, each event as recorded. */
  private async checkSealed(
    { stored, signed }: WalkedCheckpoint,
    tally: Tally,
    chainFindings: boolean,
  ): Promise<void> {
    const { sequence, firstPosition, lastPosition, root } = stored.checkpoint;
    const leaves = await readLeaves(this.reader, firstPosition - 1, lastPosition);
    const expected = lastPosition - firstPosition + 1;
    if (leaves.length < expected) {
      tally.findings.push({
        kind: 'log-entry-missing',
        checkpoint: sequence,
        position: firstPosition + leaves.length,
        detail: `the log holds ${leaves.length} of the ${expected} positions it sealed`,
      });
    } else if (signed && leafRoot(leaves) !== root) {
      tally.findings.push({
        kind: 'log-root-mismatch',
        checkpoint: sequence,
        position: firstPosition,
        detail: `positions ${firstPosition} to ${lastPosition} of the log do not give the signed root`,
      });
    }
    const result = await checkLeaves({
      items: this.items,
      leaves,
      checkpoint: sequence,
      chainFindings,
    });
    tally.add(result, leaves);
  }

  /** Positions after the last checkpoint: each event as the log recorded it. */
  private async checkUnsealedTail(
    after: number,
    tally: Tally,
    chainFindings: boolean,
  ): Promise<void> {
    const head = await this.reader.head();
    for (let from = after; from < head.lastPosition;) {
      const leaves = await readLeaves(
        this.reader,
        from,
        Math.min(from + TAIL_CHUNK, head.lastPosition),
      );
      if (leaves.length === 0) return;
      const result = await checkLeaves({
        items: this.items,
        leaves,
        checkpoint: undefined,
        chainFindings,
      });
      tally.add(result, leaves);
      from = leaves.at(-1)!.position;
    }
  }

  /** Every stream's chain, whole (a full run): also events the log has not indexed yet. */
  private async checkEveryStream(tally: Tally): Promise<void> {
    const streamIds = await this.items.streamIds();
    await mapConcurrently(streamIds, 8, async (streamId) => {
      const chain = checkChain(await this.items.range(streamId, 1));
      tally.findings.push(...chain.findings);
      if (chain.unsealed) tally.addUnsealed(chain.unsealed);
      tally.streams.add(streamId);
    });
  }

  /** Remembers the last checkpoint of a run that found nothing wrong. */
  private async recordProgress(last: CheckpointBody): Promise<void> {
    const head: SealHead = {
      sequence: last.sequence,
      lastPosition: last.lastPosition,
      checkpointHash: checkpointHash(last),
    };
    await this.records.recordVerified(head, this.clock().toISOString());
  }
}

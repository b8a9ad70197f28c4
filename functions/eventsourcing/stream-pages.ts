import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ArchivedEvents } from './archive/archived-events.js';
import { StreamGapError } from './errors.js';
import { readEventItem, type ReadEventItem } from './event-items.js';
import { sleep } from './retry.js';
import { SORT_KEY_MAX, type VersionRange } from './store-checks.js';

/** Where a read stands: what is left of its range and the version it must see next. */
class ReadPosition {
  from: number;
  to: number;
  remaining: number;
  /** The version the next event must have (unknown before a backward read's first event). */
  expected: number | undefined;
  progressed = false;

  constructor(readonly range: VersionRange) {
    this.from = range.from;
    this.to = range.to;
    this.remaining = range.limit;
    this.expected = range.forward ? range.from : undefined;
  }

  get open(): boolean {
    return this.remaining > 0 && this.from <= this.to;
  }

  accepts(version: number): boolean {
    return this.expected === undefined || version === this.expected;
  }

  advance(version: number): void {
    this.remaining -= 1;
    this.expected = this.range.forward ? version + 1 : version - 1;
    this.progressed = true;
  }

  /** Narrows the range to start again at the hole a read observed. */
  restartAt(hole: number): void {
    if (this.range.forward) this.from = hole;
    else this.to = hole;
    this.progressed = false;
  }

  /**
   * The first version a pass over the table did not find, when it may be archived (archived
   * versions are a prefix of the stream, from 1): the hole a forward pass stopped at; where a
   * bounded forward pass found nothing, its first version; where a backward pass ran out early,
   * the next version down. Undefined when the pass simply reached the stream's end.
   */
  missing(hole: number | undefined): number | undefined {
    if (hole !== undefined) return this.range.forward ? hole : undefined;
    if (!this.open) return undefined;
    return this.range.forward ? this.missingForward() : this.missingBackward();
  }

  private missingForward(): number | undefined {
    return !this.progressed && this.to < SORT_KEY_MAX ? this.from : undefined;
  }

  private missingBackward(): number | undefined {
    const next = this.expected ?? (this.to < SORT_KEY_MAX ? this.to : undefined);
    return next !== undefined && next >= this.from ? next : undefined;
  }

  /** Takes the read on in the table after the archived versions (forward), or ends it. */
  afterArchive(archived: number): void {
    if (this.range.forward) this.from = Math.max(this.from, archived + 1);
    else this.to = this.from - 1;
    this.progressed = false;
  }
}

function pageQuery(
  tableName: string,
  streamId: string,
  position: ReadPosition,
  startKey: Record<string, AttributeValue> | undefined,
): QueryCommand {
  // Without an upper bound the condition says so: DynamoDB Local reads an open range faster.
  const bounded = position.to < SORT_KEY_MAX;
  return new QueryCommand({
    TableName: tableName,
    KeyConditionExpression: bounded
      ? 'streamId = :s AND version BETWEEN :from AND :to'
      : 'streamId = :s AND version >= :from',
    ExpressionAttributeValues: {
      ':s': { S: streamId },
      ':from': { N: String(position.from) },
      ...(bounded ? { ':to': { N: String(position.to) } } : {}),
    },
    ConsistentRead: true,
    ScanIndexForward: position.range.forward,
    ExclusiveStartKey: startKey,
    ...(position.remaining === Infinity ? {} : { Limit: position.remaining }),
  });
}

/**
 * Reads a stream's events as stored, in order and contiguous, complete past DynamoDB's 1 MB
 * pages; an event whose data cannot be read comes with the reason and the read goes on. A Query can observe part of a transaction that is still committing: on a hole the read
 * starts again from it, a bounded number of times in a row, then fails with `StreamGapError`.
 */
export class StreamPages {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly gapRetries: number,
    /** Where archived versions are read from; without it a stream must be wholly in the table. */
    private readonly archived?: ArchivedEvents,
  ) {}

  async *read(
    streamId: string,
    range: VersionRange,
    fromArchive: boolean,
  ): AsyncGenerator<ReadEventItem> {
    const position = new ReadPosition(range);
    let retriesLeft = this.gapRetries;
    // Archived versions are a prefix of the stream: one look at the archive per read.
    let archive = fromArchive ? this.archived : undefined;
    while (position.open) {
      const hole = yield* this.pass(streamId, position);
      const missing = position.missing(hole);
      if (missing !== undefined && archive) {
        const looked = archive;
        archive = undefined;
        if (yield* this.fromArchive(looked, streamId, position, missing)) continue;
      }
      if (hole === undefined) return;
      if (position.progressed) retriesLeft = this.gapRetries;
      if (retriesLeft-- <= 0) {
        throw new StreamGapError(streamId, hole, hole + (range.forward ? 1 : -1));
      }
      await sleep(10 * (this.gapRetries - retriesLeft));
      position.restartAt(hole);
    }
  }

  /**
   * Reads archived versions from `missing` on (forward) or down (backward), when the stream's
   * archive mark covers it; false when it does not.
   */
  private async *fromArchive(
    archived: ArchivedEvents,
    streamId: string,
    position: ReadPosition,
    missing: number,
  ): AsyncGenerator<ReadEventItem, boolean> {
    const upTo = await archived.archivedUpTo(streamId);
    if (missing > upTo) return false;
    const forward = position.range.forward;
    const [from, to] = forward
      ? [missing, Math.min(position.to, upTo)]
      : [position.from, Math.min(missing, upTo)];
    const items = await archived.items(streamId, from, to, upTo);
    if (!forward) items.reverse();
    for (const item of items) {
      if (!position.open) return true;
      const read = readEventItem(item);
      if (!position.accepts(read.event.version)) {
        throw new StreamGapError(streamId, position.expected!, read.event.version);
      }
      position.advance(read.event.version);
      yield read;
    }
    position.afterArchive(upTo);
    return true;
  }

  /** One run of Queries over what is left of the range; returns the hole it met, if any. */
  private async *pass(
    streamId: string,
    position: ReadPosition,
  ): AsyncGenerator<ReadEventItem, number | undefined> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(pageQuery(this.tableName, streamId, position, startKey));
      for (const item of page.Items ?? []) {
        const read = readEventItem(item);
        if (!position.accepts(read.event.version)) return position.expected;
        position.advance(read.event.version);
        yield read;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && position.remaining > 0);
    return undefined;
  }
}

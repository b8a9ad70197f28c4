import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { eventHash, storedFieldsOf, storedHashOf } from './event-hash.js';
import type { Finding, UnsealedRange } from './findings.js';

type EventItem = Record<string, AttributeValue>;

/** What checking one stream's chain found, and the hash of each hashed version. */
export interface ChainCheck {
  readonly findings: Finding[];
  readonly unsealed?: UnsealedRange;
  /**
   * Each hashed version's hash, recomputed from its stored fields (never read from `h`), except
   * right after a hole, where the link cannot be recomputed (the hole is a finding of its own).
   */
  readonly hashes: Map<number, string>;
  readonly eventsChecked: number;
}

/** The state of a walk along one stream. */
interface Walk {
  /** The stored hash of the previous event, the link the next one must chain to. */
  previous: string | undefined;
  /** Whether the walk has met a hashed event yet. */
  chained: boolean;
  /** Whether the previous event is missing, so the next one's link cannot be checked. */
  afterHole: boolean;
  expectedVersion: number | undefined;
  unsealed: UnsealedRange | undefined;
}

const versionOf = (item: EventItem) => Number(item.version!.N);

/** What a walk collects. */
type Collected = Pick<ChainCheck, 'findings' | 'hashes'>;

function checkVersion(walk: Walk, streamId: string, version: number, findings: Finding[]): void {
  if (walk.expectedVersion !== undefined && version !== walk.expectedVersion) {
    findings.push({
      kind: 'version-gap',
      streamId,
      version: walk.expectedVersion,
      detail: `versions ${walk.expectedVersion} to ${version - 1} are missing`,
    });
    walk.afterHole = true;
  }
  walk.expectedVersion = version + 1;
}

function checkUnhashed(walk: Walk, streamId: string, version: number, check: Collected): void {
  if (walk.chained) {
    check.findings.push({
      kind: 'hash-missing',
      streamId,
      version,
      detail: 'an event without a hash follows hashed events of its stream',
    });
  } else {
    walk.unsealed = {
      streamId,
      fromVersion: walk.unsealed?.fromVersion ?? version,
      toVersion: version,
    };
  }
  walk.previous = undefined;
}

function checkHash(walk: Walk, item: EventItem, check: Collected): void {
  const streamId = item.streamId!.S!;
  const version = versionOf(item);
  const fields = storedFieldsOf(item);
  const stored = storedHashOf(item);
  if (fields === undefined || stored === undefined) {
    checkUnhashed(walk, streamId, version, check);
    return;
  }
  if (!walk.afterHole) {
    const recomputed = eventHash(fields, walk.previous);
    check.hashes.set(version, recomputed);
    if (recomputed !== stored) {
      check.findings.push({
        kind: 'hash-mismatch',
        streamId,
        version,
        detail: `stored hash ${stored}, but its stored fields hash to ${recomputed}`,
      });
    }
  }
  walk.previous = stored;
  walk.chained = true;
}

/**
 * Checks a run of one stream's event items, in version order: versions contiguous, and every
 * hash recomputed from the stored fields and the link to the event before it. `previousItem` is
 * the event before the run (when the run does not start at version 1), whose stored hash the
 * first event must chain to. Events before the stream's first hashed event are unsealed, not
 * findings.
 */
export function checkChain(items: readonly EventItem[], previousItem?: EventItem): ChainCheck {
  const check: Collected = { findings: [], hashes: new Map() };
  const previous = previousItem ? storedHashOf(previousItem) : undefined;
  const walk: Walk = {
    previous,
    chained: previous !== undefined,
    afterHole: false,
    expectedVersion: previousItem ? versionOf(previousItem) + 1 : undefined,
    unsealed: undefined,
  };
  for (const item of items) {
    checkVersion(walk, item.streamId!.S!, versionOf(item), check.findings);
    checkHash(walk, item, check);
    walk.afterHole = false;
  }
  return {
    ...check,
    eventsChecked: items.length,
    ...(walk.unsealed ? { unsealed: walk.unsealed } : {}),
  };
}

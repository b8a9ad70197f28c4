/**
 * What the verifier can find wrong, each named for what an auditor would call it:
 *
 * - `hash-mismatch`: an event's stored hash is not the hash of its stored fields chained to the
 *   event before it (the event, or its hash, was changed after it was written);
 * - `hash-missing`: an event without a hash after hashed events of its stream;
 * - `version-gap`: versions missing from the middle of a stream;
 * - `event-missing`: the global log has a position for an event the events table no longer holds;
 * - `event-changed`: an event's hash differs from the hash the global log (and the checkpoint
 *   sealing it) recorded for it;
 * - `log-entry-missing`: positions a checkpoint sealed that the global log no longer holds;
 * - `log-root-mismatch`: the global log's entries for a checkpoint's positions do not give the
 *   root the checkpoint signed;
 * - `checkpoint-signature`: a checkpoint whose signature does not verify with the public key;
 * - `checkpoint-link`: a checkpoint that does not follow the one before it (previous hash,
 *   positions or log name);
 * - `checkpoint-missing`: a sequence number with no checkpoint, or fewer checkpoints than were
 *   written;
 * - `checkpoint-unreadable`: a checkpoint object that is not a checkpoint.
 */
export type FindingKind =
  | 'hash-mismatch'
  | 'hash-missing'
  | 'version-gap'
  | 'event-missing'
  | 'event-changed'
  | 'log-entry-missing'
  | 'log-root-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-link'
  | 'checkpoint-missing'
  | 'checkpoint-unreadable';

/** One thing the verifier found wrong, with where it found it. */
export interface Finding {
  readonly kind: FindingKind;
  readonly streamId?: string;
  readonly version?: number;
  readonly position?: number;
  /** Sequence number of the checkpoint concerned. */
  readonly checkpoint?: number;
  readonly detail: string;
}

/** Events of a stream stored before events were hashed: reported, not a failure. */
export interface UnsealedRange {
  readonly streamId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
}

/** A finding as one line: kind, where, and what. */
export function describeFinding(finding: Finding): string {
  const where = [
    finding.checkpoint !== undefined ? `checkpoint ${finding.checkpoint}` : undefined,
    finding.position !== undefined ? `position ${finding.position}` : undefined,
    finding.streamId !== undefined ? `stream ${finding.streamId}` : undefined,
    finding.version !== undefined ? `version ${finding.version}` : undefined,
  ].filter((part) => part !== undefined);
  return `${finding.kind}${where.length > 0 ? ` (${where.join(', ')})` : ''}: ${finding.detail}`;
}

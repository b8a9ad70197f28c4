import type { RecordedEvent } from '../../functions/eventsourcing';
import type { SealedRun } from '../../functions/eventsourcing/integrity';

/**
 * Where an event stands in the verifiable history (docs/integrity.md):
 *
 * - `sealed`: hashed, and a signed checkpoint covers it, at a position of the global log;
 * - `pending`: hashed, but no checkpoint covers it yet (the next seal will);
 * - `unsealed`: stored before events were hashed, so no checkpoint can prove it.
 *
 * This reads the seals table, the index of the checkpoints: it tells which checkpoint covers an
 * event, not that the event still matches it (the verifier and the proof tell that).
 */
export type SealStatus =
  | { readonly status: 'sealed'; readonly checkpoint: number; readonly position: number }
  | { readonly status: 'pending' }
  | { readonly status: 'unsealed' };

/** Each sealed version of a stream, with the checkpoint and the position that sealed it. */
function sealedVersions(runs: readonly SealedRun[]): Map<number, SealStatus> {
  const sealed = new Map<number, SealStatus>();
  for (const run of runs) {
    run.positions.forEach((position, offset) =>
      sealed.set(run.firstVersion + offset, {
        status: 'sealed',
        checkpoint: run.sequence,
        position,
      }),
    );
  }
  return sealed;
}

/** The seal status of each event, from the runs of the stream that checkpoints sealed. */
export function sealStatuses(
  events: readonly Pick<RecordedEvent, 'version' | 'hash'>[],
  runs: readonly SealedRun[],
): SealStatus[] {
  const sealed = sealedVersions(runs);
  return events.map((event) => {
    if (event.hash === undefined) return { status: 'unsealed' };
    return sealed.get(event.version) ?? { status: 'pending' };
  });
}

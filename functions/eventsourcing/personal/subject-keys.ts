/**
 * The data keys of data subjects: one AES-256 key per subject, which encrypts every personal
 * value of that subject wherever it is stored. Destroying the key erases the subject.
 */
export interface SubjectKeys {
  /**
   * The keys that seal new personal values of these subjects in a stream, creating the keys of
   * new subjects; `SubjectErasedError` for a subject that was erased (the erasure fence).
   */
  forSealing(
    subjects: readonly string[],
    streamId: string,
  ): Promise<ReadonlyMap<string, Uint8Array>>;
  /** The keys that open these subjects' values; undefined for an erased subject. */
  forReading(subjects: readonly string[]): Promise<ReadonlyMap<string, Uint8Array | undefined>>;
}

/** The prefix of the erasure ledger's streams. */
export const ERASURE_STREAM_PREFIX = 'erasure-';

/** The stream recording a subject's erasure: the erasure ledger, kept with the events. */
export const erasureStreamId = (subject: string) => `${ERASURE_STREAM_PREFIX}${subject}`;

/** How long a process keeps a subject's key (or knowledge of its erasure) by default. */
export const DEFAULT_KEY_CACHE_MS = 10_000;

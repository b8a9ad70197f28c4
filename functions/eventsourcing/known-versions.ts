/** What is known of a stream's event at some version: committed, and its stored hash. */
interface KnownHead {
  readonly version: number;
  /** The event's hash; null when it has none (stored before hashing); undefined when unknown. */
  readonly hash: string | null | undefined;
}

/**
 * Highest version this process has seen committed per stream, with that event's hash. Events
 * are never deleted, so a version once seen exists forever: an append at an expected version at
 * or below it needs no extra read to rule out a gap, and one right after it chains to the known
 * hash without reading it. Bounded, least recently used entries are evicted first.
 */
export class KnownVersions {
  private readonly heads = new Map<string, KnownHead>();

  constructor(private readonly capacity = 10_000) {}

  get(streamId: string): number {
    return this.heads.get(streamId)?.version ?? 0;
  }

  /** The hash of the event at `version` when that is the highest version known. */
  hashAt(streamId: string, version: number): string | null | undefined {
    const head = this.heads.get(streamId);
    return head?.version === version ? head.hash : undefined;
  }

  observe(streamId: string, version: number, hash?: string | null): void {
    const known = this.heads.get(streamId);
    this.heads.delete(streamId);
    const head =
      !known || version > known.version
        ? { version, hash }
        : version === known.version && hash !== undefined
          ? { version, hash }
          : known;
    this.heads.set(streamId, head);
    if (this.heads.size > this.capacity) {
      const oldest = this.heads.keys().next().value;
      if (oldest !== undefined) this.heads.delete(oldest);
    }
  }
}

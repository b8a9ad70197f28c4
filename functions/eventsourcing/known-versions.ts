/**
 * Highest version this process has seen committed per stream. Events are never deleted, so a
 * version once seen exists forever: an append at an expected version at or below it needs no
 * extra read to rule out a gap. Bounded, least recently used entries are evicted first.
 */
export class KnownVersions {
  private readonly versions = new Map<string, number>();

  constructor(private readonly capacity = 10_000) {}

  get(streamId: string): number {
    return this.versions.get(streamId) ?? 0;
  }

  observe(streamId: string, version: number): void {
    const known = this.versions.get(streamId) ?? 0;
    this.versions.delete(streamId);
    this.versions.set(streamId, Math.max(known, version));
    if (this.versions.size > this.capacity) {
      const oldest = this.versions.keys().next().value;
      if (oldest !== undefined) this.versions.delete(oldest);
    }
  }
}

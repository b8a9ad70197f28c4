/**
 * Values kept for a short while and for a bounded number of keys, least recently set evicted
 * first. For subjects' data keys it is what bounds how late an erasure reaches a process: once
 * an entry expires (`ttlMs`) the process asks again, whatever it had cached.
 */
export class TimedCache<Value> {
  private readonly entries = new Map<string, { value: Value; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value, or undefined when it is not cached or has expired. */
  get(key: string): Value | undefined {
    const cached = this.entries.get(key);
    if (!cached) return undefined;
    if (cached.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return cached.value;
  }

  set(key: string, value: Value): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

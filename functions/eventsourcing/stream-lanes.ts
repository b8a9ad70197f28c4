/**
 * Work on one stream, one at a time, in the order it came; work on other streams runs beside
 * it. Commands on one stream that run side by side in one process would only race for the same
 * version, and each lost race costs a refused write and a read before the next try.
 */
export class StreamLanes {
  /** The last work queued on each stream with work waiting or running, settled either way. */
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(streamId) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(streamId, tail);
    void tail.then(() => {
      if (this.tails.get(streamId) === tail) this.tails.delete(streamId);
    });
    return result;
  }
}

import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

/**
 * The buckets created with Object Lock, kept in a JSON file beside the objects so a restart on
 * the same directory keeps them write-once. S3 cannot turn Object Lock off, so neither can this.
 */
export class ObjectLockedBuckets {
  private readonly buckets: Set<string>;

  constructor(private readonly file: string) {
    this.buckets = new Set(
      existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [],
    );
  }

  has(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  /** Records the bucket as locked (or, for a bucket created anew without Object Lock, not). */
  async set(bucket: string, locked: boolean): Promise<void> {
    if (locked === this.buckets.has(bucket)) return;
    if (locked) this.buckets.add(bucket);
    else this.buckets.delete(bucket);
    // Written whole and renamed into place: a crash leaves the old list or the new one.
    const next = `${this.file}.next`;
    await writeFile(next, JSON.stringify([...this.buckets].sort()));
    await rename(next, this.file);
  }
}

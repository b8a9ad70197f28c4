import { randomBytes } from 'node:crypto';
import { SubjectErasedError } from '../errors.js';
import type { SubjectKeys } from './subject-keys.js';

/**
 * Subjects' data keys in memory, with the DynamoDB keys' contract (a key per subject, created on
 * first use; an erased subject refused for sealing and unreadable), for unit tests without Java.
 */
export class InMemorySubjectKeys implements SubjectKeys {
  private readonly keys = new Map<string, Uint8Array | null>();

  forSealing(subjects: readonly string[]): Promise<ReadonlyMap<string, Uint8Array>> {
    const sealing = new Map<string, Uint8Array>();
    for (const subject of subjects) {
      let key = this.keys.get(subject);
      if (key === null) return Promise.reject(new SubjectErasedError(subject));
      if (key === undefined) this.keys.set(subject, (key = randomBytes(32)));
      sealing.set(subject, key);
    }
    return Promise.resolve(sealing);
  }

  forReading(subjects: readonly string[]): Promise<ReadonlyMap<string, Uint8Array | undefined>> {
    return Promise.resolve(
      new Map(subjects.map((subject) => [subject, this.keys.get(subject) ?? undefined])),
    );
  }

  /** Destroys the subject's key: what it sealed reads as replacements, and it takes no more. */
  erase(subject: string): void {
    this.keys.set(subject, null);
  }
}

import type { ReadModelItem, ReadModelKey } from '../projection.js';
import { InvalidReadModelWriteError } from './pending-writes.js';

/**
 * Where a projection's items and bookkeeping live inside its read-model table.
 *
 * A projection writes into a *generation* of its read model: the physical partition key of an
 * item is `<projection>#<generation>#<pk>`. A rebuild fills the next generation while the live
 * one keeps serving, then switches the active generation with one conditional write (see
 * `generations.ts`). Runtime bookkeeping uses partition keys starting with `$`, which a
 * projection's own keys can never produce.
 */

/** Prefix of every physical partition key of one generation of a projection. */
export const generationPrefix = (projection: string, generation: number): string =>
  `${projection}#${generation}#`;

/** Prefix of the applied-version items of one generation of a projection. */
export const appliedPrefix = (projection: string, generation: number): string =>
  `$applied#${projection}#${generation}#`;

/** The item recording the last version of `streamId` applied to a generation. */
export const appliedVersionKey = (
  projection: string,
  generation: number,
  streamId: string,
): ReadModelKey => ({ pk: `${appliedPrefix(projection, generation)}${streamId}`, sk: '$' });

/** Control items of a projection: its generations, and the progress of a running rebuild. */
export const controlKey = (projection: string, item: 'generations' | 'rebuild'): ReadModelKey => ({
  pk: `$projection#${projection}`,
  sk: item,
});

/** Translates between a projection's keys and the physical keys of one generation. */
export class GenerationKeys {
  private readonly prefix: string;

  constructor(
    readonly projection: string,
    readonly generation: number,
  ) {
    this.prefix = generationPrefix(projection, generation);
  }

  physical(key: ReadModelKey): ReadModelKey {
    if (typeof key?.pk !== 'string' || key.pk.length === 0 || key.pk.startsWith('$')) {
      throw new InvalidReadModelWriteError(
        `Read-model key pk must be a non-empty string not starting with '$'`,
      );
    }
    if (typeof key.sk !== 'string' || key.sk.length === 0) {
      throw new InvalidReadModelWriteError(`Read-model key sk must be a non-empty string`);
    }
    return { pk: `${this.prefix}${key.pk}`, sk: key.sk };
  }

  logical(item: Record<string, unknown>): ReadModelItem {
    const pk = item.pk as string;
    return { ...item, pk: pk.slice(this.prefix.length), sk: item.sk as string };
  }
}

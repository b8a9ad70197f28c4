import type { BucketDeclaration, BucketGrants } from './buckets.js';
import type { FunctionDeclaration } from './functions.js';
import { broadestBucketGrants } from './stream-hosts.js';

/**
 * The buckets a function uses: those it declares, and `read` on the archive of every table it
 * has any access to (`BucketDeclaration.archiveOf`) unless it declares more, so that every
 * reader of a table also reads the items moved out of it. The CDK app grants and names exactly
 * these.
 */
export function effectiveBuckets(
  fn: Pick<FunctionDeclaration, 'tables' | 'buckets'>,
  buckets: Readonly<Record<string, BucketDeclaration>>,
): BucketGrants {
  const archives = Object.entries(buckets)
    .filter(([, bucket]) => bucket.archiveOf !== undefined && fn.tables[bucket.archiveOf])
    .map(([key]) => [key, 'read'] as const);
  return broadestBucketGrants([Object.fromEntries(archives), fn.buckets ?? {}]);
}

/** Each function declared with `archive` access, with the table it archives. */
export function archiversOf(
  functions: Readonly<Record<string, Pick<FunctionDeclaration, 'tables'>>>,
): { readonly function: string; readonly table: string }[] {
  return Object.entries(functions).flatMap(([key, fn]) =>
    Object.entries(fn.tables)
      .filter(([, access]) => access === 'archive')
      .map(([table]) => ({ function: key, table })),
  );
}

import { INSTANT_STORAGE_CLASSES, type BucketTransition } from './buckets.js';
import type { SystemDeclaration } from './system.js';

/** S3 moves no object to Standard-IA before it is 30 days old. */
const MIN_STANDARD_IA_DAYS = 30;

const coldness = (transition: BucketTransition) =>
  INSTANT_STORAGE_CLASSES.indexOf(transition.storageClass);

/** The problems of a bucket's lifecycle: each step later and colder than the one before. */
function transitionProblems(key: string, transitions: readonly BucketTransition[]): string[] {
  return transitions.flatMap((transition, index) => {
    const { days, storageClass } = transition;
    const previous = transitions[index - 1];
    return [
      coldness(transition) < 0 &&
        `bucket ${key} moves objects to ${storageClass}, which does not read back at once (${INSTANT_STORAGE_CLASSES.join(' or ')} only)`,
      !(Number.isSafeInteger(days) && days >= 1) &&
        `bucket ${key} moves objects to ${storageClass} after ${days} days: a whole number of days from 1 is needed`,
      storageClass === 'STANDARD_IA' &&
        days < MIN_STANDARD_IA_DAYS &&
        `bucket ${key} moves objects to STANDARD_IA after ${days} days: S3 needs at least ${MIN_STANDARD_IA_DAYS}`,
      previous &&
        (days <= previous.days || coldness(transition) <= coldness(previous)) &&
        `bucket ${key} moves objects to ${storageClass} after ${days} days: each step must come later and go colder than the one before`,
    ].filter((problem): problem is string => typeof problem === 'string');
  });
}

/**
 * The problems of the declared buckets themselves: an archive of an undeclared table, a
 * retention setting on a bucket that locks nothing, a lifecycle S3 refuses or that would not
 * read back at once.
 */
export const bucketProblems = ({ tables, buckets }: SystemDeclaration): string[] =>
  Object.entries(buckets).flatMap(([key, bucket]) => [
    ...(bucket.archiveOf !== undefined && !tables[bucket.archiveOf]
      ? [`bucket ${key} archives undeclared table ${bucket.archiveOf}`]
      : []),
    ...(bucket.retentionSetting !== undefined && !bucket.writeOnce
      ? [`bucket ${key} has a retentionSetting but is not write-once: it locks nothing`]
      : []),
    ...transitionProblems(key, bucket.transitions ?? []),
  ]);

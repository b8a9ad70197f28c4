import * as z from 'zod';
import { fieldPath } from '../event-catalogue.js';
import { ValidationError, type FieldError } from './errors.js';

function fieldErrors(
  issues: readonly z.core.$ZodIssue[],
  location: FieldError['in'],
): FieldError[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        in: location,
        field: fieldPath([...issue.path, key]),
        message: 'is not a known field',
      }));
    }
    const field = fieldPath(issue.path);
    return [{ in: location, field: field || location, message: issue.message }];
  });
}

/** Parses one part of a request, or throws a `ValidationError` naming every offending field. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, location: FieldError['in']): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(fieldErrors(result.error.issues, location));
  return result.data;
}

/** An id in a path: what the service generates (ULIDs) and what clients reasonably choose. */
export const resourceId = z
  .string()
  .regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'must be 1 to 128 letters, digits or _.:@-');

/** A positive amount of money in minor units, at most `max`. */
export const money = (max: number) =>
  z
    .int('must be an integer number of minor units')
    .positive('must be positive')
    .max(max, `must be at most ${max}`);

/** Free text a person typed: trimmed length 1..max, no control characters. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses; as a pattern, not a refine, the API description shows it
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** An integer in a query string, e.g. `?limit=20`. */
export const integerParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** Page size of listing endpoints. */
export const limitParam = integerParam(1, 100).optional();

/** Opaque continuation token a listing returned as `nextCursor`. */
export const cursorParam = z.string().max(2048, 'is not a cursor this service issued').optional();

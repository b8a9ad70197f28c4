import { describe, expect, it } from 'vitest';
import * as framework from '../../functions/eventsourcing';

type ErrorClass = abstract new (...args: never[]) => Error;

const errorClasses = Object.entries(framework as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === 'function' &&
    (entry[1] as { prototype: unknown }).prototype instanceof Error,
);

describe('framework errors', () => {
  it('are exported', () => {
    expect(errorClasses.map(([name]) => name)).toContain('ConcurrencyError');
  });

  it('all extend EventSourcingError, so each has a stable code', () => {
    const outside = errorClasses
      .filter(([, type]) => type !== framework.EventSourcingError)
      .filter(([, type]) => !(type.prototype instanceof framework.EventSourcingError))
      .map(([name]) => name);
    expect(outside).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { KnownVersions } from '../../functions/eventsourcing/known-versions';

describe('known versions', () => {
  it('remembers the highest version and evicts the least recently used stream', () => {
    const known = new KnownVersions(2);
    known.observe('a', 3);
    known.observe('a', 1);
    known.observe('b', 1);
    known.observe('a', 4);
    known.observe('c', 1);
    expect(known.get('a')).toBe(4);
    expect(known.get('b')).toBe(0);
    expect(known.get('c')).toBe(1);
  });
});

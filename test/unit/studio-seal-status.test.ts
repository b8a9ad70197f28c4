import { describe, expect, it } from 'vitest';
import { sealStatuses } from '../../local/studio/seal-status';

const hash = (n: number) => String(n).repeat(64).slice(0, 64);

describe("the studio's seal statuses", () => {
  it('names the checkpoint and position of sealed events, across runs of several checkpoints', () => {
    const events = [1, 2, 3, 4].map((version) => ({ version, hash: hash(version) }));
    const runs = [
      { sequence: 1, firstVersion: 1, positions: [7, 9] },
      { sequence: 2, firstVersion: 3, positions: [15] },
    ];
    expect(sealStatuses(events, runs)).toEqual([
      { status: 'sealed', checkpoint: 1, position: 7 },
      { status: 'sealed', checkpoint: 1, position: 9 },
      { status: 'sealed', checkpoint: 2, position: 15 },
      { status: 'pending' },
    ]);
  });

  it('calls an event without a hash unsealed, even where a checkpoint covers its position', () => {
    const events = [{ version: 1 }, { version: 2, hash: hash(2) }, { version: 3, hash: hash(3) }];
    const runs = [{ sequence: 4, firstVersion: 1, positions: [30, 31] }];
    expect(sealStatuses(events, runs)).toEqual([
      { status: 'unsealed' },
      { status: 'sealed', checkpoint: 4, position: 31 },
      { status: 'pending' },
    ]);
  });

  it('answers pending for every hashed event of a stream no checkpoint has reached', () => {
    expect(sealStatuses([{ version: 1, hash: hash(1) }], [])).toEqual([{ status: 'pending' }]);
  });
});

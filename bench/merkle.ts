/**
 * How fast a sealer can turn global-log positions into a checkpoint root: leaf encoding, leaf
 * hashes and the Merkle root, for one tree of `n` leaves (default 200,000), three runs.
 * `npx tsx bench/merkle.ts [n]`. Prints leaves per second of wall time and per CPU-second (on a
 * shared machine the second is the steadier figure).
 */
import { randomBytes } from 'node:crypto';
import { leafBytes } from '../functions/eventsourcing/integrity/leaf';
import { leafHash, merkleRoot } from '../functions/eventsourcing/integrity/merkle';

const n = Number(process.argv[2] ?? 200_000);
const positions = Array.from({ length: n }, (_, i) => ({
  position: 1_000_000 + i,
  streamId: `account-${randomBytes(8).toString('hex')}`,
  version: 1 + (i % 97),
  hash: randomBytes(32).toString('hex'),
}));

for (let run = 1; run <= 3; run++) {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const root = merkleRoot(positions.map((position) => leafHash(leafBytes(position))));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `run ${run}: ${n} leaves in ${seconds.toFixed(2)} s, ` +
      `${Math.round(n / seconds)} leaves/s (${Math.round(n / cpuSeconds)} per CPU-second), ` +
      `root ${root.toString('hex').slice(0, 16)}…`,
  );
}

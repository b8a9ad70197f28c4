import type { Target } from './findings';
import { figure, integer, ratio } from './format';
import { SEAL_MINUTES, callPrice, monthOfSealing } from './history-costs';
import { dollars } from './report-history-sealing';
import type { BenchResults } from './results';
import type { HashingAppendResult } from './sections/history-appends';
import type { HistoryResult } from './sections/history';

/** Appends with hashing must keep this share of the rate without it. */
const APPEND_TARGET = 0.97;
/** Events per second the in-process hashing and Merkle work of verification must reach. */
const VERIFY_TARGET = 100_000;

export function historyTargets(results: BenchResults): Target[] {
  const h = results.history;
  return [
    ...h.appends.map((run) => ({
      name: `Append with hashing vs hashing short-circuited, concurrency ${run.concurrency}`,
      measured: run.withVersusWithout,
      threshold: APPEND_TARGET,
    })),
    {
      name: 'Verification in process: event hashes, leaves and Merkle root',
      measured: h.inProcess.together.perSecond,
      threshold: VERIFY_TARGET,
      unit: 'events/s',
    },
  ];
}

/** Whether a ratio lies within the spread two identical sides showed in the same runs. */
const withinNoise = (run: HashingAppendResult) =>
  run.withVersusWithout.median >= run.control.min &&
  run.withVersusWithout.median <= run.control.max;

function appendsSentence(h: HistoryResult): string {
  const busiest = h.appends.at(-1)!;
  const hash = h.inProcess.hashMicros.cpu.median;
  const append = busiest.sides.hashed.cpuMicrosPerAppend.median;
  const missed = h.appends.filter((run) => run.withVersusWithout.median < APPEND_TARGET);
  const explained = missed.map((run) =>
    withinNoise(run)
      ? `at concurrency ${run.concurrency} the ratio lies inside the control’s spread: two ` +
        'identical sides landed as far apart, so this run cannot tell hashing from noise'
      : `at concurrency ${run.concurrency} the ratio lies outside the control’s spread, more ` +
        'than this run’s noise',
  );
  return (
    `By its CPU time, hashing should cost appends about ${((hash / append) * 100).toFixed(1)}%: ` +
    `${figure(h.inProcess.hashMicros.cpu, 1)} µs per event in process, against the ` +
    `${integer.format(append)} µs the benchmark process spends per append at concurrency ` +
    `${busiest.concurrency}. Measured, appends with hashing run at ` +
    h.appends
      .map((run) => `${ratio(run.withVersusWithout)} at concurrency ${run.concurrency}`)
      .join(' and ') +
    ' of the rate of the same store with hashing short-circuited (two identical sides: ' +
    h.appends.map((run) => ratio(run.control)).join(' and ') +
    ')' +
    (explained.length === 0 ? '.' : `; below the ${APPEND_TARGET} target, ${explained.join('; ')}.`)
  );
}

function verificationSentence(h: HistoryResult): string {
  const p = h.inProcess;
  const met = p.together.perSecond.median >= VERIFY_TARGET;
  return (
    `In process, verification recomputes event hashes at ${figure(p.eventHashes.perSecond)} ` +
    `and builds leaves and Merkle roots at ${figure(p.leavesAndRoot.perSecond)} events per ` +
    `second: **${figure(p.together.perSecond)}** together, ` +
    (met
      ? `above the ${integer.format(VERIFY_TARGET)} target.`
      : `below the ${integer.format(VERIFY_TARGET)} target. Of the ` +
        `${figure(p.hashMicros.cpu, 1)} µs an event hash takes, SHA-256 itself takes ` +
        `${figure(p.sha256Micros.cpu, 1)} µs; the rest is the encoding (every field copied into ` +
        'a buffer of its own, then concatenated), hex and reading the fields.') +
    ' End to end through DynamoDB Local, a full verification checks ' +
    `${figure(h.checkpoints.verification.eventsPerSecond)} events per second.`
  );
}

function sealingSentence(h: HistoryResult): string {
  const largest = h.checkpoints.sealing.at(-1)!;
  const month = monthOfSealing(largest);
  const parts = {
    DynamoDB: month.requests.dynamoDb,
    S3: month.requests.s3,
    'KMS requests': month.requests.kms,
    'the KMS key': month.key,
  };
  const [biggest] = Object.entries(parts).sort((a, b) => b[1] - a[1]);
  return (
    `Sealing a checkpoint of ${integer.format(largest.events)} events took ` +
    `${figure(largest.ms)} ms and ${dollars(callPrice(largest.calls).total)}; at that size every ` +
    `${SEAL_MINUTES} minutes (${month.eventsPerSecond.toFixed(1)} events per second) sealing ` +
    `costs ${dollars(month.total)} a month, ${biggest![0]} the largest part.`
  );
}

/** The report's reading of section 9. */
export function historyFinding(results: BenchResults): string {
  const h = results.history;
  return [
    '- **Verifiable history.**',
    appendsSentence(h),
    verificationSentence(h),
    sealingSentence(h),
  ].join(' ');
}

/** The report's section on verifiable history: hashing on appends, verification, sealing. */
import { figure, integer, ratio, table } from './format';
import { perThousand } from './history-costs';
import { sealingPart } from './report-history-sealing';
import type { BenchResults } from './results';
import { STREAM_LENGTH, type HashingSide } from './sections/history-appends';
import type { HistoryResult } from './sections/history';
import type { InProcessRate } from './sections/history-in-process';

const SIDE_LABELS: Record<HashingSide, string> = {
  hashed: '`EventStore.append`, hashing (as shipped)',
  unhashed: '`EventStore.append`, hashing short-circuited',
  hashedControl: '`EventStore.append`, hashing, again (control)',
};

const dateOf = (iso: string) => iso.slice(0, 10);

function introduction(h: HistoryResult): string {
  return (
    `Measured on ${dateOf(h.measuredAt)} in ${Math.round(h.durationSeconds)} s (${h.mode} ` +
    `settings), the one-minute load average ${h.loadAverage.start} at the start and ` +
    `${h.loadAverage.end} at the end: other work shared the cores, so every comparison is ` +
    'interleaved as in section 1. A DynamoDB Local of its own, the local S3 server (in the ' +
    'benchmark’s process, with Object Lock, as the deployed bucket) holding the checkpoints, ' +
    'and a local P-256 key signing them. Every event is the deposit of section 1.'
  );
}

function appendsPart(h: HistoryResult): string[] {
  const s = h.settings;
  const parts = [
    '### Appends with and without hashing',
    '',
    'Every append hashes its events (SHA-256 over the fields as stored, chained to the hash of ' +
      'the stream’s previous event) before its `PutItem`. To see what that costs, the event ' +
      'store runs against itself: as shipped, with hashing short-circuited, and as shipped again ' +
      '(the control, whose ratio to the first side is the noise floor). The short-circuit is ' +
      '`itemHashing`, the one seam in `functions/eventsourcing/event-items.ts`, which the ' +
      'benchmark points at a constant of 64 hex digits during that side’s slices: its items are ' +
      'byte for byte as large and its requests the same, so the sides differ by the hashing ' +
      'alone. A comparison with section 1’s raw `PutItem` would not isolate it, as that also ' +
      'counts validation, marshalling and event ids. Slices of ' +
      `${s.sliceMs} ms in a random order per round (the effect is small, and the machine’s ` +
      'other load may come and go in a rhythm of its own); ' +
      `${s.appendRuns} runs of ${s.appendSlicesPerRun} slices per side; every ratio pairs two ` +
      'sides run by run. Each worker appends to a stream under a random name, a fresh one ' +
      `every ${STREAM_LENGTH} events, so that no side writes at one end of the table’s key ` +
      'order all along. CPU is that of this Node.js process (user and system, all its threads) ' +
      'per append.',
  ];
  for (const run of h.appends) {
    parts.push(
      '',
      `#### Concurrency ${run.concurrency}`,
      '',
      table(
        ['Side', 'Appends/s', 'CPU µs per append', 'p50 ms', 'p99 ms'],
        (Object.keys(SIDE_LABELS) as HashingSide[]).map((side) => [
          SIDE_LABELS[side],
          figure(run.sides[side].opsPerSecond),
          figure(run.sides[side].cpuMicrosPerAppend),
          figure(run.sides[side].p50Ms, 2),
          figure(run.sides[side].p99Ms, 2),
        ]),
      ),
      '',
      table(
        ['Ratio (appends per second, paired per run)', 'Value'],
        [
          ['With hashing ÷ hashing short-circuited', ratio(run.withVersusWithout)],
          ['Control: with hashing ÷ with hashing (noise floor)', ratio(run.control)],
        ],
      ),
    );
  }
  const p = h.inProcess;
  parts.push(
    '',
    `Hashing one event in process (the chained hash of one ${p.itemBytes}-byte item, what the ` +
      `seam skips; ${integer.format(p.events)} events per run, median of ${s.inProcessRuns} ` +
      `runs): **${figure(p.hashMicros.cpu, 2)} µs** of CPU, ${figure(p.hashMicros.wall, 2)} µs ` +
      `of wall time. SHA-256 alone over inputs of the same size (${p.encodedBytes} bytes) takes ` +
      `${figure(p.sha256Micros.cpu, 2)} µs of CPU; the rest is the encoding (each field copied ` +
      'into a buffer of its own behind its length, then all concatenated), hex and reading the ' +
      'fields from the item.',
  );
  return parts;
}

const rateRow = (work: string, rate: InProcessRate) => [
  work,
  figure(rate.perSecond),
  figure(rate.perCpuSecond),
];

function verificationPart(h: HistoryResult): string[] {
  const p = h.inProcess;
  const v = h.checkpoints.verification;
  const calls = v.calls;
  return [
    '### Verification',
    '',
    `In process: ${integer.format(p.events)} events across ${p.streams} streams, their ` +
      'positions interleaved as a log’s are; each run times the verifier’s chain check ' +
      '(`checkChain`: every hash recomputed from the stored item), the leaves and the Merkle root ' +
      '(`leafRoot`: leaf encoding, leaf hashes, the RFC 6962 tree, as the sealer and the ' +
      'verifier compute them) and the two together, the order rotating. Per CPU-second counts ' +
      'every thread of the process (garbage collection runs beside the code), so it can be lower ' +
      'than per second of wall time.',
    '',
    table(
      ['Work', 'Events per second', 'Events per CPU-second'],
      [
        rateRow('Event hashes recomputed (`checkChain`)', p.eventHashes),
        rateRow('Leaves and Merkle root (`leafRoot`)', p.leavesAndRoot),
        rateRow('**Both**: hashing and Merkle work of verification', p.together),
      ],
    ),
    '',
    'End to end: `HistoryVerifier.verify({ full: true })` over the history the sealing ' +
      `measurements below built (${integer.format(v.events)} events, ${v.streams} streams, ` +
      `${v.checkpoints} checkpoints), ${v.runs === 1 ? 'once' : `${v.runs} times`}. It checks every checkpoint (S3 \`GET\`, ` +
      'signature, link), reads each checkpoint’s positions from the log and the events behind ' +
      'them (a `Query` per stream and checkpoint), then every stream whole (a `Scan` for the ' +
      'stream ids, a `Query` per stream), recomputing every hash twice.',
    '',
    table(
      [
        'Time, ms',
        'Events per second',
        'DynamoDB reads',
        'Read units',
        'per 1,000 events',
        'S3 GET / LIST',
      ],
      [
        [
          figure(v.ms),
          `**${figure(v.eventsPerSecond)}**`,
          figure(calls.dynamoDb.reads),
          figure(calls.dynamoDb.readUnits),
          integer.format(perThousand(calls.dynamoDb.readUnits.median, v.events)),
          `${figure(calls.s3.get)} / ${figure(calls.s3.list)}`,
        ],
      ],
    ),
  ];
}

export function historySection(results: BenchResults): string {
  const h = results.history;
  return [
    '## 9. Verifiable history',
    '',
    introduction(h),
    '',
    ...appendsPart(h),
    '',
    ...verificationPart(h),
    '',
    ...sealingPart(h),
  ].join('\n');
}

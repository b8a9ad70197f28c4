/** The report's section on the archive: storage, archive runs, archived loads, the hot path. */
import { figure, integer, ratio, table } from './format';
import { s3Dollars } from './prices';
import { storagePart } from './report-archive-storage';
import type { BenchResults } from './results';
import type { ArchiveResult } from './sections/archive';
import type { ArchiveLoadSide } from './sections/archive-loads';

/** The hot path's target: rates while an archive run is going on over rates without. */
const HOT_PATH_TARGET = 0.95;

import { dollars } from './report-archive-storage';

const LOAD_LABELS: Record<ArchiveLoadSide, string> = {
  hot: 'Hot: every event in the table, no snapshot',
  archivedWithSnapshot: 'Archived, snapshot at N−1, `AggregateRepository.load` (as shipped)',
  archivedSnapshotThenTail: 'Archived, snapshot at N−1, read first, then the events after it',
  archivedWithoutSnapshot: 'Archived, no snapshot',
};

function introduction(a: ArchiveResult): string {
  const s = a.settings;
  return (
    `Measured on ${a.measuredAt.slice(0, 10)} in ${Math.round(a.durationSeconds)} s (${a.mode} ` +
    `settings), the one-minute load average ${a.loadAverage.start} at the start and ` +
    `${a.loadAverage.end} at the end (other processes shared the two cores). A DynamoDB ` +
    'Local of its own and the local S3 server (in the benchmark’s process) holding the ' +
    'checkpoints and the archive bucket (Object Lock, as deployed). A history of ' +
    `${integer.format(s.streams)} streams of ${s.eventsPerStream} deposits (section 1’s event) is ` +
    'seeded, indexed in the global log and sealed by a signed checkpoint (section 9’s seeding), ' +
    'then `StreamArchiver.run()` archives every stream with a rule that makes them all due ' +
    '(`inactiveDays: 0`). As the archiver does, it moves versions 1 to N−1 of each stream and ' +
    'leaves the last one, with the stream’s head and archive mark, in the table. Times are ' +
    'those of DynamoDB Local and an S3 server on the same cores, not of AWS; request counts ' +
    'and bytes carry over.'
  );
}

function runPart(a: ArchiveResult): string[] {
  const { run } = a;
  const seconds = run.ms / 1000;
  return [
    '### Archive throughput',
    '',
    '`StreamArchiver.run()` with its default concurrency, alone on the machine’s services: ' +
      'it scans the heads, then per stream reads its head, archive mark and seal records, lists ' +
      'its segments, reads the range, writes the segment, moves the mark and deletes each ' +
      'archived item with its own conditional `DeleteItem` (only if it still holds the bytes ' +
      'archived, so no batch); requests per stream are counted on the clients.',
    '',
    table(
      [
        'Streams',
        'Events moved',
        'Seconds',
        'Events/s',
        'Streams/s',
        'DynamoDB requests per stream',
        'S3 PUT / LIST / GET per stream',
      ],
      [
        [
          integer.format(run.streams),
          integer.format(run.events),
          seconds.toFixed(1),
          integer.format(run.events / seconds),
          (run.streams / seconds).toFixed(1),
          run.dynamoDbRequestsPerStream.toFixed(1),
          `${run.s3PerStream.put.toFixed(1)} / ${run.s3PerStream.list.toFixed(1)} / ` +
            run.s3PerStream.get.toFixed(1),
        ],
      ],
    ),
  ];
}

const commands = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .map(([name, count]) => `${count} ${name.replace(/Command$/, '')}`)
    .join(', ');

function loadsPart(a: ArchiveResult): string[] {
  const { loads } = a;
  const sides = Object.keys(LOAD_LABELS) as ArchiveLoadSide[];
  const withSnapshot = loads.archivedWithSnapshot;
  return [
    '### Loads of an archived stream',
    '',
    `A stream of ${loads.length} events loaded ${a.settings.loadRepetitions} times each way, ` +
      'the ways taking turns in rotating order; the archived streams hold versions 1 to ' +
      `${loads.length - 1} in S3 and version ${loads.length} in the table. Requests are those of one load, counted on the clients; the S3 ` +
      'dollars are those of its GET and LIST requests per million loads ' +
      '(DynamoDB’s are those of section 2’s loads).',
    '',
    table(
      [
        'Load',
        'p50 ms',
        'p99 ms',
        'Events folded',
        'DynamoDB requests',
        'S3 LIST + GET',
        'S3 dollars per million loads',
      ],
      sides.map((side) => {
        const load = loads[side];
        return [
          LOAD_LABELS[side],
          load.p50Ms.toFixed(1),
          load.p99Ms.toFixed(1),
          String(load.eventsRead),
          `${load.dynamoDbRequests} (${commands(load.dynamoDbCommands)})`,
          `${load.s3.list} + ${load.s3.get}`,
          dollars(s3Dollars(load.s3) * 1e6),
        ];
      }),
    ),
    '',
    ...(withSnapshot.s3.get + withSnapshot.s3.list > 0
      ? [
          'A snapshot does **not** keep the repository’s load off S3 here: the load reads the ' +
            'snapshot and the latest events of its tail window (the strategy’s events between ' +
            'snapshots, 10 here) side by side, in one round trip, and the archiver leaves only ' +
            'the last event in the table, so the backward read of those latest events reaches ' +
            'into the archive. The snapshot read first and the events after it read next stay ' +
            'in DynamoDB. Loads of archived streams that are meant to stay off S3 need the ' +
            'window no longer than the hot tail (`tailWindow: 1` for these), or the archiver to ' +
            'leave a window’s worth of events in the table.',
        ]
      : []),
  ];
}

function hotPathPart(a: ArchiveResult): string[] {
  const h = a.hotPath;
  const met = (s: { median: number }) => (s.median >= HOT_PATH_TARGET ? 'met' : '**missed**');
  return [
    '### The hot path while an archive run is going on',
    '',
    `${h.workers} workers appending single deposits (each to streams of its own) and ${h.workers} loading ${a.settings.eventsPerStream}-event streams, none of which any run ` +
      'archives, on the same events table and DynamoDB Local. Each run has one slice without ' +
      `and one with an archive run of ${h.streamsPerRun} streams of their own going on, the ` +
      'order alternating; the slice with an archive run ends when the run does, or after ' +
      `${h.sliceMs / 1000} s with the run still going, so the hot path is measured only while ` +
      `archiving. ${h.runs} runs; ratios pair the slices of a run.`,
    '',
    table(
      ['Hot path', 'Without', 'With an archive run', `Ratio (target ≥ ${HOT_PATH_TARGET})`, ''],
      [
        [
          'Appends/s',
          figure(h.appendsPerSecond.idle),
          figure(h.appendsPerSecond.archiving),
          ratio(h.appendRatio),
          met(h.appendRatio),
        ],
        [
          'Loads/s',
          figure(h.loadsPerSecond.idle),
          figure(h.loadsPerSecond.archiving),
          ratio(h.loadRatio),
          met(h.loadRatio),
        ],
      ],
    ),
    '',
    `Slices with an archive run lasted ${figure(h.archivingSliceMs)} ms; the runs moved ` +
      `${figure(h.archiveEventsPerSecond)} events/s meanwhile. Here the archiver, the ` +
      'benchmark’s own workers, DynamoDB Local and the S3 server share two cores with other ' +
      'processes, so every request the archiver sends takes CPU from the hot path: the ' +
      'ratio measures the emulator’s capacity as much as the archiver. On AWS the archiver’s ' +
      'requests go to partitions of other streams (each stream is its own partition key), ' +
      'served apart from the hot streams’, and it runs in a function of its own, so the local ' +
      'ratio is expected to be a lower bound; a test on AWS would tell.',
  ];
}

export function archiveSection(results: BenchResults): string {
  const archive = results.archive;
  if (!archive) return '';
  return [
    '## 12. History that ages: the archive',
    '',
    introduction(archive),
    '',
    ...storagePart(archive),
    '',
    ...runPart(archive),
    '',
    ...loadsPart(archive),
    '',
    ...hotPathPart(archive),
    '',
  ].join('\n');
}

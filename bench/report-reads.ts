/** The report's sections on reads, consumers and bundles. */
import type { BenchResults } from './results';
import type { LoadResult } from './sections/loads';
import { ratioKey } from './sections/throughput';
import { figure, integer, kib, ratio, table } from './format';
import { BUNDLE_TARGETS, bundleTarget } from './sections/bundles';
export function loadsSection(results: BenchResults): string {
  const tail = results.settings.snapshotTail;
  return [
    '## 3. Load time against stream length',
    '',
    'Time of `AggregateRepository.load` of one stream, without snapshots (one `Query`, followed ' +
      'past each 1 MB page, folding every event) and with a snapshot ' +
      `${tail} events behind the head (the snapshot's \`GetItem\` and a backward \`Query\` of ` +
      'the latest events, as many as the strategy lets accumulate between snapshots, sent side by ' +
      'side: one round trip), beside a raw consistent `Query` that pages through the same stream ' +
      'and does nothing with the items (the least a load can cost). Two more sides measure the ' +
      'snapshot load: the same load as two round trips in a row (`GetItem`, then a `Query` of the ' +
      `tail) and a raw \`Query\` of the ${tail}-event tail alone (the target: a load with a ` +
      'snapshot within 1.2× of it). These loads and Castore’s (section 5) run in turn, the order ' +
      'rotating each repetition; ratios pair the loads of the same repetition.',
    '',
    table(
      [
        'Events in stream',
        'Repetitions',
        'Raw Query, ms',
        'Load, no snapshot, ms',
        'Load, snapshot, ms',
        'Load speed ÷ raw Query speed',
        'Speed-up from the snapshot',
        'Snapshot, then tail, ms',
        'Raw Query of the tail, ms',
        'Snapshot load time ÷ raw tail Query time',
      ],
      results.loads.map((load: LoadResult) => [
        integer.format(load.length),
        String(load.repetitions),
        figure(load.ms.rawQuery, 2),
        figure(load.ms.withoutSnapshot, 2),
        figure(load.ms.withSnapshot, 2),
        ratio(load.versusRawQuery),
        ratio(load.snapshotSpeedup),
        figure(load.ms.sequentialSnapshot, 2),
        figure(load.ms.rawTailQuery, 2),
        ratio(load.snapshotVersusRawTail),
      ]),
    ),
  ].join('\n');
}

export function projectionsSection(results: BenchResults): string {
  const p = results.projections;
  const columns = p.hosted.map((hosted) => hosted.label);
  const row = (label: string, value: (hosted: (typeof p.hosted)[number]) => string) => [
    label,
    ...p.hosted.map(value),
  ];
  return [
    '## 4. Projections in their stream host, through the local stream runner',
    '',
    `Projections run in the \`${p.host}\` stream host (one reader of the events table’s stream ` +
      'for every projection), fed by the local stream runner with the host’s declared event ' +
      `source mapping settings (batches of up to ${p.settings.batchSize}, batching window ` +
      `${p.settings.maxBatchingWindowSeconds} s, polling four times a second like Lambda). The ` +
      'same workload is measured with `account-summaries` alone in the host (one projection, as ' +
      'this section measured before hosts existed) and with every declared projection in it. ' +
      'This section has a DynamoDB Local of its own (the emulator’s streams slow down as its ' +
      'database fills, and the other sections leave far more data than a local stack holds) and ' +
      `one untimed run per column to warm it up. Each run has fresh tables and writes ` +
      `${integer.format(p.events)} events across ${p.streams} account streams (opened, then ` +
      'deposits; one `PutItem` per event, all streams written at once), twice:',
    '',
    '- **catch-up**: the events are written first (no consumer reading the stream), then the ' +
      'runner starts from the trim horizon; events per second from its start until the last ' +
      'event is processed;',
    '- **live**: the runner is running while the events are written; lag is the time from an ' +
      'event’s `recordedAt` until the host invocation that processed it returned (the runner ' +
      'checkpoints right after), and the processed rate counts from the first write to the last.',
    '',
    'The two columns take turns, one run each, so a change in the shared machine’s load falls ' +
      'on both alike. Requests count every call the host’s DynamoDB client made over both ' +
      'phases, per event written; items written count every item those writes put, updated or ' +
      'deleted (applied versions included). The order and transfer projections handle no ' +
      'account event: what they spent on this workload is what events a consumer does not ' +
      'handle cost it.',
    '',
    table(
      ['Measure', ...columns.map((column) => `${column}, median of ${p.runs} runs (min–max)`)],
      [
        row('Catch-up, events processed per second', (h) => figure(h.catchUpEventsPerSecond)),
        row('Live, events written per second', (h) => figure(h.live.writtenPerSecond)),
        row('Live, events processed per second', (h) => figure(h.live.appliedPerSecond)),
        row('Live, lag p50', (h) => `${figure(h.live.lagP50Ms)} ms`),
        row('Live, lag p99', (h) => `${figure(h.live.lagP99Ms)} ms`),
        row('Write requests per event', (h) => figure(h.writeRequestsPerEvent, 2)),
        row('Items written per event', (h) => figure(h.itemsWrittenPerEvent, 2)),
        row('Read requests per event', (h) => figure(h.readRequestsPerEvent, 2)),
        row('Requests for events no hosted projection handles (all runs)', (h) =>
          integer.format(h.requestsForUnhandledEvents),
        ),
      ],
    ),
    '',
    `Events written per second with no consumer running: ${figure(p.writtenWithoutConsumerPerSecond)}. ` +
      'Catch-up with every projection against one, each run against the run beside it: ' +
      `${ratio(p.catchUpEveryVersusOne)}. One-minute load average of the shared machine when ` +
      `the section started: ${p.loadAverage.atStart.toFixed(1)}, when it ended: ` +
      `${p.loadAverage.atEnd.toFixed(1)} (on its ${results.machine.cores} cores).`,
  ].join('\n');
}

export function peerSection(results: BenchResults): string {
  const rows: string[][] = [];
  for (const run of results.throughput) {
    rows.push(
      [
        `Append 1 event, concurrency ${run.concurrency}`,
        `${figure(run.sides.eventStoreAppend.opsPerSecond)} ops/s`,
        `${figure(run.sides.castorePush.opsPerSecond)} ops/s`,
        ratio(run.ratios[ratioKey('eventStoreAppend', 'castorePush')]!),
      ],
      [
        `Command (load + append), concurrency ${run.concurrency}`,
        `${figure(run.sides.commandHandler.opsPerSecond)} ops/s`,
        `${figure(run.sides.castoreCommand.opsPerSecond)} ops/s`,
        ratio(run.ratios[ratioKey('commandHandler', 'castoreCommand')]!),
      ],
    );
  }
  for (const load of results.loads) {
    rows.push([
      `Load ${integer.format(load.length)} events`,
      `${figure(load.ms.withoutSnapshot, 2)} ms`,
      `${figure(load.ms.castore, 2)} ms`,
      ratio(load.versusCastore),
    ]);
  }
  const sizes = results.requests.sizes;
  return [
    '## 5. Peer: Castore',
    '',
    'Castore’s `EventStore` on its `DynamoDBSingleTableEventStorageAdapter`, set up as its README ' +
      'prescribes (`aggregateId`/`version` keys, the `initialEvents` index on ' +
      '`eventStoreId`/`timestamp`, keys only), in its own table on the same DynamoDB Local, with ' +
      'the stream enabled like the framework’s events table. It writes the same deposits ' +
      '(payload and metadata). Its append is `pushEvent` at the next version; its command is a ' +
      'Castore `Command` whose handler calls `getAggregate` and `pushEvent`; its load is ' +
      '`getAggregate` (Castore has no snapshots, so the framework’s load here is the one without ' +
      'a snapshot). Appends and commands ran interleaved with section 1, loads with section 3. ' +
      'Ratio above 1: the framework is faster.',
    '',
    table(['Operation', 'Framework', 'Castore', 'Framework speed ÷ Castore speed'], rows),
    '',
    '### Where load time goes',
    '',
    `Castore’s items are smaller: ${sizes.castoreEvent} bytes against the framework’s ` +
      `${sizes.event} (it stores no event id and no schema version), and DynamoDB Local’s read ` +
      'time grows with the items. A raw consistent `Query` of each library’s items, paged through ' +
      'and not even unmarshalled, ran in the same rotation: it separates what the items cost ' +
      'from what each library’s code adds.',
    '',
    table(
      [
        'Events',
        'Raw Query of the framework’s items, ms',
        'Raw Query of Castore’s items, ms',
        'Item size: raw speed on the framework’s items ÷ on Castore’s',
        'Framework load speed ÷ its raw Query',
        'Castore load speed ÷ its raw Query',
      ],
      results.loads.map((load) => [
        integer.format(load.length),
        figure(load.ms.rawQuery, 2),
        figure(load.ms.castoreRawQuery, 2),
        ratio(load.rawQueryVersusCastore),
        ratio(load.versusRawQuery),
        ratio(load.castoreVersusRawQuery),
      ]),
    ),
  ].join('\n');
}

export function bundlesSection(results: BenchResults): string {
  const { bundles } = results;
  if (!bundles.measured) {
    return ['## 6. Lambda bundles', '', `Not measured: ${bundles.reason}.`].join('\n');
  }
  const runs = bundles.functions[0]?.coldImportMs.runs ?? 0;
  return [
    '## 6. Lambda bundles',
    '',
    `From \`${bundles.source}\`: each function bundled by the CDK app with esbuild (minified ESM ` +
      'for Node.js 24, the AWS SDK included with the environment as its only credential source), ' +
      'code and source map, the compressed size that approximates the deployment zip, and the ' +
      `cold import: the milliseconds a fresh Node.js ${results.machine.node} process takes to ` +
      `import the bundle, module evaluation included (median of ${runs} processes, fastest and ` +
      'slowest in brackets). The target is the code size: under ' +
      `${kib(BUNDLE_TARGETS.health)} for the health check, at most ${kib(BUNDLE_TARGETS.other)} ` +
      '(half of the largest bundle before they were cut down) for every other function.',
    '',
    table(
      ['Function', 'Code', 'Target', '', 'Source map', 'Compressed', 'Cold import (ms)'],
      bundles.functions.map((f) => [
        `\`${f.function}\``,
        kib(f.codeBytes),
        `≤ ${kib(bundleTarget(f.function))}`,
        f.codeBytes <= bundleTarget(f.function) ? 'met' : '**missed**',
        kib(f.sourceMapBytes),
        kib(f.compressedBytes),
        figure(f.coldImportMs, 1),
      ]),
    ),
  ].join('\n');
}

export function globalLogSection(results: BenchResults): string {
  const g = results.globalLog;
  return [
    '## 7. Global log through the local stream runner',
    '',
    `The global log's indexer, alone, with the settings of the \`${g.host}\` host it runs in ` +
      `(batches of up to ${g.settings.batchSize}, batching ` +
      `window ${g.settings.maxBatchingWindowSeconds} s) giving every event its position, on the ` +
      'workload of section 4 in a DynamoDB Local of its own: per run, fresh tables, ' +
      `${integer.format(g.events)} events across ${g.streams} account streams written with no ` +
      'consumer running (the append rate), then worked off by the indexer (catch-up), then ' +
      `${integer.format(g.events)} more written while it runs (live; lag from \`recordedAt\` ` +
      'until the handler that indexed the event returned). Then the whole log is read back ' +
      'from position 0, 500 events a read (each read: the pages, then the events by ' +
      '`BatchGetItem`). One page is one `TransactWriteItems` (page, head, type pages, stream ' +
      'markers): events per page is how well the indexer fills them.',
    '',
    table(
      ['Measure', `Median of ${g.runs} runs (min–max)`],
      [
        [
          'Append rate: events written per second, no consumer',
          figure(g.writtenWithoutConsumerPerSecond),
        ],
        ['Catch-up, events indexed per second', figure(g.catchUpIndexedPerSecond)],
        ['Catch-up rate ÷ append rate (above 1: the log keeps up)', ratio(g.keepsUp)],
        ['Live, events written per second', figure(g.live.writtenPerSecond)],
        ['Live, events indexed per second', figure(g.live.indexedPerSecond)],
        ['Live, lag p50', `${figure(g.live.lagP50Ms)} ms`],
        ['Live, lag p99', `${figure(g.live.lagP99Ms)} ms`],
        ['Reading the log, events per second', figure(g.readPerSecond)],
        ['Events per page', figure(g.eventsPerPage, 1)],
      ],
    ),
  ].join('\n');
}

/** BENCHMARKS.md, rendered entirely from the results of one run. */

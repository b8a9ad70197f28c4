import type { BenchResults } from './results';
import type { LoadResult } from './sections/loads';
import { KEYED_SIDES, type KeyedSide } from './sections/keyed-commands';
import type { RequestsResult } from './sections/requests';
import { ratioKey, type ThroughputSide } from './sections/throughput';
import { figure, integer, kib, ratio, table } from './format';
import { findingsSection, targetMet, targets } from './findings';
import { dollarsPerMillion, ON_DEMAND_PRICES } from './prices';
import { BUNDLE_TARGETS, bundleTarget } from './sections/bundles';
import type { Spread } from './stats';

const SIDE_LABELS: Record<ThroughputSide, { name: string; requests: string }> = {
  rawPut: { name: 'Raw conditional `PutItem` (baseline)', requests: 'PutItem' },
  rawPutControl: { name: 'Raw conditional `PutItem` again (control)', requests: 'PutItem' },
  eventStoreAppend: { name: '`EventStore.append` (1 event)', requests: 'PutItem' },
  castorePush: { name: 'Castore `pushEvent`', requests: 'PutItem' },
  rawLoadPut: {
    name: 'Raw `Query` + conditional `PutItem` (baseline)',
    requests: 'Query, PutItem',
  },
  commandHandler: {
    name: '`CommandHandler.handle` (load + decide + append)',
    requests: 'Query, PutItem',
  },
  castoreCommand: {
    name: 'Castore `Command` (getAggregate + pushEvent)',
    requests: 'Query, PutItem',
  },
};

function summarySection(results: BenchResults): string {
  const rows = targets(results).map((t) => [
    t.name,
    `≥ ${t.threshold.toFixed(1)}×`,
    ratio(t.measured),
    targetMet(t) ? 'met' : '**missed**',
  ]);
  return [
    '## Targets',
    '',
    'Speed of the framework relative to the other side, as throughput ratios (or load-time ratios ' +
      'for loads): above 1 the framework is faster. Each ratio pairs the two sides within one run ' +
      'and the table gives the median over runs with the lowest and highest run in brackets.',
    '',
    table(['Target', 'Wanted', 'Measured', ''], rows),
  ].join('\n');
}

function machineSection(results: BenchResults): string {
  const m = results.machine;
  const s = results.settings;
  return [
    '## Machine and method',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${m.cpu}, ${m.cores} cores`],
        ['Memory', `${m.memoryGiB} GiB`],
        ['OS', m.os],
        ['Node.js', m.node],
        ['Java', m.java],
        ['DynamoDB Local', m.dynamoDbLocal],
        ['AWS SDK', m.awsSdk],
        ['Peer', m.castore],
        ['Load average at start', String(m.loadAverageAtStart)],
      ],
    ),
    '',
    `One DynamoDB Local (Java) and the benchmark (one Node.js process, one DynamoDB client) share ` +
      `the same ${m.cores} cores, so absolute figures are those of the emulator on this machine, not ` +
      'of DynamoDB; the ratios are what carries over. The machine is noisy (other processes run ' +
      'beside the benchmark), so every comparison is interleaved: time is cut into ' +
      `${s.sliceMs} ms slices in which one side runs, the order of the sides rotating from slice ` +
      `to slice; a run is ${s.slicesPerRun} slices of every side, and every figure is the median of ` +
      `${s.runs} runs with the lowest and highest run in brackets. Each worker writes its own ` +
      'streams, so the workers never contend for a version. Before measuring, each side runs ' +
      `untimed for ${s.warmupMs} ms, and a mixed load of ${s.globalWarmupMs / 1000} s warms the JVM. ` +
      'Every table is created and written once before anything is measured: DynamoDB Local ' +
      'serves a table whose first write comes after its database has filled some 30 times ' +
      'slower, for good (measured while building this benchmark: about 25 ms instead of 0.7 ms ' +
      'per `PutItem`). ' +
      'Every event is the same deposit (amount, currency, reference) with the same metadata ' +
      '(correlation id, command id, actor).',
  ].join('\n');
}

function appendSection(results: BenchResults): string {
  const parts = [
    '## 1. Append: the command path against a raw conditional PutItem',
    '',
    'The baseline writes the very item the event store writes (same attributes, same sizes; per ' +
      'call a fresh time and, as event id, a counter spelled out in 26 characters, the cheapest ' +
      'unique id) with `attribute_not_exists(version)`, and nothing else: ' +
      'no validation, no marshalling, no error handling. It is the limit of what DynamoDB allows ' +
      'for one event. A second, identical raw side (the control) runs in the same rotation: ' +
      'its ratio to the baseline shows how far two identical sides land apart in this run, so ' +
      'a difference inside that spread is noise, not code.',
    '',
    '- **`EventStore.append` is the figure comparable to a raw put.** It validates the event, ' +
      'marshals it, and sends one conditional `PutItem`. The expected version is exact and known ' +
      'to the process (it wrote the previous version), so no existence check is needed.',
    '- **`CommandHandler.handle` is the whole command**: it loads the aggregate (a strongly ' +
      'consistent `Query` of the stream), decides, and appends (`PutItem`). Two round trips ' +
      'cannot match one, so it is compared with a raw `Query` + `PutItem` (its ratio to a raw ' +
      'put alone is listed too, and is bounded by about one half). No snapshots are configured here (with snapshots the load adds a ' +
      '`GetItem`, see section 2). Command workers move to a fresh stream every ' +
      `${results.settings.commandStreamLength} events, so loads read 0 to ` +
      `${results.settings.commandStreamLength - 1} events.`,
    '',
  ];
  for (const run of results.throughput) {
    parts.push(
      `### Concurrency ${run.concurrency}`,
      '',
      table(
        ['Path', 'Requests per call', 'Operations/s', 'p50 ms', 'p99 ms'],
        (
          ['rawPut', 'rawPutControl', 'eventStoreAppend', 'rawLoadPut', 'commandHandler'] as const
        ).map((side) => [
          SIDE_LABELS[side].name,
          SIDE_LABELS[side].requests,
          figure(run.sides[side].opsPerSecond),
          figure(run.sides[side].p50Ms, 2),
          figure(run.sides[side].p99Ms, 2),
        ]),
      ),
      '',
      table(
        ['Ratio (throughput, paired per run)', 'Value'],
        [
          [
            'Control: raw `PutItem` ÷ raw `PutItem` (noise floor)',
            ratio(run.ratios[ratioKey('rawPutControl', 'rawPut')]!),
          ],
          [
            '`EventStore.append` ÷ raw `PutItem`',
            ratio(run.ratios[ratioKey('eventStoreAppend', 'rawPut')]!),
          ],
          [
            '`CommandHandler.handle` ÷ raw `Query` + `PutItem`',
            ratio(run.ratios[ratioKey('commandHandler', 'rawLoadPut')]!),
          ],
          [
            '`CommandHandler.handle` ÷ raw `PutItem`',
            ratio(run.ratios[ratioKey('commandHandler', 'rawPut')]!),
          ],
        ],
      ),
      '',
    );
  }
  return parts.join('\n');
}

const units = (read: Spread, write: Spread) => `${figure(read, 1)} R / ${figure(write, 1)} W`;

/** Where DynamoDB Local's own capacity figures part from DynamoDB's rules, named from the data. */
function capacityNote(operations: readonly RequestsResult[]): string {
  const differing = operations.filter(
    (op) =>
      op.reported.read.median !== op.byRules.read.median ||
      op.reported.write.median !== op.byRules.write.median,
  );
  if (differing.length === 0) {
    return 'DynamoDB Local reported the same capacity as DynamoDB’s rules give for every operation here.';
  }
  const list = differing
    .map(
      (op) =>
        `${op.operation} (reported ${units(op.reported.read, op.reported.write)}, rules ` +
        `${units(op.byRules.read, op.byRules.write)})`,
    )
    .join('; ');
  return (
    `DynamoDB Local does not report capacity faithfully everywhere: ${list}. DynamoDB charges ` +
    'every item of a transaction two units per started KB; the “by the rules” column is the one ' +
    'to budget with.'
  );
}

function requestsSection(results: BenchResults): string {
  const { sizes, operations } = results.requests;
  const rows = operations.map((op: RequestsResult) => [
    op.operation,
    `${figure(op.requests)}: ${op.requestSequence.join(', ')}`,
    String(op.minimum.requests),
    units(op.reported.read, op.reported.write),
    units(op.byRules.read, op.byRules.write),
    `$${dollarsPerMillion(op.byRules.read.median, op.byRules.write.median).toFixed(3)}`,
    `${op.minimum.read} R / ${op.minimum.write} W`,
  ]);
  return [
    '## 2. Requests and capacity per operation',
    '',
    'Every request the SDK client sends is counted by a middleware (`bench/request-counter.ts`, ' +
      'the same one the tests use to pin request counts), which also sets ' +
      '`ReturnConsumedCapacity: TOTAL`. Capacity is given in read (R) and write (W) units, three ways:',
    '',
    '- **reported**: what DynamoDB Local returned as `ConsumedCapacity`;',
    '- **by the rules**: computed from the items written and returned, with DynamoDB’s published ' +
      'rules (a write costs one unit per started KB of the item, two inside a transaction; a ' +
      'strongly consistent read costs one unit per started 4 KB of all items it returns, at least ' +
      'one);',
    '- **minimum**: the least any store that keeps one item per event can spend on the same ' +
      'operation, from the item sizes below.',
    '',
    'The price column is what a million of the operation cost on an on-demand table, from the ' +
      'capacity by the rules at the published ' +
      `${ON_DEMAND_PRICES.region} prices effective ${ON_DEMAND_PRICES.effective}: ` +
      `$${ON_DEMAND_PRICES.readRequestUnit} per million read request units and ` +
      `$${ON_DEMAND_PRICES.writeRequestUnit} per million write request units (storage, streams ` +
      'and backups are priced apart). Castore’s operations are in the same table.',
    '',
    `Item sizes: a deposit event ${sizes.event} bytes as the framework stores it (with event id, ` +
      `schema version, metadata and time), ${sizes.castoreEvent} bytes as Castore stores it, the ` +
      `account snapshot ${sizes.snapshot} bytes.`,
    '',
    table(
      [
        'Operation',
        'Requests (measured)',
        'Requests (minimum)',
        'Capacity reported by DynamoDB Local',
        'Capacity by the rules',
        '$ per million',
        'Minimum capacity',
      ],
      rows,
    ),
    '',
    ...operations.map(
      (op) => `- **${op.operation}**: ${op.description}. Minimum: ${op.minimum.why}.`,
    ),
    '',
    capacityNote(operations),
  ].join('\n');
}

function loadsSection(results: BenchResults): string {
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

function projectionsSection(results: BenchResults): string {
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
    'Requests count every call the host’s DynamoDB client made over both phases, per event ' +
      'written. The order and transfer projections handle no account event: what they spent on ' +
      'this workload is what events a consumer does not handle cost it.',
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
        row('Read requests per event', (h) => figure(h.readRequestsPerEvent, 2)),
        row('Requests for events no hosted projection handles (all runs)', (h) =>
          integer.format(h.requestsForUnhandledEvents),
        ),
      ],
    ),
    '',
    `Events written per second with no consumer running: ${figure(p.writtenWithoutConsumerPerSecond)}.`,
  ].join('\n');
}

function peerSection(results: BenchResults): string {
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

function bundlesSection(results: BenchResults): string {
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

function globalLogSection(results: BenchResults): string {
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
const KEYED_LABELS: Record<KeyedSide, string> = {
  unkeyed: 'No key (for reference)',
  keyed: 'Key in the transaction of the event (this project)',
  powertools: 'Powertools idempotency request sequence (reconstructed; the path replaced)',
};

function keyedCommandsSection(results: BenchResults): string {
  const keyed = results.keyedCommands;
  const settings = results.settings;
  return [
    '## 8. Keyed commands: the key in the transaction against the Powertools path',
    '',
    'A deposit through the HTTP adapter (validation, caller, correlation id, the command on a ' +
      `stream of at most ${settings.commandStreamLength} events, the answer), three ways: without ` +
      'an `Idempotency-Key`; with one, whose record and answer commit in the ' +
      '`TransactWriteItems` of the event after a strongly consistent `GetItem` of the key (how ' +
      'the API runs keyed commands now); and with the requests Powertools idempotency sends ' +
      'around the unkeyed command (a conditional `PutItem` of an in-progress record, the command, ' +
      'an `UpdateItem` completing the record with the answer), which is how keyed commands ran ' +
      'before. That last path is a reconstruction of its request sequence with its item shapes ' +
      'and expressions (`bench/sections/keyed-commands.ts`), not the library, which is no longer ' +
      'a dependency: it cannot give exactly-once effects, since a crash between the append and ' +
      'the `UpdateItem` leaves the deposit applied and the key in progress. Requests and ' +
      'capacity are those of one command (counted as in section 2); time is per command, one at ' +
      `a time, the three sides taking turns command by command, ${keyed.commandsPerRun} commands ` +
      `per side per run; the figure is the median of each run, over ${settings.runs} runs.`,
    '',
    table(
      ['Path', 'Requests', 'Capacity by the rules', 'Capacity reported', 'ms per command'],
      KEYED_SIDES.map((side) => {
        const result = keyed.sides[side];
        return [
          KEYED_LABELS[side],
          `${result.requests}: ${result.requestSequence.join(', ')}`,
          `${result.capacity.byRules.read} R / ${result.capacity.byRules.write} W`,
          `${result.capacity.reported.read} R / ${result.capacity.reported.write} W`,
          figure(keyed.sides[side].ms, 2),
        ];
      }),
    ),
    '',
    `Time of the Powertools path over the key-in-the-transaction path (paired per run; above 1 ` +
      `the key in the transaction is faster): ${ratio(keyed.powertoolsVersusKeyed)}. ` +
      'The key in the transaction saves a round trip (three requests instead of four) and pays ' +
      'in capacity: both items of a transaction cost two write units per started KB, and the ' +
      'strongly consistent `GetItem` of a new key costs a read unit.',
  ].join('\n');
}

export function renderReport(results: BenchResults): string {
  return [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${results.generatedAt.slice(0, 10)} in ` +
      `${Math.round(results.durationSeconds)} s (${results.settings.mode} settings); this file and ` +
      '`bench/results.json` are written by that run, so rerun it rather than edit them.',
    '',
    summarySection(results),
    '',
    findingsSection(results),
    '',
    machineSection(results),
    '',
    appendSection(results),
    '',
    requestsSection(results),
    '',
    loadsSection(results),
    '',
    projectionsSection(results),
    '',
    peerSection(results),
    '',
    bundlesSection(results),
    '',
    globalLogSection(results),
    '',
    keyedCommandsSection(results),
    '',
  ].join('\n');
}

/** The report's sections on writes: appends and commands, requests and capacity, keyed commands. */
import type { BenchResults } from './results';
import { KEYED_SIDES, type KeyedSide } from './sections/keyed-commands';
import type { RequestsResult } from './sections/requests';
import { ratioKey, type ThroughputSide } from './sections/throughput';
import { figure, ratio, table } from './format';
import { dollarsPerMillion, ON_DEMAND_PRICES } from './prices';
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

export function appendSection(results: BenchResults): string {
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

export function requestsSection(results: BenchResults): string {
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

const KEYED_LABELS: Record<KeyedSide, string> = {
  unkeyed: 'No key (for reference)',
  keyed: 'Key in the transaction of the event (this project)',
  powertools: 'Powertools idempotency request sequence (reconstructed; the path replaced)',
};

export function keyedCommandsSection(results: BenchResults): string {
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

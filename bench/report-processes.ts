/** The report's section on process managers: order fulfilment through the local stack. */
import { figure, integer, ratio, table } from './format';
import { dollarsPerMillion } from './prices';
import type { BenchResults } from './results';
import type { ProcessHistory, ProcessWrites, Quantiles } from './sections/process-history';
import type { ProcessesResult, ProcessRun, ProcessScenario } from './sections/processes';
import { spread } from './stats';

const SCENARIOS: Record<ProcessScenario, string> = {
  spread: 'Spread',
  hot: 'Hot',
};

const LATENCIES: Record<keyof ProcessHistory['latencyMs'], string> = {
  reserved: '`OrderConfirmed` → last `StockReserved`',
  paid: '`OrderPaymentSubmitted` → `OrderPaid`',
  confirmedToPaid: '`OrderConfirmed` → `OrderPaid`',
};

const runsOf = (p: ProcessesResult, scenario: ProcessScenario) =>
  p.runs.filter((run) => run.scenario === scenario);

/** One table row per scenario: its name, then `cells` of its runs. */
const scenarioRows = (p: ProcessesResult, cells: (runs: readonly ProcessRun[]) => string[]) =>
  (Object.keys(SCENARIOS) as ProcessScenario[]).map((scenario) => [
    SCENARIOS[scenario],
    ...cells(runsOf(p, scenario)),
  ]);

/** `median (min–max)` over a scenario's runs of one figure of each. */
const over = (runs: readonly ProcessRun[], value: (run: ProcessRun) => number, digits = 0) =>
  figure(spread(runs.map(value)), digits);

/** Hot over spread orders paid per second, each hot run against the spread run of its turn. */
function hotOverSpread(p: ProcessesResult) {
  const spreadRuns = runsOf(p, 'spread');
  return spread(
    runsOf(p, 'hot').map(
      (hot) => hot.paidPerSecond / spreadRuns.find((run) => run.run === hot.run)!.paidPerSecond,
    ),
  );
}

function introduction(p: ProcessesResult): string {
  const s = p.settings;
  return (
    `Measured on ${p.measuredAt.slice(0, 10)} in ${Math.round(p.durationSeconds)} s (${p.mode} ` +
    `settings), the one-minute load average ${p.loadAverage.start} at the start and ` +
    `${p.loadAverage.end} at the end (other processes shared the two cores). The local stack ` +
    '(`startLocalStack`: HTTP API, the stream runners of both hosts, the timer runner) runs in ' +
    'the benchmark’s process on a DynamoDB Local of its own, so order fulfilment runs in the ' +
    'reactions host as deployed: the stream runner polls the events stream (every 250 ms when ' +
    'it is empty) and hands the host batches of up to 100 records, whose streams it works on ' +
    `side by side. \`ORDER_PAYMENT_TIMEOUT_SECONDS\` is ${integer.format(p.paymentTimeoutSeconds)}, ` +
    `so no order times out. ${s.concurrency} clients each create an order of two lines (one ` +
    'unit of each of two products), confirm it and pay for it at once, over HTTP, then take the ' +
    `next; ${integer.format(s.orders)} orders per run, each of a customer of its own paying ` +
    'from a funded account of their own, so the accounts never contend. **Spread**: the orders ' +
    `go evenly over ${s.products} stocked products; **hot**: every order is on the same ` +
    `${s.hotProducts}. ${s.runs} runs of either, taking turns; ${s.warmupOrders} orders before ` +
    'them are not measured. Every figure comes from the events table once every instance has ' +
    'completed: the events’ `recordedAt` (each written in the transaction that appended it, so ' +
    'no polling is timed) and the items the process wrote.'
  );
}

function throughputPart(p: ProcessesResult): string[] {
  return [
    '### Orders paid per second',
    '',
    'From the first request of the run’s first order to the `recordedAt` of its last ' +
      '`OrderPaid`: the HTTP commands (create, confirm, pay), the stream runner, the ' +
      'process’s four commands per order and the order’s own stream, end to end. “Clients ' +
      'done” is when the last payment was answered; the process settles the rest after.',
    '',
    table(
      [
        'Scenario',
        'Products',
        'Orders per run',
        'Clients done after (s)',
        'Last order paid after (s)',
        'Orders paid/s',
        'Conflicts per order',
      ],
      scenarioRows(p, (runs) => [
        String(runs[0]!.products),
        integer.format(runs[0]!.orders),
        over(runs, (run) => run.placedSeconds, 1),
        over(runs, (run) => run.seconds, 1),
        over(runs, (run) => run.paidPerSecond, 1),
        over(runs, (run) => run.conflictsPerOrder, 2),
      ]),
    ),
    '',
    `Hot over spread, orders paid per second: ${ratio(hotOverSpread(p))}. A conflict is a ` +
      'transaction on an instance’s stream that DynamoDB cancelled because another writer ' +
      'got there first (counted on every DynamoDB client of the process, as the runtime builds ' +
      'its own): the runtime gets a `ConcurrencyError` and runs the step again from a fresh ' +
      'load, with jittered backoff. On the hot products every reservation appends to one of ' +
      'two streams, so the instances of a batch, worked on side by side, race for their ' +
      'versions; each lost race costs a load and a transaction more, and the backoff’s wait.',
  ];
}

const cells = (latencyMs: readonly ProcessHistory['latencyMs'][], key: LatencyKey) =>
  (['p50', 'p95', 'p99'] as const).map((q: keyof Quantiles) =>
    figure(spread(latencyMs.map((latency) => latency[key][q]))),
  );

type LatencyKey = keyof ProcessHistory['latencyMs'];

function latencyPart(p: ProcessesResult): string[] {
  const scenarios = Object.keys(SCENARIOS) as ProcessScenario[];
  const columns = (name: string) => ['p50', 'p95', 'p99'].map((q) => `${name} ${q}`);
  return [
    '### Latency',
    '',
    'Milliseconds between two events of an order, by their `recordedAt` (one clock: DynamoDB ' +
      'Local and every writer are on this machine). **One at a time**: ' +
      `${p.oneAtATime.orders} orders on the spread products from one client that waits for ` +
      'each to be fulfilled before placing the next, so nothing queues. Spread and hot: over ' +
      'the run’s orders, median over runs (lowest–highest). The clients pay right after ' +
      'confirming, and the runtime sends an instance’s commands in order, so a payment waits ' +
      'for the reservations still pending: “payment submitted → paid” includes that wait.',
    '',
    table(
      ['Between', ...columns('One at a time'), ...scenarios.flatMap((s) => columns(SCENARIOS[s]))],
      (Object.keys(LATENCIES) as LatencyKey[]).map((key) => [
        LATENCIES[key],
        ...cells([p.oneAtATime.latencyMs], key),
        ...scenarios.flatMap((scenario) =>
          cells(
            runsOf(p, scenario).map((run) => run.latencyMs),
            key,
          ),
        ),
      ]),
    ),
    '',
    'Under load the latencies are mostly queueing: the clients place orders faster than one ' +
      'reactions host settles them (they are done well before the last order is paid), so the ' +
      'events stream backs up and an order’s events wait behind those of the orders before it. ' +
      'They grow with the orders a run places beyond the capacity, so they say how far behind ' +
      'such a load leaves the process, not what a load below capacity would see. One at a ' +
      'time is the process’s own latency: the stream runner’s poll, then one step after the ' +
      'other, each a load and a transaction.',
  ];
}

const mean = (runs: readonly ProcessRun[], key: keyof ProcessWrites) =>
  runs.reduce((sum, run) => sum + run.perOrder[key], 0) / runs.length;

function costPart(p: ProcessesResult): string[] {
  return [
    '### Writes per order',
    '',
    'Counted in the events table, per order, averaged over every run: the events of the ' +
      'instance’s stream (each appended by one `TransactWriteItems`: an input recorded, or a ' +
      'command done together with the events it appended to its target), the events its ' +
      'commands appended (two `StockReserved`, the charge on the account, `OrderPaid`), and the ' +
      'items those transactions put, one head per stream written included. Write units follow ' +
      'DynamoDB’s rules (two per started KB of each item in a transaction), dollars are on-demand ' +
      'writes per million orders at the prices of section 2.',
    '',
    table(
      [
        'Scenario',
        'Transactions (instance events)',
        'Target events',
        'Items put',
        'Write units',
        'Write dollars per million orders',
      ],
      scenarioRows(p, (runs) => [
        mean(runs, 'processEvents').toFixed(1),
        mean(runs, 'targetEvents').toFixed(1),
        mean(runs, 'items').toFixed(1),
        mean(runs, 'writeUnits').toFixed(1),
        `$${integer.format(dollarsPerMillion(0, mean(runs, 'writeUnits')))}`,
      ]),
    ),
    '',
    'What these do not include: the reads (each step loads the instance, each command its ' +
      'target; not counted here), the transactions lost to a conflict and retried (counted ' +
      'above; nothing of them stays in the table), the HTTP commands that create, confirm and ' +
      'pay for the order (section 2 prices commands like them), the projections and the ' +
      'global log that the process’s events feed like any others, and the payment timer each ' +
      'order schedules and cancels (on AWS an EventBridge Scheduler schedule created and ' +
      'deleted; it never fires here).',
  ];
}

export function processesSection(results: BenchResults): string {
  const processes = results.processes;
  if (!processes) return '';
  return [
    '## 13. Process managers: order fulfilment',
    '',
    introduction(processes),
    '',
    ...throughputPart(processes),
    '',
    ...latencyPart(processes),
    '',
    ...costPart(processes),
    '',
  ].join('\n');
}

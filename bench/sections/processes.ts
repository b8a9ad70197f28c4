import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventStore } from '../../functions/eventsourcing';
import { loadInstance } from '../../functions/eventsourcing/process-manager/instance-reader';
import { processEvents } from '../../functions/eventsourcing/process-manager/process-events';
import { orderFulfilment, PAYMENT_TIMEOUT_VARIABLE } from '../../functions/orders/fulfilment';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { waitFor } from '../../local/wait-for';
import type { BenchEnvironment } from '../environment';
import type { BenchSettings, ProcessSettings } from '../settings';
import { loadAverage } from './history';
import { countingCancelledInstanceWrites } from './process-conflicts';
import { processHistory, type ProcessHistory } from './process-history';
import {
  fundedCustomers,
  inParallel,
  placeAndPay,
  stockedProducts,
  type Customer,
} from './process-orders';

/** Spread: orders over every product; hot: every order on the same two products. */
export type ProcessScenario = 'spread' | 'hot';

/** One scenario's orders, placed and paid, until the last is paid. */
export interface ProcessRun extends Pick<ProcessHistory, 'latencyMs' | 'perOrder'> {
  readonly scenario: ProcessScenario;
  readonly run: number;
  readonly products: number;
  readonly orders: number;
  /** From the first request of the first order to the last `OrderPaid`'s `recordedAt`. */
  readonly seconds: number;
  /** From the same start until the clients had placed and paid for every order. */
  readonly placedSeconds: number;
  readonly paidPerSecond: number;
  /** Transactions on instances' streams cancelled by a lost race (and retried), per order. */
  readonly conflictsPerOrder: number;
}

/** Section 13: order fulfilment, a process manager, over the local stack's process runtime. */
export interface ProcessesResult {
  readonly measuredAt: string;
  readonly durationSeconds: number;
  readonly mode: BenchSettings['mode'];
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly settings: ProcessSettings;
  readonly paymentTimeoutSeconds: number;
  /** Every run of either scenario, in the order they ran. */
  readonly runs: readonly ProcessRun[];
  /** Orders on the spread products placed one at a time, each fulfilled before the next. */
  readonly oneAtATime: Pick<ProcessHistory, 'latencyMs'> & { readonly orders: number };
}

/** Far beyond any run: no order is cancelled by its payment timer while measured. */
const PAYMENT_TIMEOUT_SECONDS = 86_400;
const PRICE_PER_ORDER = 200;
const SETTLE_TIMEOUT_MS = 600_000;

/** Products of order `index`: two distinct ones among `products`, spread evenly over them. */
function linesOf(index: number, products: readonly string[]): string[] {
  if (products.length === 2) return [...products];
  const first = index % products.length;
  const offset = 1 + (Math.floor(index / products.length) % (products.length - 1));
  return [products[first]!, products[(first + offset) % products.length]!];
}

class OrderCancelledError extends Error {}

/**
 * Waits until every order's fulfilment has completed with the order paid (its last input,
 * `OrderPaid`, applied); fails at once on a cancelled one.
 */
async function allFulfilled(
  client: DynamoDBClient,
  tableName: string,
  orderIds: readonly string[],
): Promise<void> {
  const store = new EventStore({ client, tableName, catalogue: processEvents.catalogue });
  let next = 0;
  await waitFor(
    async () => {
      for (; next < orderIds.length; next++) {
        const { state, completed } = await loadInstance(store, orderFulfilment, orderIds[next]!);
        if (state.stage === 'cancelled') {
          throw new OrderCancelledError(`order ${orderIds[next]} was cancelled`);
        }
        if (!completed) return undefined;
      }
      return true;
    },
    {
      timeoutMs: SETTLE_TIMEOUT_MS,
      intervalMs: 200,
      description: `${orderIds.length} orders to be fulfilled`,
      isFatal: (error) => error instanceof OrderCancelledError,
    },
  );
}

/** The running stack, its customers and how to run the orders. */
interface Rig {
  readonly client: DynamoDBClient;
  readonly stack: LocalStack;
  readonly customers: readonly Customer[];
  readonly settings: ProcessSettings;
}

/** Orders of the first customers on fresh products, placed, paid and fulfilled; their ids. */
async function fulfilledOrders(
  rig: Rig,
  run: {
    readonly name: string;
    readonly products: number;
    readonly orders: number;
    /** One client, waiting for each order to be fulfilled before placing the next. */
    readonly oneAtATime?: boolean;
  },
): Promise<{ orderIds: string[]; started: number; placed: number }> {
  const apiUrl = rig.stack.apiUrl!;
  const fulfilled = (orderIds: readonly string[]) =>
    allFulfilled(rig.client, rig.stack.tableNames.events, orderIds);
  const products = await stockedProducts(apiUrl, run.name, run.products, 2 * run.orders);
  const orderIds: string[] = [];
  const started = Date.now();
  const clients = run.oneAtATime ? 1 : rig.settings.concurrency;
  await inParallel(run.orders, clients, async (index) => {
    orderIds[index] = await placeAndPay(apiUrl, rig.customers[index]!, linesOf(index, products));
    if (run.oneAtATime) await fulfilled([orderIds[index]]);
  });
  const placed = Date.now();
  await fulfilled(orderIds);
  return { orderIds, started, placed };
}

/** One scenario's run, measured from the events table once every order is fulfilled. */
async function measureRun(rig: Rig, scenario: ProcessScenario, run: number): Promise<ProcessRun> {
  const { settings } = rig;
  const products = scenario === 'hot' ? settings.hotProducts : settings.products;
  const { result, cancelled } = await countingCancelledInstanceWrites(() =>
    fulfilledOrders(rig, { name: `bench-${scenario}-${run}`, products, orders: settings.orders }),
  );
  const { orderIds, started, placed } = result;
  const history = await processHistory(rig.client, rig.stack.tableNames.events, orderIds);
  const seconds = (history.lastPaidAt - started) / 1000;
  return {
    scenario,
    run,
    products,
    orders: settings.orders,
    seconds,
    placedSeconds: (placed - started) / 1000,
    paidPerSecond: settings.orders / seconds,
    conflictsPerOrder: cancelled / settings.orders,
    latencyMs: history.latencyMs,
    perOrder: history.perOrder,
  };
}

/** Runs `body` with the environment it changes put back afterwards. */
async function withEnvironmentRestored<T>(body: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  try {
    return await body();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/**
 * Starts the local stack (HTTP API, stream runners, timers) in this process on the section's
 * DynamoDB Local and runs order fulfilment through it: per run, the spread and the hot
 * scenario in turns, each with orders of customers paying from accounts of their own.
 */
export function measureProcesses(
  env: BenchEnvironment,
  settings: BenchSettings,
  progress: (message: string) => void,
): Promise<ProcessesResult> {
  const { processes: p } = settings;
  return withEnvironmentRestored(async () => {
    const started = performance.now();
    const measuredAt = new Date().toISOString();
    const loadAtStart = loadAverage();
    process.env[PAYMENT_TIMEOUT_VARIABLE] = String(PAYMENT_TIMEOUT_SECONDS);
    const stack = await startLocalStack({
      dynamoDbEndpoint: env.endpoint,
      tablePrefix: 'bench-pm-',
      httpPort: 0,
    });
    try {
      progress(`section 13: ${p.orders} customers, funded`);
      // A customer pays for one order of each run of either scenario, of the warm-up and of the
      // orders placed one at a time.
      const funds = PRICE_PER_ORDER * (2 * p.runs + 2);
      const customers = await fundedCustomers(stack.apiUrl!, 'bench-customer', p.orders, funds);
      const rig: Rig = { client: env.client, stack, customers, settings: p };
      progress(`section 13: warming up with ${p.warmupOrders} orders, not measured`);
      await fulfilledOrders(rig, {
        name: 'bench-warmup',
        products: p.products,
        orders: p.warmupOrders,
      });
      progress(`section 13: ${p.oneAtATimeOrders} orders placed one at a time`);
      const single = await fulfilledOrders(rig, {
        name: 'bench-one-at-a-time',
        products: p.products,
        orders: p.oneAtATimeOrders,
        oneAtATime: true,
      });
      const { latencyMs } = await processHistory(
        env.client,
        stack.tableNames.events,
        single.orderIds,
      );
      const runs: ProcessRun[] = [];
      for (let run = 0; run < p.runs; run++) {
        const order: ProcessScenario[] = run % 2 === 0 ? ['spread', 'hot'] : ['hot', 'spread'];
        for (const scenario of order) {
          progress(`section 13: run ${run + 1} of ${p.runs}, ${scenario}, ${p.orders} orders`);
          runs.push(await measureRun(rig, scenario, run));
        }
      }
      return {
        measuredAt,
        durationSeconds: (performance.now() - started) / 1000,
        mode: settings.mode,
        loadAverage: { start: loadAtStart, end: loadAverage() },
        settings: p,
        paymentTimeoutSeconds: PAYMENT_TIMEOUT_SECONDS,
        runs,
        oneAtATime: { orders: p.oneAtATimeOrders, latencyMs },
      };
    } finally {
      await stack.stop();
    }
  });
}

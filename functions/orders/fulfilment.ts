import { accountDecider } from '../accounts/decider';
import { accountEvents } from '../accounts/events';
import { accountSnapshots } from '../accounts/service';
import { ConfigurationError } from '../eventsourcing';
import {
  commandTarget,
  isCommandRefused,
  isTimerFired,
  processManager,
  type CommandRefused,
  type ProcessInput,
  type ProcessOutput,
  type TimerFired,
} from '../eventsourcing/process-manager';
import { productDecider } from '../inventory/decider';
import { productEvents } from '../inventory/events';
import { orderDecider } from './decider';
import { orderEvents, type RecordedOrderEvent } from './events';
import { orderSnapshots } from './service';

const INPUTS = ['OrderConfirmed', 'OrderPaymentSubmitted', 'OrderPaid', 'OrderCancelled'] as const;

/** The order events the fulfilment process receives, all from the order's own stream. */
export type OrderEventsRecorded = Extract<RecordedOrderEvent, { type: (typeof INPUTS)[number] }>;

export const PAYMENT_TIMEOUT_VARIABLE = 'ORDER_PAYMENT_TIMEOUT_SECONDS';
const DEFAULT_PAYMENT_TIMEOUT_SECONDS = 900;
/** The timer that cancels an order its customer did not pay for in time. */
export const PAYMENT_DUE = 'payment-due';

interface FulfilledOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly total: number;
  readonly lines: readonly { readonly productId: string; readonly quantity: number }[];
  /** The account the customer pays with, once they submitted the payment. */
  readonly accountId?: string;
}

export type FulfilmentState =
  | { readonly stage: 'not-started' }
  | (FulfilledOrder & {
      readonly stage: 'awaiting-payment' | 'payment-submitted' | 'paid' | 'cancelled';
    });

type Started = Exclude<FulfilmentState, { stage: 'not-started' }>;

type OrderInput = Exclude<ProcessInput<OrderEventsRecorded>, TimerFired | CommandRefused>;

const orders = commandTarget(orderEvents, orderDecider, { snapshots: orderSnapshots });
const products = commandTarget(productEvents, productDecider);
const accounts = commandTarget(accountEvents, accountDecider, { snapshots: accountSnapshots });

/** The payment timeout configured for the process that runs here, read when it is needed. */
function paymentTimeoutFromEnv(): number {
  const value = process.env[PAYMENT_TIMEOUT_VARIABLE];
  if (value === undefined || value === '') return DEFAULT_PAYMENT_TIMEOUT_SECONDS;
  const seconds = Number(value);
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new ConfigurationError(
      `${PAYMENT_TIMEOUT_VARIABLE} must be a whole number of seconds, at least 1: '${value}'`,
    );
  }
  return seconds;
}

const cancel = (order: Started, reason: string): ProcessOutput =>
  orders.send(order.orderId, { type: 'CancelOrder', reason });

const complete: ProcessOutput = { type: 'CompleteProcess' };

/** Gives back a charge the order could not be marked paid for (it was cancelled meanwhile). */
function refund(order: Started): ProcessOutput[] {
  if (order.accountId === undefined) {
    throw new Error(`Order ${order.orderId} was to be marked paid without a payment submitted`);
  }
  const { orderId, total: amount } = order;
  return [accounts.send(order.accountId, { type: 'RefundOrder', orderId, amount })];
}

/** What follows a refusal of one of the process's commands. */
function afterRefusal(refusal: CommandRefused, order: Started): ProcessOutput[] {
  switch (refusal.command.type) {
    // The stock reserved so far is released when the order's cancellation comes in.
    case 'ReserveStock':
      return [cancel(order, `OutOfStock: ${refusal.message}`)];
    case 'ChargeOrder':
      return [cancel(order, `PaymentRefused: ${refusal.code}`)];
    case 'MarkOrderPaid':
      return refund(order);
    default:
      // A cancellation refused: the order was paid or cancelled meanwhile, its event follows.
      // (Releases and refunds are not refused: a release of nothing and a refund are taken.)
      return [];
  }
}

/** What follows an event of the order. */
function afterEvent(
  input: OrderInput,
  order: Started,
  paymentDue: (confirmedAt: string) => string,
): ProcessOutput[] {
  const { orderId, customerId, total, lines } = order;
  switch (input.type) {
    case 'OrderConfirmed':
      // An order confirmed before its lines were recorded has nothing to fulfil here.
      if (lines.length === 0) return [complete];
      return [
        ...lines.map(({ productId, quantity }) =>
          products.send(productId, { type: 'ReserveStock', orderId, quantity }),
        ),
        { type: 'ScheduleTimer', timer: PAYMENT_DUE, at: paymentDue(input.at) },
      ];
    case 'OrderPaymentSubmitted': {
      const { accountId } = input.data;
      // One decision: a refused charge drops the marking as paid.
      return [
        accounts.send(accountId, { type: 'ChargeOrder', orderId, amount: total, customerId }),
        orders.send(orderId, { type: 'MarkOrderPaid', accountId, amount: total }),
      ];
    }
    case 'OrderPaid':
      return [complete];
    case 'OrderCancelled':
      return [
        ...lines.map(({ productId }) =>
          products.send(productId, { type: 'ReleaseStock', orderId }),
        ),
        complete,
      ];
  }
}

/**
 * Order fulfilment across orders, inventory and accounts. A confirmed order reserves the stock
 * of each line and waits for its payment; the payment charges the customer's account and marks
 * the order paid. Stock that cannot be reserved, a refused charge or a payment that does not
 * come in time cancel the order; a cancelled order gives its stock back, and a charge for an
 * order cancelled meanwhile is refunded. Each instance is one order (its id).
 */
export function orderFulfilmentProcess(options: {
  /** Seconds from the confirmation to the payment's deadline, or how to read them then. */
  readonly paymentTimeoutSeconds: number | (() => number);
}) {
  const { paymentTimeoutSeconds } = options;
  const timeout = () =>
    typeof paymentTimeoutSeconds === 'number' ? paymentTimeoutSeconds : paymentTimeoutSeconds();
  const paymentDue = (confirmedAt: string) =>
    new Date(Date.parse(confirmedAt) + timeout() * 1000).toISOString();

  return processManager<OrderEventsRecorded, FulfilmentState>({
    name: 'order-fulfilment',
    description:
      'Reserves the stock of confirmed orders, charges their payment, cancels those that cannot be fulfilled.',
    inputs: INPUTS,
    startsWith: ['OrderConfirmed'],
    instanceOf: (event) => orderEvents.idOf(event.streamId),
    initialState: { stage: 'not-started' },

    evolve(state, input) {
      // Timers and refusals lead to commands; the order's events say what came of them.
      if (isTimerFired(input) || isCommandRefused(input)) return state;
      if (input.type === 'OrderConfirmed') {
        const { customerId, total, lines } = input.data;
        const orderId = orderEvents.idOf(input.streamId);
        return { stage: 'awaiting-payment', orderId, customerId, total, lines };
      }
      if (state.stage === 'not-started') return state;
      switch (input.type) {
        case 'OrderPaymentSubmitted':
          return { ...state, stage: 'payment-submitted', accountId: input.data.accountId };
        case 'OrderPaid':
          return { ...state, stage: 'paid' };
        case 'OrderCancelled':
          return { ...state, stage: 'cancelled' };
      }
    },

    decide(input, state) {
      // Inputs before the start are skipped by the runtime: this state always has an order.
      if (state.stage === 'not-started') return [];
      if (isTimerFired(input)) {
        const unpaid = input.timer === PAYMENT_DUE && state.stage === 'awaiting-payment';
        return unpaid ? [cancel(state, 'PaymentTimeout')] : [];
      }
      if (isCommandRefused(input)) return afterRefusal(input, state);
      return afterEvent(input, state, paymentDue);
    },
    targets: [orders, products, accounts],
  });
}

/** The process as the system runs it: the payment timeout from `ORDER_PAYMENT_TIMEOUT_SECONDS`. */
export const orderFulfilment = orderFulfilmentProcess({
  paymentTimeoutSeconds: paymentTimeoutFromEnv,
});

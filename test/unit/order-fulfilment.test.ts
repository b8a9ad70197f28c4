import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../functions/eventsourcing';
import {
  givenProcess,
  type CommandRefused,
  type EventInput,
  type PendingCommand,
  type ProcessInput,
  type ProcessOutput,
  type SendCommand,
  type TimerFired,
} from '../../functions/eventsourcing/process-manager';
import { orderEvents } from '../../functions/orders/events';
import {
  PAYMENT_DUE,
  PAYMENT_TIMEOUT_VARIABLE,
  orderFulfilment,
  orderFulfilmentProcess,
  type OrderEventsRecorded,
} from '../../functions/orders/fulfilment';

type Input = ProcessInput<OrderEventsRecorded>;

const fulfilment = orderFulfilmentProcess({ paymentTimeoutSeconds: 600 });
const streamId = orderEvents.streamId('o1');
const CONFIRMED_AT = '2026-05-01T10:00:00.000Z';

/** An event of order o1's stream, as the process receives it. */
function orderEvent<Type extends OrderEventsRecorded['type']>(
  type: Type,
  data: Extract<OrderEventsRecorded, { type: Type }>['data'],
  version: number,
): EventInput<Extract<OrderEventsRecorded, { type: Type }>> {
  const at = new Date(Date.parse(CONFIRMED_AT) + version * 1000).toISOString();
  const input = { type, data, streamId, version, eventId: `event-${version}`, at };
  return input as unknown as EventInput<Extract<OrderEventsRecorded, { type: Type }>>;
}

const confirmed = orderEvent(
  'OrderConfirmed',
  {
    total: 3600,
    customerId: 'bob',
    lines: [
      { productId: 'book', quantity: 2 },
      { productId: 'pen', quantity: 3 },
    ],
  },
  4,
);
const submitted = orderEvent('OrderPaymentSubmitted', { accountId: 'acc-bob' }, 5);
const paid = orderEvent('OrderPaid', { accountId: 'acc-bob', amount: 3600 }, 6);
const cancelled = (reason: string, version = 6) =>
  orderEvent('OrderCancelled', { reason }, version);

const reserve = (productId: string, quantity: number): SendCommand => ({
  type: 'SendCommand',
  streamId: `product-${productId}`,
  command: { type: 'ReserveStock', orderId: 'o1', quantity },
});
const release = (productId: string): SendCommand => ({
  type: 'SendCommand',
  streamId: `product-${productId}`,
  command: { type: 'ReleaseStock', orderId: 'o1' },
});
const cancelOrder = (reason: string): SendCommand => ({
  type: 'SendCommand',
  streamId,
  command: { type: 'CancelOrder', reason },
});
const completed: ProcessOutput[] = [
  { type: 'CompleteProcess' },
  { type: 'CancelTimer', timer: PAYMENT_DUE },
];

/** The instance after `history`: its pending commands and timers. */
function after(...history: Input[]) {
  return givenProcess(fulfilment, ...history.slice(0, -1))
    .when(history.at(-1)!)
    .instance();
}

/** The refusal of the pending command of type `type` after `history`. */
function refusal(history: Input[], type: string, code: string, message: string): CommandRefused {
  const command = after(...history).pending.find((p: PendingCommand) => p.command.type === type);
  if (!command) throw new Error(`No pending ${type}`);
  const { commandId, streamId: target } = command;
  const at = '2026-05-01T10:05:00.000Z';
  return {
    type: 'CommandRefused',
    commandId,
    streamId: target,
    command: command.command,
    code,
    message,
    at,
  };
}

/** The payment timer after `history`, firing. */
function paymentDue(...history: Input[]): TimerFired {
  const timer = after(...history).timers.get(PAYMENT_DUE);
  if (!timer) throw new Error('No payment timer pending');
  return { type: 'TimerFired', timer: timer.timer, timerId: timer.timerId, at: timer.at };
}

describe('order fulfilment', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reserves the stock of each line and gives the payment until its deadline', () => {
    givenProcess(fulfilment)
      .when(confirmed)
      .then([
        reserve('book', 2),
        reserve('pen', 3),
        { type: 'ScheduleTimer', timer: PAYMENT_DUE, at: '2026-05-01T10:10:04.000Z' },
      ]);
    expect(fulfilment.instanceOf(confirmed)).toBe('o1');
  });

  it("charges the customer's account, then marks the order paid, in one decision", () => {
    givenProcess(fulfilment, confirmed)
      .when(submitted)
      .then([
        {
          type: 'SendCommand',
          streamId: 'account-acc-bob',
          command: { type: 'ChargeOrder', orderId: 'o1', amount: 3600, customerId: 'bob' },
        },
        {
          type: 'SendCommand',
          streamId,
          command: { type: 'MarkOrderPaid', accountId: 'acc-bob', amount: 3600 },
        },
      ]);
  });

  it('completes once the order is paid, cancelling the payment timer', () => {
    givenProcess(fulfilment, confirmed, submitted).when(paid).then(completed);
    expect(after(confirmed, submitted, paid)).toMatchObject({ completed: true, timers: new Map() });
  });

  it('cancels the order when stock cannot be reserved', () => {
    const outOfStock = refusal(
      [confirmed],
      'ReserveStock',
      'OutOfStock',
      'Cannot reserve 3: 1 available',
    );
    givenProcess(fulfilment, confirmed)
      .when(outOfStock)
      .then([cancelOrder('OutOfStock: Cannot reserve 3: 1 available')]);
  });

  it('cancels the order when its charge is refused, without marking it paid', () => {
    const history = [confirmed, submitted];
    const refused = refusal(history, 'ChargeOrder', 'InsufficientFunds', 'Cannot withdraw 3600');
    givenProcess(fulfilment, ...history)
      .when(refused)
      .then([cancelOrder('PaymentRefused: InsufficientFunds')]);
    const pending = after(...history, refused).pending.map((p) => p.command.type);
    expect(pending).not.toContain('MarkOrderPaid');
  });

  it('refunds the charge of an order cancelled before it was marked paid', () => {
    const history = [confirmed, submitted, cancelled('changed my mind')];
    const refund: SendCommand = {
      type: 'SendCommand',
      streamId: 'account-acc-bob',
      command: { type: 'RefundOrder', orderId: 'o1', amount: 3600 },
    };
    // The refusal comes in after the cancellation completed the process: it is still applied.
    const refused = refusal(history, 'MarkOrderPaid', 'OrderNotConfirmed', 'Cannot mark paid');
    givenProcess(fulfilment, ...history)
      .when(refused)
      .then([refund]);
  });

  it('does nothing more when its cancellation is refused', () => {
    const timedOut = paymentDue(confirmed);
    const history = [confirmed, timedOut];
    const refused = refusal(history, 'CancelOrder', 'OrderNotCancellable', 'It is paid');
    givenProcess(fulfilment, ...history)
      .when(refused)
      .then([]);
  });

  it('cancels an order not paid for in time', () => {
    givenProcess(fulfilment, confirmed)
      .when(paymentDue(confirmed))
      .then([cancelOrder('PaymentTimeout')]);
  });

  it('lets the deadline pass once the payment is submitted', () => {
    givenProcess(fulfilment, confirmed, submitted).when(paymentDue(confirmed)).then([]);
  });

  it('skips the payment timer after the order is paid, and a timer scheduled before', () => {
    const due = paymentDue(confirmed);
    givenProcess(fulfilment, confirmed, submitted, paid).when(due).thenSkips('completed');
    givenProcess(fulfilment, confirmed)
      .when({ ...due, timerId: 'an-earlier-one' })
      .thenSkips('stale-timer');
  });

  it('releases the stock of an order cancelled midway, and completes', () => {
    givenProcess(fulfilment, confirmed)
      .when(cancelled('changed my mind', 5))
      .then([release('book'), release('pen'), ...completed]);
  });

  it('skips a confirmation delivered again, and inputs before any confirmation', () => {
    givenProcess(fulfilment, confirmed).when(confirmed).thenSkips('applied');
    givenProcess(fulfilment).when(submitted).thenSkips('not-started');
  });

  it('completes at once for an order confirmed before its lines were recorded', () => {
    const legacy = orderEvent('OrderConfirmed', { total: 100, customerId: '', lines: [] }, 3);
    givenProcess(fulfilment)
      .when(legacy)
      .then([{ type: 'CompleteProcess' }]);
  });

  it(`reads ${PAYMENT_TIMEOUT_VARIABLE} when it decides, 900 seconds when unset`, () => {
    const dueAt = () => givenProcess(orderFulfilment).when(confirmed).outputs().at(-1);
    expect(dueAt()).toEqual({
      type: 'ScheduleTimer',
      timer: PAYMENT_DUE,
      at: '2026-05-01T10:15:04.000Z',
    });
    vi.stubEnv(PAYMENT_TIMEOUT_VARIABLE, '30');
    expect(dueAt()).toMatchObject({ at: '2026-05-01T10:00:34.000Z' });
    vi.stubEnv(PAYMENT_TIMEOUT_VARIABLE, 'soon');
    expect(dueAt).toThrow(ConfigurationError);
  });
});

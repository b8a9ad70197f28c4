import { contextModule, readModelTable } from '../eventsourcing/declaration';
import { commandFunction, corruptEventsAlarm, queryFunction } from '../eventsourcing/http';
import { eventsFrom } from '../integration/context-events';
import type { IntegrationEvent } from '../integration/contract';
import { transferEvents, type TransferMoney } from './events';
import { transfersInFlightProjection } from './in-flight';
import { transferProcess } from './process-reaction';

const transfer = eventsFrom('transfers', 'transferId', transferEvents.idOf);

/** The published part of a transfer's data: its accounts and amount, nothing added later. */
const moneyOf = ({ fromAccountId, toAccountId, amount }: TransferMoney) => ({
  fromAccountId,
  toAccountId,
  amount,
});

/**
 * Transfers: money moved between accounts in one posting. The process manager, the stuck-transfer
 * check and the in-flight read model finish the transfers requested before postings, and retire
 * once none is in flight (see the README).
 */
export const transfersModule = contextModule<IntegrationEvent>()({
  events: transferEvents.catalogue,
  tables: {
    transfersInFlight: readModelTable(
      'Read model: transfers requested (before postings) and not yet completed or failed.',
    ),
  },
  functions: {
    transferCommands: commandFunction(
      {
        description: 'Posts money transfers between accounts.',
        entry: 'functions/transfers/commands.ts',
        routes: [
          {
            route: 'POST /transfers',
            example: {
              body: {
                fromAccountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z',
                toAccountId: '01KAXQ5V8J3M9T0R2B7C4D6E8F',
                amount: 1000,
              },
            },
          },
        ],
      },
      // Transfers are short streams that loads replay; the accounts they post to load from
      // their snapshots and take them.
    ),
    transferQueries: queryFunction({
      description: 'The status of a transfer, from its own stream.',
      entry: 'functions/transfers/queries.ts',
      routes: [
        {
          route: 'GET /transfers/{transferId}',
          example: { params: { transferId: '01KAXQ6M4N5P6Q7R8S9T0V1W2X' } },
        },
      ],
      alarmMetrics: corruptEventsAlarm,
      tables: { events: 'read' },
    }),
    stuckTransfers: {
      description:
        'Runs transfers unfinished after STUCK_TRANSFER_AFTER_SECONDS again; reports those still stuck.',
      entry: 'functions/transfers/stuck-transfers.ts',
      trigger: 'schedule',
      scheduleMinutes: 5,
      alarmMetrics: [
        {
          metric: 'StuckTransfers',
          description: 'A transfer has not completed or failed within the expected time',
        },
      ],
      memoryMb: 256,
      timeoutSeconds: 60,
      tables: { transfersInFlight: 'read', events: 'append', snapshots: 'read' },
    },
  },
  projections: [transfersInFlightProjection],
  reactions: { 'transfer-process': transferProcess },
  integration: {
    TransferPosted: (event) => transfer(event, 'TransferPosted.v1', moneyOf(event.data)),
    TransferRequested: (event) => transfer(event, 'TransferRequested.v1', moneyOf(event.data)),
    TransferDebited: (event) => transfer(event, 'TransferDebited.v1', {}),
    TransferCompleted: (event) => transfer(event, 'TransferCompleted.v1', {}),
    TransferFailed: (event) =>
      transfer(event, 'TransferFailed.v1', {
        reason: event.data.reason,
        message: event.data.message,
        refunded: event.data.refunded,
      }),
  },
});

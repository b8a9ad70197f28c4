import { contextModule, readModelTable } from '../eventsourcing/declaration';
import { commandFunction, corruptEventsAlarm, queryFunction } from '../eventsourcing/http';
import { eventsFrom } from '../integration/context-events';
import type { IntegrationEvent } from '../integration/contract';
import { transferEvents } from './events';
import { transfersInFlightProjection } from './in-flight';
import { transferProcess } from './process-reaction';

const transfer = eventsFrom('transfers', 'transferId', transferEvents.idOf);

/** Transfers: money moved between accounts by a process manager, refunded on failure. */
export const transfersModule = contextModule<IntegrationEvent>()({
  events: transferEvents.catalogue,
  tables: {
    transfersInFlight: readModelTable(
      'Read model: transfers requested and not yet completed or failed.',
    ),
  },
  functions: {
    transferCommands: commandFunction(
      {
        description: 'Requests money transfers between accounts.',
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
      // Transfers are short streams that loads replay; the source account's first event says
      // who owns it.
      { snapshots: false },
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
    TransferRequested: (event) =>
      transfer(event, 'TransferRequested.v1', {
        fromAccountId: event.data.fromAccountId,
        toAccountId: event.data.toAccountId,
        amount: event.data.amount,
      }),
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

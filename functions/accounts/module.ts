import { contextModule, readModelTable } from '../eventsourcing/declaration';
import { commandFunction, corruptEventsAlarm, queryFunction } from '../eventsourcing/http';
import { eventsFrom, withTransfer } from '../integration/context-events';
import type { IntegrationEvent } from '../integration/contract';
import { accountEvents } from './events';
import { ownerAccountsProjection } from './projections/owner-accounts';
import { accountSummariesProjection } from './projections/summaries';
import { accountTransactionsProjection } from './projections/transactions';

const account = eventsFrom('accounts', 'accountId', accountEvents.idOf);

/** Accounts: opening, deposits, withdrawals and closing; balances, history and owners. */
export const accountsModule = contextModule<IntegrationEvent>()({
  events: accountEvents.catalogue,
  // A closed account is kept in the table a month for disputes; an idle one for two years.
  retention: [
    {
      streamPrefix: accountEvents.streamId(''),
      inactiveDays: 730,
      terminal: { events: ['AccountClosed'], afterDays: 30 },
    },
  ],
  tables: {
    accountSummaries: readModelTable('Read model: each account with its balance and status.'),
    accountTransactions: readModelTable(
      "Read model: each account's deposits and withdrawals with the balance after each.",
    ),
    ownerAccounts: readModelTable('Read model: the accounts of each owner.'),
  },
  functions: {
    accountCommands: commandFunction(
      {
        description: 'Opens accounts, takes deposits and withdrawals, closes accounts.',
        entry: 'functions/accounts/commands.ts',
        routes: [
          {
            route: 'POST /accounts',
            example: {
              body: {
                ownerId: 'alice',
                accountType: 'checking',
                currency: 'USD',
                holderName: 'Alice Martin',
                email: 'alice@example.com',
              },
            },
          },
          {
            route: 'POST /accounts/{accountId}/deposits',
            example: {
              params: { accountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z' },
              body: { amount: 5000, source: 'salary' },
            },
          },
          {
            route: 'POST /accounts/{accountId}/withdrawals',
            example: {
              params: { accountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z' },
              body: { amount: 1500, destination: 'rent' },
            },
          },
          {
            route: 'POST /accounts/{accountId}/close',
            example: { params: { accountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z' } },
          },
        ],
      },
      { snapshots: true, personalData: true },
    ),
    accountQueries: queryFunction({
      description: 'Accounts, their history and owners from read models; state at any moment.',
      entry: 'functions/accounts/queries.ts',
      routes: [
        {
          route: 'GET /accounts/{accountId}',
          example: { params: { accountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z' } },
        },
        {
          route: 'GET /accounts/{accountId}/history',
          example: { params: { accountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z' }, query: { limit: '20' } },
        },
        {
          route: 'GET /accounts/{accountId}/state',
          example: { params: { accountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z' }, query: { version: '2' } },
        },
        {
          route: 'GET /accounts/{accountId}/events',
          example: {
            params: { accountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z' },
            query: { fromVersion: '1' },
          },
        },
        { route: 'GET /owners/{ownerId}/accounts', example: { params: { ownerId: 'alice' } } },
      ],
      alarmMetrics: corruptEventsAlarm,
      // Holders' names and emails, to their owners and operators.
      personalData: 'reveal',
      tables: {
        events: 'read',
        snapshots: 'read',
        dataKeys: 'read',
        accountSummaries: 'read',
        accountTransactions: 'read',
        ownerAccounts: 'read',
      },
    }),
  },
  projections: [accountSummariesProjection, accountTransactionsProjection, ownerAccountsProjection],
  reactions: {},
  integration: {
    AccountOpened: (event) =>
      account(event, 'AccountOpened.v1', {
        ownerId: event.data.ownerId,
        accountType: event.data.accountType,
        currency: event.data.currency,
      }),
    MoneyDeposited: (event) =>
      account(event, 'MoneyDeposited.v1', {
        amount: event.data.amount,
        ...withTransfer(event.data.transferId),
      }),
    MoneyWithdrawn: (event) =>
      account(event, 'MoneyWithdrawn.v1', {
        amount: event.data.amount,
        ...withTransfer(event.data.transferId),
      }),
    AccountClosed: (event) => account(event, 'AccountClosed.v1', {}),
  },
});

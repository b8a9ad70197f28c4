import { contextModule, readModelTable } from '../eventsourcing/declaration';
import { commandFunction, corruptEventsAlarm, queryFunction } from '../http/functions';
import { eventsFrom, withTransfer } from '../integration/context-events';
import type { IntegrationEvent } from '../integration/contract';
import { accountEvents, accountIdOf } from './events';
import { ownerAccountsProjection } from './projections/owner-accounts';
import { accountSummariesProjection } from './projections/summaries';
import { accountTransactionsProjection } from './projections/transactions';

const account = eventsFrom('accounts', 'accountId', accountIdOf);

/** Accounts: opening, deposits, withdrawals and closing; balances, history and owners. */
export const accountsModule = contextModule<IntegrationEvent>()({
  events: accountEvents,
  tables: {
    accountSummaries: readModelTable('Read model: each account with its balance and status.'),
    accountTransactions: readModelTable(
      "Read model: each account's deposits and withdrawals with the balance after each.",
    ),
    ownerAccounts: readModelTable('Read model: the accounts of each owner.'),
  },
  functions: {
    accountCommands: commandFunction({
      description: 'Opens accounts, takes deposits and withdrawals, closes accounts.',
      entry: 'functions/accounts/commands.ts',
      routes: [
        'POST /accounts',
        'POST /accounts/{accountId}/deposits',
        'POST /accounts/{accountId}/withdrawals',
        'POST /accounts/{accountId}/close',
      ],
    }),
    accountQueries: queryFunction({
      description: 'Accounts, their history and owners from read models; state at any moment.',
      entry: 'functions/accounts/queries.ts',
      routes: [
        'GET /accounts/{accountId}',
        'GET /accounts/{accountId}/history',
        'GET /accounts/{accountId}/state',
        'GET /accounts/{accountId}/events',
        'GET /owners/{ownerId}/accounts',
      ],
      alarmMetrics: corruptEventsAlarm,
      tables: {
        events: 'read',
        snapshots: 'read',
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

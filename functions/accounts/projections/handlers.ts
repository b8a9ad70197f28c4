import { createProjectionHandler } from '../../eventsourcing';
import { accountUpcasters } from '../events';
import { ownerAccountsProjection } from './owner-accounts';
import { accountSummariesProjection } from './summaries';
import { accountTransactionsProjection } from './transactions';

/** Stream consumers keeping the account read models current. */
export const summaries = createProjectionHandler(accountSummariesProjection, {
  upcasters: accountUpcasters,
});
export const transactions = createProjectionHandler(accountTransactionsProjection, {
  upcasters: accountUpcasters,
});
export const ownerAccounts = createProjectionHandler(ownerAccountsProjection, {
  upcasters: accountUpcasters,
});

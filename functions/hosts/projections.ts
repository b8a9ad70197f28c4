import { ownerAccountsProjection } from '../accounts/projections/owner-accounts';
import { accountSummariesProjection } from '../accounts/projections/summaries';
import { accountTransactionsProjection } from '../accounts/projections/transactions';
import { toDomainEvent } from '../domain-events';
import { createConsumerHost } from '../eventsourcing';
import { customerOrdersProjection } from '../orders/projections/customer-orders';
import { orderSummariesProjection } from '../orders/projections/summaries';
import { streamHosts } from '../system';
import { transfersInFlightProjection } from '../transfers/in-flight';
import { declaredConsumers } from './declared-consumers';

/** Stream host `projections` (see `functions/system.ts`): keeps every read model current. */
export const handler = createConsumerHost({
  consumers: declaredConsumers(streamHosts.projections, {
    'account-summaries': accountSummariesProjection,
    'account-transactions': accountTransactionsProjection,
    'owner-accounts': ownerAccountsProjection,
    'order-summaries': orderSummariesProjection,
    'customer-orders': customerOrdersProjection,
    'transfers-in-flight': transfersInFlightProjection,
  }),
  decode: toDomainEvent,
});

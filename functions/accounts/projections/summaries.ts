import type { Projection, ReadModelWrite } from '../../eventsourcing';
import { accountEvents, type RecordedAccountEvent } from '../events';
import { evolveAccountView, openedSummary, summaryKey, type AccountSummary } from '../read-models';

/** Each account with its balance and status, for `GET /accounts/{accountId}`. */
export const accountSummariesProjection: Projection<RecordedAccountEvent> = {
  name: 'account-summaries',
  description: 'Each account with its balance and status.',
  readModel: 'accountSummaries',
  handles: accountEvents.types,
  async apply(event, context): Promise<ReadModelWrite[]> {
    const accountId = accountEvents.idOf(event.streamId);
    const key = summaryKey(accountId);
    if (event.type === 'AccountOpened') return [{ put: { ...key, ...openedSummary(event) } }];
    const current = (await context.get(key)) as (AccountSummary & typeof key) | undefined;
    if (!current) throw new Error(`Account ${accountId} has no summary before ${event.type}`);
    return [{ put: evolveAccountView(current, event) }];
  },
};

import type { Projection, ReadModelWrite } from '../../eventsourcing';
import { accountEvents, type RecordedAccountEvent } from '../events';
import {
  accountOwnerKey,
  evolveAccountView,
  openedSummary,
  ownerAccountKey,
  type OwnerAccount,
} from '../read-models';

/** The accounts of each owner, for `GET /owners/{ownerId}/accounts`. */
export const ownerAccountsProjection: Projection<RecordedAccountEvent> = {
  name: 'owner-accounts',
  description: 'The accounts of each owner.',
  readModel: 'ownerAccounts',
  handles: accountEvents.types,
  async apply(event, context): Promise<ReadModelWrite[]> {
    const accountId = accountEvents.idOf(event.streamId);
    if (event.type === 'AccountOpened') {
      const { ownerId, ...account } = openedSummary(event);
      return [
        { put: { ...accountOwnerKey(accountId), ownerId } },
        { put: { ...ownerAccountKey(ownerId, accountId), ...account } },
      ];
    }
    const owner = await context.get(accountOwnerKey(accountId));
    if (typeof owner?.ownerId !== 'string') {
      throw new Error(`Account ${accountId} has no known owner before ${event.type}`);
    }
    const key = ownerAccountKey(owner.ownerId, accountId);
    const current = (await context.get(key)) as (OwnerAccount & typeof key) | undefined;
    if (!current) throw new Error(`Account ${accountId} is missing from its owner's list`);
    return [{ put: evolveAccountView(current, event) }];
  },
};

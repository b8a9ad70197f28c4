import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { summaryKey } from '../../functions/accounts/read-models';
import { GenerationKeys } from '../../functions/eventsourcing/projections/read-model-keys';
import type { TestApi } from './local-api';

/**
 * Opens an account, then takes its item out of the account-summaries read model and deposits:
 * that deposit is poison for account-summaries alone, which parks the stream. Returns the
 * account id and the fix (the item put back), after which a redrive releases the stream.
 */
export async function poisonAccountSummary(t: TestApi, ownerId: string) {
  const accountId = await t.openAccount(ownerId, 100);
  await t.eventually(`/accounts/${accountId}`, (r) => r.body.version === 2);
  const table = t.stack.tableNames.accountSummaries;
  const key = marshall(new GenerationKeys('account-summaries', 1).physical(summaryKey(accountId)));
  const { Item: saved } = await t.client.send(
    new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
  );
  await t.client.send(new DeleteItemCommand({ TableName: table, Key: key }));
  await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 50 } });
  return {
    accountId,
    fix: async () => {
      await t.client.send(new PutItemCommand({ TableName: table, Item: saved! }));
    },
  };
}

import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { tableNameFromEnv } from '../eventsourcing/declaration';
import { httpHandler } from '../eventsourcing/http';
import { requireOwner, type Caller } from '../eventsourcing/http';
import { commandRoutes, type CommandOutcome } from '../eventsourcing/http';
import { IdempotencyKeys } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { commandResponse } from '../eventsourcing/http';
import { money, resourceId, text } from '../eventsourcing/http';
import { MAX_AMOUNT, type AccountState } from './decider';
import { ACCOUNT_TYPES, CURRENCIES, accountEvents } from './events';
import { accountCommandHandler, ownerOf } from './service';

/** Ids sort in creation order, even for ids made within one millisecond. */
const ulid = monotonicFactory();

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    accounts: accountCommandHandler(storageFromEnv(client)),
    keys: new IdempotencyKeys(client, tableNameFromEnv('idempotency')),
  };
});

const command = commandRoutes(() => dependencies().accounts);

const accountPath = z.strictObject({ accountId: resourceId });

/** Only the account's owner (or an operator) may move its money or close it. */
const ownAccount = ({ state, request }: { state: AccountState; request: { caller: Caller } }) =>
  requireOwner(request.caller, ownerOf(state), 'account');

/** The answer to a deposit or a withdrawal: the account's new version and balance. */
const balanceAnswer = ({ streamId, version, state }: CommandOutcome<AccountState>) =>
  commandResponse(200, {
    accountId: accountEvents.idOf(streamId),
    version,
    balance: state.status === 'none' ? 0 : state.balance,
  });

/** Account commands: open, deposit, withdraw, close. */
export const handler = httpHandler(
  {
    'POST /accounts': command({
      body: z.strictObject({
        ownerId: resourceId,
        accountType: z.enum(ACCOUNT_TYPES).default('checking'),
        currency: z.enum(CURRENCIES).default('USD'),
        holderName: z.string().trim().min(1).max(200).optional(),
        email: z.email().max(254).optional(),
      }),
      target: ({ body }) => ({
        streamId: accountEvents.streamId(ulid()),
        command: { type: 'OpenAccount', ...body },
      }),
      // A JWT caller opens accounts for itself only.
      authorize: ({ request }) => requireOwner(request.caller, request.body.ownerId, 'account'),
      respond: ({ streamId, version }) => {
        const accountId = accountEvents.idOf(streamId);
        return commandResponse(201, { accountId, version }, { location: `/accounts/${accountId}` });
      },
    }),

    'POST /accounts/{accountId}/deposits': command({
      params: accountPath,
      body: z.strictObject({ amount: money(MAX_AMOUNT), source: text(200).optional() }),
      target: ({ params, body }) => ({
        streamId: accountEvents.streamId(params.accountId),
        command: { type: 'DepositMoney', ...body },
      }),
      authorize: ownAccount,
      respond: balanceAnswer,
    }),

    'POST /accounts/{accountId}/withdrawals': command({
      params: accountPath,
      body: z.strictObject({ amount: money(MAX_AMOUNT), destination: text(200).optional() }),
      target: ({ params, body }) => ({
        streamId: accountEvents.streamId(params.accountId),
        command: { type: 'WithdrawMoney', ...body },
      }),
      authorize: ownAccount,
      respond: balanceAnswer,
    }),

    'POST /accounts/{accountId}/close': command({
      params: accountPath,
      target: ({ params }) => ({
        streamId: accountEvents.streamId(params.accountId),
        command: { type: 'CloseAccount' },
      }),
      authorize: ownAccount,
      respond: ({ streamId, version, state }) =>
        commandResponse(200, {
          accountId: accountEvents.idOf(streamId),
          version,
          status: state.status,
        }),
    }),
  },
  { idempotencyKeys: () => dependencies().keys },
);

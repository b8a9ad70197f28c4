import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { handleOptions, httpHandler, route } from '../http/api';
import { dynamoDbIdempotency } from '../http/idempotency';
import { once } from '../http/once';
import { commandResponse } from '../http/responses';
import { money, resourceId, text } from '../http/validation';
import { tableNameFromEnv } from '../system';
import { MAX_AMOUNT, type AccountCommand, type AccountState } from './decider';
import { ACCOUNT_TYPES, CURRENCIES, accountStreamId } from './events';
import { accountCommandHandler } from './service';

/** Ids sort in creation order, even for ids made within one millisecond. */
const ulid = monotonicFactory();

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    accounts: accountCommandHandler(storageFromEnv(client)),
    idempotency: dynamoDbIdempotency(client, tableNameFromEnv('idempotency')),
  };
});

const accountPath = z.strictObject({ accountId: resourceId });

const balanceOf = (state: AccountState) => (state.status === 'none' ? 0 : state.balance);

async function runCommand(
  accountId: string,
  command: AccountCommand,
  request: Parameters<typeof handleOptions>[0],
) {
  return dependencies().accounts.handle(
    accountStreamId(accountId),
    command,
    handleOptions(request),
  );
}

/** Account commands: open, deposit, withdraw, close. */
export const handler = httpHandler(
  {
    'POST /accounts': route({
      body: z.strictObject({
        ownerId: resourceId,
        accountType: z.enum(ACCOUNT_TYPES).default('checking'),
        currency: z.enum(CURRENCIES).default('USD'),
      }),
      async handle(request) {
        const accountId = ulid();
        const result = await runCommand(
          accountId,
          { type: 'OpenAccount', ...request.body },
          request,
        );
        return commandResponse(
          201,
          { accountId, version: result.version },
          { location: `/accounts/${accountId}` },
        );
      },
    }),

    'POST /accounts/{accountId}/deposits': route({
      params: accountPath,
      body: z.strictObject({ amount: money(MAX_AMOUNT), source: text(200).optional() }),
      async handle({ params, body, ...request }) {
        const result = await runCommand(
          params.accountId,
          { type: 'DepositMoney', ...body },
          request,
        );
        return commandResponse(200, {
          accountId: params.accountId,
          version: result.version,
          balance: balanceOf(result.state),
        });
      },
    }),

    'POST /accounts/{accountId}/withdrawals': route({
      params: accountPath,
      body: z.strictObject({ amount: money(MAX_AMOUNT), destination: text(200).optional() }),
      async handle({ params, body, ...request }) {
        const result = await runCommand(
          params.accountId,
          { type: 'WithdrawMoney', ...body },
          request,
        );
        return commandResponse(200, {
          accountId: params.accountId,
          version: result.version,
          balance: balanceOf(result.state),
        });
      },
    }),

    'POST /accounts/{accountId}/close': route({
      params: accountPath,
      async handle({ params, ...request }) {
        const result = await runCommand(params.accountId, { type: 'CloseAccount' }, request);
        return commandResponse(200, {
          accountId: params.accountId,
          version: result.version,
          status: result.state.status,
        });
      },
    }),
  },
  { idempotency: () => dependencies().idempotency },
);

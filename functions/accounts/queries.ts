import * as z from 'zod';
import {
  ReadModelReader,
  StreamClosedError,
  closedAt,
  createDynamoDbClient,
  storageFromEnv,
} from '../eventsourcing';
import { httpHandler, route } from '../eventsourcing/http';
import { requireOwner, type Caller } from '../eventsourcing/http';
import { HttpError } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { readPage, withoutKeys } from '../eventsourcing/http';
import { etag, ok } from '../eventsourcing/http';
import { cursorParam, integerParam, limitParam, resourceId } from '../eventsourcing/http';
import { accountEvents } from './events';
import { ownerAccountsProjection } from './projections/owner-accounts';
import { accountSummariesProjection } from './projections/summaries';
import { accountTransactionsProjection } from './projections/transactions';
import {
  OWNER_ACCOUNT_PREFIX,
  TRANSACTION_PREFIX,
  ownerPartition,
  runningBalanceKey,
  summaryKey,
} from './read-models';
import { accountOwner, accountRepository } from './service';

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    summaries: new ReadModelReader(accountSummariesProjection, { client }),
    transactions: new ReadModelReader(accountTransactionsProjection, { client }),
    owners: new ReadModelReader(ownerAccountsProjection, { client }),
    repository: accountRepository(storageFromEnv(client)),
  };
});

const accountPath = z.strictObject({ accountId: resourceId });
const DEFAULT_PAGE = 50;

const notFound = (accountId: string, detail = '') =>
  new HttpError(404, 'AccountNotFound', `No account ${accountId}${detail}`);

/** Only an account's owner (or an operator) may read it; the owner comes from its first event. */
async function requireAccountOwner(caller: Caller, accountId: string): Promise<void> {
  if (caller.privileged) return;
  requireOwner(caller, await accountOwner(dependencies().repository.store, accountId), 'account');
}

/** Account queries: read models, the state at any moment, and the raw events. */
export const handler = httpHandler({
  'GET /accounts/{accountId}': route({
    params: accountPath,
    async handle({ params, caller }) {
      const summary = await dependencies().summaries.get(summaryKey(params.accountId));
      if (!summary) throw notFound(params.accountId);
      requireOwner(caller, String(summary.ownerId), 'account');
      return ok(withoutKeys(summary), etag(Number(summary.version)));
    },
  }),

  'GET /accounts/{accountId}/history': route({
    params: accountPath,
    query: z.strictObject({ limit: limitParam, cursor: cursorParam }),
    async handle({ params, query, caller }) {
      const { transactions } = dependencies();
      const { accountId } = params;
      await requireAccountOwner(caller, accountId);
      if (!(await transactions.get(runningBalanceKey(accountId)))) throw notFound(accountId);
      const page = await readPage(transactions, {
        pk: runningBalanceKey(accountId).pk,
        skPrefix: TRANSACTION_PREFIX,
        limit: query.limit ?? DEFAULT_PAGE,
        cursor: query.cursor,
      });
      return ok({
        accountId,
        transactions: page.items.map(withoutKeys),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
  }),

  'GET /accounts/{accountId}/state': route({
    params: accountPath,
    query: z
      .strictObject({
        version: integerParam(1, Number.MAX_SAFE_INTEGER).optional(),
        at: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time' }).optional(),
      })
      .refine((q) => q.version === undefined || q.at === undefined, {
        message: 'give either version or at, not both',
        path: ['at'],
      }),
    async handle({ params, query, caller }) {
      const { accountId } = params;
      await requireAccountOwner(caller, accountId);
      const target =
        query.version !== undefined
          ? { version: query.version }
          : query.at !== undefined
            ? { at: new Date(query.at) }
            : undefined;
      const loaded = await dependencies().repository.load(
        accountEvents.streamId(accountId),
        target,
      );
      if (loaded.version === 0 || loaded.state.status === 'none') {
        throw notFound(accountId, query.at === undefined ? '' : ` at ${query.at}`);
      }
      // A closed stream is gone for its owner; operators still see its last state.
      if (loaded.closed !== undefined && !caller.privileged) {
        throw new StreamClosedError(loaded.streamId, loaded.closed);
      }
      return ok({
        accountId,
        version: loaded.version,
        asOf: loaded.lastRecordedAt,
        state: loaded.state,
        ...(loaded.closed === undefined ? {} : { closed: loaded.closed }),
      });
    },
  }),

  'GET /accounts/{accountId}/events': route({
    params: accountPath,
    query: z.strictObject({
      fromVersion: integerParam(1, Number.MAX_SAFE_INTEGER).optional(),
      limit: limitParam,
    }),
    async handle({ params, query, caller }) {
      await requireAccountOwner(caller, params.accountId);
      const { store } = dependencies().repository;
      const streamId = accountEvents.streamId(params.accountId);
      const limit = query.limit ?? DEFAULT_PAGE;
      const closed = caller.privileged ? undefined : await closedAt(store, streamId);
      if (closed !== undefined) throw new StreamClosedError(streamId, closed);
      const events = await store.read(streamId, { fromVersion: query.fromVersion ?? 1, limit });
      if (events.length === 0 && (await store.headVersion(streamId)) === 0) {
        throw notFound(params.accountId);
      }
      const last = events.at(-1);
      return ok({
        accountId: params.accountId,
        events: events.map(({ streamId: _streamId, ...event }) => event),
        ...(events.length === limit && last ? { nextFromVersion: last.version + 1 } : {}),
      });
    },
  }),

  'GET /owners/{ownerId}/accounts': route({
    params: z.strictObject({ ownerId: resourceId }),
    query: z.strictObject({ limit: limitParam, cursor: cursorParam }),
    async handle({ params, query, caller }) {
      requireOwner(caller, params.ownerId, "owner's accounts");
      const page = await readPage(dependencies().owners, {
        pk: ownerPartition(params.ownerId),
        skPrefix: OWNER_ACCOUNT_PREFIX,
        limit: query.limit ?? DEFAULT_PAGE,
        cursor: query.cursor,
      });
      return ok({
        ownerId: params.ownerId,
        accounts: page.items.map(withoutKeys),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
  }),
});

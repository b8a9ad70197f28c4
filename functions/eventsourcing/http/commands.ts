import type { z } from 'zod';
import type { HandleOptions, HandleResult } from '../command-handler.js';
import { ConcurrencyError, DomainError, WriteConditionFailedError } from '../errors.js';
import type { EventMetadata } from '../types.js';
import type { Caller } from './caller.js';
import { HttpError, mapError, type RefusalStatuses } from './errors.js';
import {
  REPLAYED_HEADER,
  requestFingerprint,
  type IdempotencyKeys,
  type KeyRecord,
  type KeyScope,
  type StoredAnswer,
} from './idempotency.js';
import { toAnswer, type HttpResponse } from './responses.js';

export interface CommandRequest<Params, Body> {
  readonly params: Params;
  readonly body: Body;
  readonly caller: Caller;
}

/** What a command leads to, as its answer sees it: the stream's version and state after it. */
export interface CommandOutcome<State> {
  readonly streamId: string;
  readonly version: number;
  readonly state: State;
}

/** What runs a route's commands: a `CommandHandler`. */
export interface RunsCommands<Command, State> {
  handle(
    streamId: string,
    command: Command,
    options: HandleOptions<State, unknown>,
  ): Promise<HandleResult<State>>;
}

/**
 * A POST route that runs one command on one stream. It is declared, not coded, so the adapter
 * can compute the answer from the decision before anything is written, and commit the
 * `Idempotency-Key` with that answer in the same transaction as the events.
 */
export interface CommandRoute<Params, Body, Command, State> {
  readonly kind: 'command';
  readonly params?: z.ZodType<Params>;
  /** Schema of the JSON body; without one, the command takes no body (or `{}`). */
  readonly body?: z.ZodType<Body>;
  readonly handler: () => RunsCommands<Command, State>;
  /** The stream and the command of a request; called once per request. */
  target(request: CommandRequest<Params, Body>): { streamId: string; command: Command };
  /**
   * Refuses callers that may not run the command (throw a 403 `HttpError`), checked on the
   * loaded aggregate before deciding. IAM callers and operators are not checked.
   */
  authorize?(check: {
    readonly state: State;
    readonly request: CommandRequest<Params, Body>;
  }): void | Promise<void>;
  /** The answer to the client, from what the command leads to. */
  respond(outcome: CommandOutcome<State>, request: CommandRequest<Params, Body>): HttpResponse;
  /**
   * Statuses of business refusals (`DomainError` codes) that the naming rule would answer
   * otherwise for this route, e.g. `{ AccountNotFound: 422 }` where the account is named in the
   * body rather than the path. They are refusals all the same: recorded under the request's key.
   */
  readonly refusals?: RefusalStatuses;
}

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- routes of any request types */
export const isCommandRoute = (route: object): route is CommandRoute<any, any, any, any> =>
  'kind' in route && route.kind === 'command';

/** Declares command routes run by one command handler (built on first use). */
export function commandRoutes<Command, State>(handler: () => RunsCommands<Command, State>) {
  return <Params = Record<string, never>, Body = undefined>(
    definition: Omit<CommandRoute<Params, Body, Command, State>, 'kind' | 'handler'>,
  ): CommandRoute<Params, Body, Command, State> => ({ ...definition, kind: 'command', handler });
}

export interface CommandCall<Params, Body> {
  readonly request: CommandRequest<Params, Body>;
  /** The body as sent (parsed JSON), for the key's fingerprint. */
  readonly json: unknown;
  readonly ifMatch: number | undefined;
  readonly idempotencyKey: string | undefined;
  readonly keys: () => IdempotencyKeys;
  readonly method: string;
  readonly path: string;
  readonly metadata: EventMetadata;
}

/** Thrown from a retry to stop it: a duplicate request committed meanwhile. */
class Replay extends Error {
  constructor(readonly answer: StoredAnswer) {
    super('A request with the same key committed meanwhile');
  }
}

/** The stored answer for a repeat of the same request, or 422 for another request. */
function replayOf(record: KeyRecord, fingerprint: string): StoredAnswer {
  if (record.fingerprint !== fingerprint) {
    throw new HttpError(
      422,
      'IdempotencyKeyReused',
      'This Idempotency-Key was already used with another request',
    );
  }
  return { ...record.answer, headers: { ...record.answer.headers, [REPLAYED_HEADER]: 'true' } };
}

/**
 * Runs a command route. With an `Idempotency-Key`:
 * - a key already used by this caller replays its stored answer (the same request) or is
 *   refused with 422 (another request), and nothing runs;
 * - otherwise the command runs, and its answer is recorded under the key in the same
 *   transaction as its events (or, if it decided none, with a check that the stream has not
 *   moved): a crash at any moment leaves both or neither;
 * - a business-rule refusal (a `DomainError`: 404, 409 already exists, 422) is a decision too
 *   and is recorded, so a retry gets the same answer even if the state changed since; invalid
 *   input, conflicts, 403 and server faults record nothing, so the client may retry;
 * - concurrent requests with one key race for the key's record: one commits, the others find
 *   its record (before each retry, or when the transaction is refused) and replay it.
 */
export async function runCommand<Params, Body, Command, State>(
  route: CommandRoute<Params, Body, Command, State>,
  call: CommandCall<Params, Body>,
): Promise<StoredAnswer> {
  const { request } = call;
  const { streamId, command } = route.target(request);
  const run: Run<Command, State> = {
    handler: route.handler(),
    streamId,
    command,
    options: handleOptions(route, call),
    answerTo: (outcome) => toAnswer(route.respond(outcome, request)),
  };
  if (call.idempotencyKey === undefined) {
    return run.answerTo(await run.handler.handle(streamId, command, run.options));
  }
  const keyed: KeyedCall = {
    keys: call.keys(),
    scope: { actor: request.caller.actor, key: call.idempotencyKey },
    fingerprint: requestFingerprint(call.method, call.path, call.json),
    ifMatch: call.ifMatch,
    ...(route.refusals ? { refusals: route.refusals } : {}),
  };
  return (await earlierAnswer(keyed)) ?? runKeyed(run, keyed);
}

/** One command of a route, ready to run. */
interface Run<Command, State> {
  readonly handler: RunsCommands<Command, State>;
  readonly streamId: string;
  readonly command: Command;
  readonly options: HandleOptions<State, unknown>;
  readonly answerTo: (outcome: CommandOutcome<State>) => StoredAnswer;
}

/** A request's `Idempotency-Key`: where its record lives, and what it must match. */
interface KeyedCall {
  readonly keys: IdempotencyKeys;
  readonly scope: KeyScope;
  readonly fingerprint: string;
  readonly ifMatch: number | undefined;
  readonly refusals?: RefusalStatuses;
}

/** The handler's options: the request's metadata, its `If-Match`, and the route's access rule. */
function handleOptions<Params, Body, Command, State>(
  route: CommandRoute<Params, Body, Command, State>,
  call: CommandCall<Params, Body>,
): HandleOptions<State, unknown> {
  const { request } = call;
  const authorize = route.authorize?.bind(route);
  return {
    metadata: call.metadata,
    ...(call.ifMatch === undefined ? {} : { expectedVersion: call.ifMatch }),
    ...(authorize && !request.caller.privileged
      ? { guard: (loaded) => authorize({ state: loaded.state, request }) }
      : {}),
  };
}

/** The answer already recorded under the key, if any (422 for another request). */
async function earlierAnswer(keyed: KeyedCall): Promise<StoredAnswer | undefined> {
  const record = await keyed.keys.find(keyed.scope);
  return record && replayOf(record, keyed.fingerprint);
}

/** Runs the command with its answer committed under the key in the same transaction. */
async function runKeyed<Command, State>(
  run: Run<Command, State>,
  keyed: KeyedCall,
): Promise<StoredAnswer> {
  const { keys, scope, fingerprint } = keyed;
  let answer: StoredAnswer | undefined;
  try {
    await run.handler.handle(run.streamId, run.command, {
      ...run.options,
      commitWith: (decision) => {
        answer = run.answerTo(decision);
        return [keys.record(scope, fingerprint, answer)];
      },
      beforeRetry: async () => {
        const found = await earlierAnswer(keyed);
        if (found) throw new Replay(found);
      },
    });
    return answer!;
  } catch (error) {
    return settleKeyedFailure(error, run.streamId, keyed);
  }
}

/**
 * What a keyed command that failed answers: a duplicate's answer when one committed meanwhile,
 * a business-rule refusal recorded under the key, or the error.
 */
async function settleKeyedFailure(
  error: unknown,
  streamId: string,
  keyed: KeyedCall,
): Promise<StoredAnswer> {
  if (error instanceof Replay) return error.answer;
  if (error instanceof DomainError) {
    const refusal = toAnswer(mapError(error, { refusals: keyed.refusals })!);
    if (await keyed.keys.save(keyed.keys.record(keyed.scope, keyed.fingerprint, refusal))) {
      return refusal;
    }
    return (await earlierAnswer(keyed)) ?? refusal;
  }
  if (error instanceof WriteConditionFailedError || error instanceof ConcurrencyError) {
    const found = await earlierAnswer(keyed);
    if (found) return found;
    if (error instanceof WriteConditionFailedError) {
      throw new ConcurrencyError(streamId, keyed.ifMatch ?? 'any', undefined);
    }
  }
  throw error;
}

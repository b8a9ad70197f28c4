import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './errors.js';

/** Who sent a request, as API Gateway's authorizer established it. */
export interface Caller {
  /** Recorded as the actor of every event the request appends. */
  readonly actor: string;
  /**
   * IAM callers are trusted services and operators, and so are JWT callers in the operator
   * group: they may act on any resource. Other JWT callers only on what they own.
   */
  readonly privileged: boolean;
}

export interface CallerSettings {
  /** Members of this group (in the JWT's groups claim) may act on any resource. */
  readonly operatorGroup: string;
  /** The JWT claim listing the caller's groups. */
  readonly groupsClaim: string;
}

export const DEFAULT_CALLER_SETTINGS: CallerSettings = {
  operatorGroup: 'operators',
  groupsClaim: 'cognito:groups',
};

/** Environment variables through which the CDK app passes the caller settings. */
export const OPERATOR_GROUP_VARIABLE = 'OPERATOR_GROUP';
export const GROUPS_CLAIM_VARIABLE = 'GROUPS_CLAIM';

export function callerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CallerSettings {
  return {
    operatorGroup: env[OPERATOR_GROUP_VARIABLE] || DEFAULT_CALLER_SETTINGS.operatorGroup,
    groupsClaim: env[GROUPS_CLAIM_VARIABLE] || DEFAULT_CALLER_SETTINGS.groupsClaim,
  };
}

type Claim = string | number | boolean | readonly string[] | undefined;

interface Authorizer {
  readonly iam?: { readonly userArn?: string | null };
  readonly jwt?: { readonly claims?: Readonly<Record<string, Claim>> };
}

/**
 * The groups a JWT claim lists. API Gateway hands array claims to the function as one string,
 * `[operators auditors]`; a JSON array or a comma-separated list is accepted too.
 */
export function groupsOf(claim: Claim): string[] {
  if (claim === undefined) return [];
  if (Array.isArray(claim)) return claim.map(String);
  return String(claim)
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .map((group) => group.replace(/^"|"$/g, ''))
    .filter((group) => group.length > 0);
}

/** A JWT caller: its subject, privileged when its groups claim lists the operator group. */
function jwtCallerOf(
  claims: Readonly<Record<string, Claim>>,
  settings: CallerSettings,
): Caller | undefined {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') return undefined;
  return {
    actor: subject,
    privileged: groupsOf(claims[settings.groupsClaim]).includes(settings.operatorGroup),
  };
}

/**
 * The caller of a request: the IAM caller's ARN (`requestContext.authorizer.iam.userArn`) or
 * the JWT subject (`requestContext.authorizer.jwt.claims.sub`); `undefined` when API Gateway
 * authorized nobody (every deployed route has an authorizer, so only a miswired call).
 */
export function callerOf(
  event: APIGatewayProxyEventV2,
  settings: CallerSettings = DEFAULT_CALLER_SETTINGS,
): Caller | undefined {
  const { authorizer } = event.requestContext as { authorizer?: Authorizer };
  const userArn = authorizer?.iam?.userArn;
  if (userArn) return { actor: userArn, privileged: true };
  const claims = authorizer?.jwt?.claims;
  return claims ? jwtCallerOf(claims, settings) : undefined;
}

/**
 * Refuses (403 `Forbidden`, before anything is written) a caller that may not act on a
 * resource owned by `ownerId`: JWT callers act on their own resources only, unless they are
 * operators. A resource that does not exist (`ownerId` undefined) is left to the route, which
 * answers 404 for it.
 */
export function requireOwner(caller: Caller, ownerId: string | undefined, resource: string): void {
  if (caller.privileged || ownerId === undefined || ownerId === caller.actor) return;
  throw forbidden(resource);
}

/** The 403 for a caller acting on a resource that is not theirs. */
export const forbidden = (resource: string) =>
  new HttpError(403, 'Forbidden', `You may not act on this ${resource}: it is not yours`);

/** Refuses (403 `Forbidden`) a caller who is neither an IAM caller nor an operator. */
export function requireOperator(caller: Caller, action: string): void {
  if (!caller.privileged) {
    throw new HttpError(403, 'Forbidden', `Only operators and IAM callers may ${action}`);
  }
}

/**
 * The `authorize` of a command route that only operators and IAM callers may run, e.g.
 * `authorize: operatorsOnly('add products')`: others get 403 before anything is written.
 */
export const operatorsOnly =
  (action: string) =>
  ({ request }: { readonly request: { readonly caller: Caller } }): void =>
    requireOperator(request.caller, action);

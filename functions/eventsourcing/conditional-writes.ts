/**
 * How DynamoDB says a conditional write was refused, read from any of its errors. Errors are
 * told apart by name, not `instanceof`: a project may hold more than one copy of the AWS SDK
 * (the document client's and its own), and each copy has its own exception classes.
 */

/** The reason code of an action that failed its condition, in a cancelled transaction. */
export const CONDITION_FAILED = 'ConditionalCheckFailed';
/** The reason code of an action whose item another transaction was writing. */
export const TRANSACTION_CONFLICT = 'TransactionConflict';

interface DynamoDbErrorFields {
  readonly name?: unknown;
  readonly CancellationReasons?: readonly { readonly Code?: string; readonly Item?: unknown }[];
  readonly Item?: unknown;
}

const fieldsOf = (error: unknown): DynamoDbErrorFields =>
  typeof error === 'object' && error !== null ? error : {};

/** Whether a single conditional write (PutItem, UpdateItem, DeleteItem) failed its condition. */
export const isConditionalCheckFailed = (error: unknown): boolean =>
  fieldsOf(error).name === 'ConditionalCheckFailedException';

/** Whether a transaction (TransactWriteItems, TransactGetItems) was cancelled. */
export const isTransactionCanceled = (error: unknown): boolean =>
  fieldsOf(error).name === 'TransactionCanceledException';

/**
 * The reason code of each action of a cancelled transaction, in the order of its actions
 * (`None` for an action that was not the cause); empty for any other error.
 */
export function cancellationReasons(error: unknown): readonly string[] {
  if (!isTransactionCanceled(error)) return [];
  return (fieldsOf(error).CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
}

/**
 * The item each action of a cancelled transaction found in its way, in the order of its actions,
 * when it asked for it (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`); empty for any other
 * error.
 */
export function cancellationItems<Item>(error: unknown): readonly (Item | undefined)[] {
  if (!isTransactionCanceled(error)) return [];
  return (fieldsOf(error).CancellationReasons ?? []).map((reason) => reason.Item as Item);
}

/**
 * Whether a write was refused because a condition failed: a single write's condition, or, in a
 * cancelled transaction, the condition of the action at `action` (negative counts from the
 * end), or of any action when none is named.
 */
export function isConditionFailure(error: unknown, action?: number): boolean {
  if (isConditionalCheckFailed(error)) return true;
  const reasons = cancellationReasons(error);
  return action === undefined
    ? reasons.includes(CONDITION_FAILED)
    : reasons.at(action) === CONDITION_FAILED;
}

/** Whether a transaction was cancelled because another one was writing one of its items. */
export const isTransactionConflict = (error: unknown): boolean =>
  cancellationReasons(error).includes(TRANSACTION_CONFLICT);

/** Whether a reason code says the action lost a race: its condition, or another transaction. */
export const isLostRaceReason = (code: string): boolean =>
  code === CONDITION_FAILED || code === TRANSACTION_CONFLICT;

/** Whether a write lost a race to another writer: a failed condition or a conflicting transaction. */
export const isLostRace = (error: unknown): boolean =>
  isConditionalCheckFailed(error) || cancellationReasons(error).some(isLostRaceReason);

/**
 * The item a single write found in its way, when it asked for it
 * (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`).
 */
export function itemInTheWay<Item>(error: unknown): Item | undefined {
  return isConditionalCheckFailed(error) ? (fieldsOf(error).Item as Item | undefined) : undefined;
}

import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  cancellationReasons,
  isConditionFailure,
  isLostRace,
  isTransactionConflict,
} from '../../functions/eventsourcing';
import {
  isConditionalCheckFailed,
  isLostRaceReason,
  itemInTheWay,
} from '../../functions/eventsourcing/conditional-writes';

const metadata = { $metadata: {} };

const conditionFailed = (item?: Record<string, { S: string }>) =>
  new ConditionalCheckFailedException({
    ...metadata,
    message: 'The conditional request failed',
    ...(item ? { Item: item } : {}),
  });

/** A cancelled transaction whose actions failed for these reasons (`None` where they did not). */
const cancelled = (...codes: (string | undefined)[]) =>
  new TransactionCanceledException({
    ...metadata,
    message: 'Transaction cancelled',
    CancellationReasons: codes.map((Code) => (Code === undefined ? {} : { Code })),
  });

/** The same error as another copy of the SDK raises it: equal by name, not by class. */
const fromAnotherSdk = (name: string, fields: object = {}) =>
  Object.assign(new Error('from another copy of the SDK'), { name, ...fields });

describe('conditional-write failures', () => {
  it('reads the reason of each action of a cancelled transaction, None where it had none', () => {
    expect(cancellationReasons(cancelled('None', 'ConditionalCheckFailed', undefined))).toEqual([
      'None',
      'ConditionalCheckFailed',
      'None',
    ]);
    expect(cancellationReasons(conditionFailed())).toEqual([]);
    expect(cancellationReasons(new Error('network'))).toEqual([]);
    expect(cancellationReasons(undefined)).toEqual([]);
    expect(cancellationReasons('TransactionCanceledException')).toEqual([]);
  });

  it('finds a failed condition in a single write or in any action of a transaction', () => {
    expect(isConditionFailure(conditionFailed())).toBe(true);
    expect(isConditionFailure(cancelled('None', 'ConditionalCheckFailed'))).toBe(true);
    expect(isConditionFailure(cancelled('TransactionConflict', 'None'))).toBe(false);
    expect(isConditionFailure(new Error('ConditionalCheckFailed'))).toBe(false);
    expect(isConditionFailure(null)).toBe(false);
  });

  it('asks about one action when named, counting from the end when negative', () => {
    const lastRefused = cancelled('None', 'None', 'ConditionalCheckFailed');
    expect(isConditionFailure(lastRefused, -1)).toBe(true);
    expect(isConditionFailure(lastRefused, 2)).toBe(true);
    expect(isConditionFailure(lastRefused, 0)).toBe(false);
    expect(isConditionFailure(cancelled('ConditionalCheckFailed', 'None'), -1)).toBe(false);
    // A single write has one action: its condition answers for any index.
    expect(isConditionFailure(conditionFailed(), -1)).toBe(true);
  });

  it('tells a conflicting transaction apart from a failed condition', () => {
    expect(isTransactionConflict(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isTransactionConflict(cancelled('ConditionalCheckFailed'))).toBe(false);
    expect(isTransactionConflict(conditionFailed())).toBe(false);
  });

  it('counts both as a lost race, and nothing else', () => {
    expect(isLostRace(conditionFailed())).toBe(true);
    expect(isLostRace(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isLostRace(cancelled('ConditionalCheckFailed'))).toBe(true);
    expect(isLostRace(cancelled('ThrottlingError'))).toBe(false);
    expect(isLostRace(fromAnotherSdk('ThrottlingException'))).toBe(false);
    expect(['ConditionalCheckFailed', 'TransactionConflict', 'None'].map(isLostRaceReason)).toEqual(
      [true, true, false],
    );
  });

  it('recognizes the errors of another copy of the SDK by their name', () => {
    expect(isConditionalCheckFailed(fromAnotherSdk('ConditionalCheckFailedException'))).toBe(true);
    const transaction = fromAnotherSdk('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    expect(cancellationReasons(transaction)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(isConditionFailure(transaction, -1)).toBe(true);
  });

  it('hands back the item a single write found in its way, when it asked for it', () => {
    const item = { eventId: { S: '01J0000000000000000000000A' } };
    expect(itemInTheWay(conditionFailed(item))).toEqual(item);
    expect(itemInTheWay(conditionFailed())).toBeUndefined();
    expect(itemInTheWay(cancelled('ConditionalCheckFailed'))).toBeUndefined();
  });
});

import type { ExpectedVersion } from './types.js';

/** Base of every error the framework raises on purpose; `code` is stable and machine-readable. */
export abstract class EventSourcingError extends Error {
  abstract readonly code: string;
}

/** Another writer got there first, or the stream is not at the expected version. */
export class ConcurrencyError extends EventSourcingError {
  readonly code = 'ConcurrencyConflict';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    /** The stream's version when the conflict was detected, when known. */
    readonly actualVersion: number | undefined,
  ) {
    super(
      `Stream '${streamId}' is not at the expected version ${String(expectedVersion)}` +
        (actualVersion === undefined ? '' : ` (it is at version ${actualVersion})`),
    );
    this.name = 'ConcurrencyError';
  }
}

/** Input the event store refuses before writing anything. */
export class InvalidEventError extends EventSourcingError {
  readonly code = 'InvalidEvent';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** An event item would exceed DynamoDB's 400 KB item size limit. */
export class EventTooLargeError extends EventSourcingError {
  readonly code = 'EventTooLarge';
  constructor(
    readonly eventType: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `Event '${eventType}' would be ${sizeBytes} bytes as a DynamoDB item; the limit is ${limitBytes}`,
    );
    this.name = 'EventTooLargeError';
  }
}

/** More events in one append than one DynamoDB transaction can hold atomically. */
export class TooManyEventsError extends EventSourcingError {
  readonly code = 'TooManyEvents';
  constructor(
    readonly count: number,
    readonly limit: number,
  ) {
    super(`Cannot append ${count} events atomically; at most ${limit} per append`);
    this.name = 'TooManyEventsError';
  }
}

/** A read observed versions that are not contiguous and the hole did not close on re-read. */
export class StreamGapError extends EventSourcingError {
  readonly code = 'StreamGap';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly foundVersion: number,
  ) {
    super(
      `Stream '${streamId}' has a gap: expected version ${expectedVersion}, found ${foundVersion}`,
    );
    this.name = 'StreamGapError';
  }
}

/** An event's schemaVersion has no upcaster path to the current version. */
export class UpcastError extends EventSourcingError {
  readonly code = 'UpcastFailed';
  constructor(message: string) {
    super(message);
    this.name = 'UpcastError';
  }
}

/** Metric counting reads that met a corrupt event; every function that reports it has an alarm. */
export const CORRUPT_EVENTS_METRIC = 'CorruptEvents';

/**
 * A stored event does not fit its type's schema after upcasting (or its type is unknown, or no
 * upcaster reaches the current schema version). Nothing may be decided from such a stream until
 * an operator repairs the cause (an upcaster, a schema, a compensating release): readers refuse
 * it instead of folding garbage into a decision.
 */
export class CorruptEventError extends EventSourcingError {
  readonly code = 'CorruptEvent';
  // eslint-disable-next-line max-params -- a corrupt event is named by all six facts an operator needs
  constructor(
    readonly streamId: string,
    readonly version: number,
    readonly eventId: string,
    readonly eventType: string,
    /** Where in the event the fault is: `type`, `schemaVersion` or `data.<path>`. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(
      `Event ${version} of stream '${streamId}' (${eventType}) is corrupt: ${field}: ${reason}`,
    );
    this.name = 'CorruptEventError';
  }
}

/** A write the caller asked to commit with an append was refused by its own condition. */
export class WriteConditionFailedError extends EventSourcingError {
  readonly code = 'WriteConditionFailed';
  constructor(
    readonly tableName: string,
    /** Position of the refused write among those passed with the append. */
    readonly index: number,
  ) {
    super(`The write to '${tableName}' committed with the append was refused by its condition`);
    this.name = 'WriteConditionFailedError';
  }
}

/** A store was asked for something its storage cannot do (e.g. writes to other tables in memory). */
export class UnsupportedOperationError extends EventSourcingError {
  readonly code = 'UnsupportedOperation';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedOperationError';
  }
}

/**
 * DynamoDB Local answered a transaction, but whether it committed could not be confirmed: the
 * outcome is unknown. Read the stream before sending the transaction again.
 */
export class CommitUnconfirmedError extends EventSourcingError {
  readonly code = 'CommitUnconfirmed';
  constructor(options: { cause: unknown }) {
    super(
      'DynamoDB Local answered a transaction but could not be reached to confirm its commit',
      options,
    );
    this.name = 'CommitUnconfirmedError';
  }
}

/** A service the framework called answered with something it cannot use; try again later. */
export class UnexpectedResponseError extends EventSourcingError {
  readonly code = 'UnexpectedResponse';
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnexpectedResponseError';
  }
}

/** Base for business-rule violations raised by deciders; passes through the command handler unchanged. */
export class DomainError extends EventSourcingError {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * Personal data would be written for a data subject that was erased (the erasure fence): a late
 * request must not recreate what an erasure destroyed.
 */
export class SubjectErasedError extends EventSourcingError {
  readonly code = 'SubjectErased';
  constructor(readonly subject: string) {
    super(`Data subject '${subject}' was erased: no personal data may be written for it`);
    this.name = 'SubjectErasedError';
  }
}

/**
 * The stream was closed for good by its tombstone: nothing more may be appended to it, and
 * readers other than operators are told it is gone.
 */
export class StreamClosedError extends EventSourcingError {
  readonly code = 'StreamClosed';
  constructor(
    readonly streamId: string,
    /** The tombstone's version: the stream's last. */
    readonly version: number,
  ) {
    super(`Stream '${streamId}' was closed for good at version ${version}`);
    this.name = 'StreamClosedError';
  }
}

import { describe, expect, it } from 'vitest';
import * as framework from '../../functions/eventsourcing';
import * as aws from '../../functions/eventsourcing/aws';
import * as cdk from '../../functions/eventsourcing/cdk';
import * as declaration from '../../functions/eventsourcing/declaration';
import * as globalLog from '../../functions/eventsourcing/global-log';
import * as hosts from '../../functions/eventsourcing/hosts';
import * as http from '../../functions/eventsourcing/http';
import * as integrity from '../../functions/eventsourcing/integrity';
import * as operator from '../../functions/eventsourcing/operator';
import * as personal from '../../functions/eventsourcing/personal';
import * as testing from '../../functions/eventsourcing/testing';

type ErrorClass = abstract new (...args: never[]) => Error;

/** Every entry of the package, as a team imports it. */
const entries = {
  framework,
  aws,
  cdk,
  declaration,
  globalLog,
  hosts,
  http,
  integrity,
  operator,
  personal,
  testing,
};

const exported = new Map<string, ErrorClass>(
  Object.values(entries).flatMap((entry) =>
    Object.entries(entry as Record<string, unknown>).filter(
      (pair): pair is [string, ErrorClass] =>
        typeof pair[1] === 'function' &&
        (pair[1] as { prototype: unknown }).prototype instanceof Error,
    ),
  ),
);

const event = {
  streamId: 'account-1',
  version: 2,
  eventId: '01J0000000000000000000000A',
  type: 'MoneyDeposited',
  schemaVersion: 1,
  data: {},
  metadata: {},
  recordedAt: '2026-01-01T00:00:00.000Z',
};

/** One instance of every error class the package exports, as the framework raises it. */
const examples: Record<string, () => framework.EventSourcingError> = {
  CommitUnconfirmedError: () => new framework.CommitUnconfirmedError({ cause: new Error('gone') }),
  ConcurrencyError: () => new framework.ConcurrencyError('account-1', 3, 4),
  CorruptEventError: () =>
    new framework.CorruptEventError('account-1', 2, 'id', 'MoneyDeposited', 'data', 'bad'),
  EventTooLargeError: () => new framework.EventTooLargeError('MoneyDeposited', 500_000, 400_000),
  InvalidEventError: () => new framework.InvalidEventError('no such type', 'type'),
  SubjectErasedError: () => new framework.SubjectErasedError('customer-1'),
  StreamClosedError: () => new framework.StreamClosedError('account-1', 7),
  StreamGapError: () => new framework.StreamGapError('account-1', 3, 5),
  TooManyEventsError: () => new framework.TooManyEventsError(101, 100),
  UnexpectedResponseError: () => new framework.UnexpectedResponseError('KMS', 'no signature'),
  UnsupportedOperationError: () => new framework.UnsupportedOperationError('not in memory'),
  UpcastError: () => new framework.UpcastError('no path from version 3'),
  WriteConditionFailedError: () => new framework.WriteConditionFailedError('idempotency', 0),
  ConfigurationError: () => new framework.ConfigurationError('TABLE_EVENTS is not set'),
  InvalidDeclarationError: () => new framework.InvalidDeclarationError(['a problem']),
  InvalidReadModelWriteError: () => new framework.InvalidReadModelWriteError('pk is empty'),
  ReactionFailedAt: () => new framework.ReactionFailedAt(event, new Error('failed')),
  InvalidSettingError: () => new cdk.InvalidSettingError('stage', 'stage must be lowercase'),
  DanglingLogReferenceError: () => new globalLog.DanglingLogReferenceError(7, 'account-1', 2),
  InvalidLogReadError: () => new globalLog.InvalidLogReadError('limit too large', 'limit'),
  SubscriptionStoppedError: () => new globalLog.SubscriptionStoppedError(12),
  SubscriptionWithoutParkingError: () => new globalLog.SubscriptionWithoutParkingError(),
  ProofError: () => new integrity.ProofError('format', 'hash: missing'),
  CheckpointOutOfOrderError: () => new integrity.CheckpointOutOfOrderError(4, 'out of order'),
  InvalidCheckpointError: () => new integrity.InvalidCheckpointError('no root', 'checkpoint.root'),
  InvalidPersonalDataError: () => new personal.InvalidPersonalDataError('no subject field'),
  RebuildConflictError: () => new operator.RebuildConflictError('summaries', 'switched over'),
  RebuildInterruptedError: () => new operator.RebuildInterruptedError(3),
  // The two whose code their thrower chooses: a business rule's, an HTTP answer's.
  DomainError: () => new framework.DomainError('InsufficientFunds', 'not enough'),
  HttpError: () => new http.HttpError(403, 'Forbidden', 'not yours'),
  ValidationError: () => new http.ValidationError([{ in: 'body', field: 'amount', message: 'x' }]),
};

/** Classes whose instances carry the code their thrower gives, not one of the class's own. */
const CODE_PER_INSTANCE = new Set(['DomainError', 'HttpError']);

const concrete = [...exported.keys()].filter((name) => name !== 'EventSourcingError');

describe('framework errors', () => {
  it('are exported', () => {
    expect(concrete).toContain('ConcurrencyError');
  });

  it('all extend EventSourcingError, so each has a stable code', () => {
    const outside = concrete.filter(
      (name) => !(exported.get(name)!.prototype instanceof framework.EventSourcingError),
    );
    expect(outside).toEqual([]);
  });

  it('each have an example here, so the checks below see every one of them', () => {
    expect(concrete.filter((name) => !(name in examples))).toEqual([]);
    expect(Object.keys(examples).filter((name) => !exported.has(name))).toEqual([]);
  });

  it('are named after their class, so logs say which one it was', () => {
    const misnamed = Object.entries(examples)
      .map(([name, make]) => [name, make()] as const)
      .filter(([name, error]) => error.name !== name || !(error instanceof exported.get(name)!));
    expect(misnamed.map(([name, error]) => `${name}: ${error.name}`)).toEqual([]);
  });

  it('have codes of their own: no two classes share one', () => {
    const owners = new Map<string, string[]>();
    for (const [name, make] of Object.entries(examples)) {
      if (CODE_PER_INSTANCE.has(name)) continue;
      const { code } = make();
      expect(code, name).toMatch(/^[A-Z][A-Za-z]+$/);
      owners.set(code, [...(owners.get(code) ?? []), name]);
    }
    const shared = [...owners].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
  });

  it('keep a class code the same on every instance', () => {
    for (const [name, make] of Object.entries(examples)) {
      if (CODE_PER_INSTANCE.has(name)) continue;
      expect(make().code, name).toBe(make().code);
    }
  });
});

import path from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  prefixedTableNames,
  tableEnvironment,
  tableNameEnvVar,
} from '../../functions/eventsourcing/declaration';
import { tables as declaredTables, type TableKey } from '../../functions/system';
import { tableOutputId } from '../../functions/eventsourcing/declaration';
import {
  LOCAL_PERSONAL_DATA_KEY_PREFIX,
  PERSONAL_DATA_KEY_VARIABLE,
} from '../../functions/eventsourcing/personal';
import { LOCAL_SIGNING_DIR, localHistoryTarget, type HistoryTarget } from './history-target';

/** The tables a command works on, and where DynamoDB is for them. */
export interface Target {
  /** `local` (DynamoDB Local), `env` (TABLE_* variables) or the deployed stack's name. */
  readonly description: string;
  readonly tables: Record<TableKey, string>;
  /** DynamoDB Local's address; AWS's own endpoint when absent. */
  readonly endpoint?: string;
  /** Where its checkpoints are and which key signs them, when the stack has them. */
  readonly history?: HistoryTarget;
  /** Where its stream hosts' on-failure records are, when it has stream hosts. */
  readonly failureRecords?: FailureRecordsTarget;
}

/** The local stack's directory of on-failure records, or a deployed stack's bucket. */
export type FailureRecordsTarget = { readonly directory: string } | { readonly bucket: string };

/** Where `npm start` keeps on-failure records: beside DynamoDB Local's data. */
const localFailureRecords = (env: NodeJS.ProcessEnv): FailureRecordsTarget => ({
  directory: path.resolve(env.LOCAL_DATA_DIR ?? '.data/dynamodb', '..', 'stream-failures'),
});

/** A failure an operator can act on: its message says what to do. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

const tableKeys = Object.keys(declaredTables) as TableKey[];

/** Table names from a stack's outputs; fails naming the outputs it lacks. */
export function tablesFromOutputs(
  stackName: string,
  outputs: Readonly<Record<string, string>>,
): Record<TableKey, string> {
  const missing = tableKeys.filter((key) => !outputs[tableOutputId(key)]);
  if (missing.length > 0) {
    throw new TargetError(
      `Stack ${stackName} has no output ${missing.map(tableOutputId).join(', ')}: is it a stack ` +
        'of this app, deployed from this version (npx cdk deploy)?',
    );
  }
  return Object.fromEntries(tableKeys.map((key) => [key, outputs[tableOutputId(key)]!])) as Record<
    TableKey,
    string
  >;
}

/** The local stack's tables (`npm start`), or those the TABLE_* variables name. */
export function localTarget(env: NodeJS.ProcessEnv = process.env): Target {
  if (env[tableNameEnvVar('events')]) {
    const tables = Object.fromEntries(
      tableKeys.map((key) => [key, env[tableNameEnvVar(key)] ?? ''] as const),
    ) as Record<TableKey, string>;
    return {
      description: 'the tables of the TABLE_* variables',
      tables,
      ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
      history: localHistoryTarget(env),
      failureRecords: localFailureRecords(env),
    };
  }
  return {
    description: 'the local stack',
    tables: prefixedTableNames(declaredTables, 'local-'),
    endpoint: env.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${env.DYNAMODB_PORT ?? '8000'}`,
    history: localHistoryTarget(env),
    failureRecords: localFailureRecords(env),
  };
}

/** Sets the target in this process's environment, where the stream hosts look for tables. */
export function applyTarget(target: Target, env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, tableEnvironment(target.tables));
  if (target.endpoint) {
    env.DYNAMODB_ENDPOINT = target.endpoint;
    env.AWS_REGION ??= 'local';
    // DynamoDB Local takes any key, but the SDK wants one.
    env.AWS_ACCESS_KEY_ID ??= 'local';
    env.AWS_SECRET_ACCESS_KEY ??= 'local';
    // The local stack's master key of subjects' data keys, beside its signing key.
    env[PERSONAL_DATA_KEY_VARIABLE] ??=
      `${LOCAL_PERSONAL_DATA_KEY_PREFIX}${path.resolve(LOCAL_SIGNING_DIR)}`;
  } else {
    delete env.DYNAMODB_ENDPOINT;
  }
}

const REFUSED = /ECONNREFUSED|connect|socket hang up|fetch failed/i;

/** Fails with what to do when the target's events table cannot be reached. */
export async function checkReachable(client: DynamoDBClient, target: Target): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: target.tables.events }));
  } catch (error) {
    throw new TargetError(unreachableMessage(error as Error, target));
  }
}

function unreachableMessage(error: Error, target: Target): string {
  const local = target.endpoint !== undefined;
  if (local && (REFUSED.test(error.message) || REFUSED.test(error.name))) {
    return (
      `The local stack is not running (nothing answers at ${target.endpoint}): run npm start, ` +
      'or set DYNAMODB_PORT to the port of the DynamoDB Local it started.'
    );
  }
  if (error.name === 'ResourceNotFoundException') {
    return local
      ? `DynamoDB Local at ${target.endpoint} has no table ${target.tables.events}: start the stack with npm start.`
      : `Table ${target.tables.events} of ${target.description} does not exist in this region (AWS_REGION).`;
  }
  if (error.name === 'AccessDeniedException' || error.name === 'UnrecognizedClientException') {
    return (
      `Your AWS credentials may not read ${target.tables.events} (${error.message}): see ` +
      "the README's operator permissions."
    );
  }
  if (error.name === 'CredentialsProviderError') {
    return `No AWS credentials found: run aws sso login, or set AWS_PROFILE (${error.message}).`;
  }
  return `Cannot reach ${target.description}: ${error.message}`;
}

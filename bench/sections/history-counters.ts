import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CheckpointSigner } from '../../functions/eventsourcing/integrity';
import { countRequests, type CountedRequest } from '../request-counter';
import { spread, type Spread } from '../stats';

/** What one sealing or verification run asked of DynamoDB, S3 and the signing key. */
export interface ServiceCalls {
  readonly dynamoDb: {
    readonly reads: number;
    readonly readUnits: number;
    readonly writes: number;
    readonly writeUnits: number;
  };
  readonly s3: { readonly put: number; readonly get: number; readonly list: number };
  /** `Sign` calls (KMS in AWS, the local key file here). */
  readonly signs: number;
}

/** The same, summarised over runs. */
export type ServiceCallSpreads = {
  readonly [Service in keyof ServiceCalls]: ServiceCalls[Service] extends number
    ? Spread
    : { readonly [Field in keyof ServiceCalls[Service]]: Spread };
};

/** Counts `Sign` calls and hands them on. */
export class CountingSigner implements CheckpointSigner {
  readonly keyId: string;
  signs = 0;

  constructor(private readonly inner: CheckpointSigner) {
    this.keyId = inner.keyId;
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    this.signs++;
    return this.inner.sign(message);
  }

  publicKeyPem(): Promise<string> {
    return this.inner.publicKeyPem();
  }
}

const S3_KINDS: Record<string, keyof ServiceCalls['s3']> = {
  PutObjectCommand: 'put',
  GetObjectCommand: 'get',
  ListObjectsV2Command: 'list',
};

/** Records the commands an S3 client sends until `stop()`. */
export function countS3(s3: S3Client) {
  const name = `history-s3-counter-${Math.random()}`;
  const commands: string[] = [];
  s3.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { commands, stop: () => s3.middlewareStack.remove(name) };
}

/** The S3 commands sent, by kind. */
export function s3Calls(commands: readonly string[]): ServiceCalls['s3'] {
  const calls = { put: 0, get: 0, list: 0 };
  for (const command of commands) {
    const kind = S3_KINDS[command];
    if (kind === undefined) throw new Error(`Unexpected S3 command ${command}`);
    calls[kind]++;
  }
  return calls;
}

/**
 * Capacity of one request: the larger of what DynamoDB Local reported and what DynamoDB's
 * published rules give from the items the request wrote or returned. DynamoDB Local reports
 * one unit per item of a transaction, where DynamoDB charges two; the rules see only the items
 * returned, where DynamoDB charges every byte a Query or Scan read (whole pages of the log past
 * the positions wanted, whole items behind a projection).
 */
const capacityOf = (request: CountedRequest) =>
  Math.max(request.reportedCapacity ?? 0, request.capacityByRules);

function dynamoDbCalls(requests: readonly CountedRequest[]): ServiceCalls['dynamoDb'] {
  const of = (kind: CountedRequest['kind']) => requests.filter((r) => r.kind === kind);
  const units = (list: readonly CountedRequest[]) =>
    list.reduce((sum, request) => sum + capacityOf(request), 0);
  return {
    reads: of('read').length,
    readUnits: units(of('read')),
    writes: of('write').length,
    writeUnits: units(of('write')),
  };
}

/** Runs `work` alone, counting every call it makes to DynamoDB, S3 and the signer. */
export async function countServiceCalls<T>(
  clients: {
    readonly dynamoDb: DynamoDBClient;
    readonly s3: S3Client;
    readonly signer: CountingSigner;
  },
  work: () => Promise<T>,
): Promise<{ result: T; calls: ServiceCalls }> {
  const dynamoDb = countRequests(clients.dynamoDb, { returnConsumedCapacity: true });
  const s3 = countS3(clients.s3);
  const signsBefore = clients.signer.signs;
  try {
    const result = await work();
    return {
      result,
      calls: {
        dynamoDb: dynamoDbCalls(dynamoDb.requests),
        s3: s3Calls(s3.commands),
        signs: clients.signer.signs - signsBefore,
      },
    };
  } finally {
    dynamoDb.stop();
    s3.stop();
  }
}

/** Each count summarised over runs. */
export function spreadCalls(runs: readonly ServiceCalls[]): ServiceCallSpreads {
  const of = (pick: (calls: ServiceCalls) => number) => spread(runs.map(pick));
  return {
    dynamoDb: {
      reads: of((c) => c.dynamoDb.reads),
      readUnits: of((c) => c.dynamoDb.readUnits),
      writes: of((c) => c.dynamoDb.writes),
      writeUnits: of((c) => c.dynamoDb.writeUnits),
    },
    s3: { put: of((c) => c.s3.put), get: of((c) => c.s3.get), list: of((c) => c.s3.list) },
    signs: of((c) => c.signs),
  };
}

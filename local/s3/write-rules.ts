import { S3Refusal, accessDenied, notImplemented } from './errors';

/** What a request does, as far as write-once buckets and conditional writes care. */
export type Operation =
  | { readonly kind: 'createBucket' | 'getObjectLock' | 'putObjectLock'; readonly bucket: string }
  | {
      /**
       * `create`: a put, copy or completed multipart upload, which If-None-Match may guard;
       * `multipartStep`: starting an upload or adding a part, which S3 authorizes as PutObject
       * too; `delete`: DeleteObject, or DeleteObjects (`POST ?delete`, without a key);
       * `lockSetting`: an object's retention or legal hold.
       */
      readonly kind: 'create' | 'multipartStep' | 'delete' | 'lockSetting';
      readonly bucket: string;
      readonly key: string;
    }
  | { readonly kind: 'other' };

const OBJECT_LOCK_SETTINGS = ['retention', 'legal-hold'];

/** Bucket-level requests this server answers itself, or the delete of many objects. */
function bucketOperation(method: string, bucket: string, query: URLSearchParams): Operation {
  if (method === 'PUT' && [...query.keys()].length === 0) return { kind: 'createBucket', bucket };
  if (query.has('object-lock')) {
    if (method === 'GET') return { kind: 'getObjectLock', bucket };
    if (method === 'PUT') return { kind: 'putObjectLock', bucket };
  }
  if (method === 'POST' && query.has('delete')) return { kind: 'delete', bucket, key: '' };
  return { kind: 'other' };
}

type ObjectKind = Exclude<Operation['kind'], 'createBucket' | 'getObjectLock' | 'putObjectLock'>;

function postKind(query: URLSearchParams): ObjectKind {
  if (query.has('uploads')) return 'multipartStep';
  return query.has('uploadId') ? 'create' : 'other';
}

function putKind(query: URLSearchParams): ObjectKind {
  if (query.has('tagging') || query.has('acl')) return 'other';
  return query.has('uploadId') ? 'multipartStep' : 'create';
}

function objectKind(method: string, query: URLSearchParams): ObjectKind {
  if (OBJECT_LOCK_SETTINGS.some((name) => query.has(name))) return 'lockSetting';
  if (method === 'DELETE') return query.has('uploadId') ? 'other' : 'delete';
  if (method === 'POST') return postKind(query);
  return method === 'PUT' ? putKind(query) : 'other';
}

/** The operation of a path-style request (`/<bucket>/<key>?<query>`). */
export function operationOf(method: string, url: URL): Operation {
  const [, bucket = '', ...keyParts] = url.pathname.split('/');
  if (bucket === '') return { kind: 'other' };
  const key = decodeURIComponent(keyParts.join('/'));
  if (keyParts.length === 0 || key === '') {
    return bucketOperation(method, decodeURIComponent(bucket), url.searchParams);
  }
  const kind = objectKind(method, url.searchParams);
  return kind === 'other' ? { kind } : { kind, bucket: decodeURIComponent(bucket), key };
}

export interface WriteContext {
  readonly operation: Operation;
  /** Whether the bucket was created with Object Lock (a declared write-once bucket). */
  readonly locked: boolean;
  readonly ifNoneMatch: string | undefined;
  /** Whether the operation's object exists, asked only when a condition needs it. */
  readonly exists: () => Promise<boolean>;
}

/** Requests S3 authorizes as PutObject. */
const CREATIONS: readonly Operation['kind'][] = ['create', 'multipartStep'];

/** What the write-once bucket policy denies: changes to locks, deletes, unconditional puts. */
const deniedByWriteOncePolicy = (operation: Operation, unconditionalPut: boolean) =>
  unconditionalPut || ['delete', 'lockSetting', 'putObjectLock'].includes(operation.kind);

const preconditionFailed = () =>
  new S3Refusal(
    'PreconditionFailed',
    412,
    'At least one of the pre-conditions you specified did not hold',
    {
      Condition: 'If-None-Match',
    },
  );

/**
 * Why S3 would refuse this write, if it would. On every bucket `If-None-Match: *` makes a put
 * a conditional create (412 when the key exists). A write-once bucket in AWS carries Object Lock
 * and a bucket policy denying deletes, changes to retention and lock settings, and every put
 * that is not a conditional create: those answer 403 `AccessDenied` here as there (multipart
 * uploads included, since starting one or adding a part carries no If-None-Match). Where S3
 * answers DeleteObjects with an error per key, this refuses the whole request.
 */
export async function writeRefusal(context: WriteContext): Promise<S3Refusal | undefined> {
  const { operation, ifNoneMatch } = context;
  const conditional = ifNoneMatch === '*';
  const creating = CREATIONS.includes(operation.kind);
  if (creating && ifNoneMatch !== undefined && !conditional) {
    return notImplemented('A header you provided implies functionality that is not implemented');
  }
  if (context.locked && deniedByWriteOncePolicy(operation, creating && !conditional)) {
    return accessDenied();
  }
  if (operation.kind === 'create' && conditional && (await context.exists())) {
    return preconditionFailed();
  }
  return undefined;
}

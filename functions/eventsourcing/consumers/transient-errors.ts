import { cancellationReasons } from '../conditional-writes.js';

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
  'TimeoutError',
]);
const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/**
 * Whether an error says "try again later" (throttling, a conflicting transaction, the database
 * unreachable) rather than "this event cannot be projected". Only the latter counts towards
 * parking a stream.
 */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & {
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  if (details.$retryable) return true;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  if ((details.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (details.code && TRANSIENT_NETWORK_CODES.has(details.code)) return true;
  return cancellationReasons(error).some((code) => TRANSIENT_CANCELLATION_CODES.has(code));
}

import { Tracer } from '@aws-lambda-powertools/tracer';
import { isTraceId } from './event-validation.js';
import type { EventMetadata } from './types.js';

/**
 * The functions' X-Ray tracer. Powertools turns it on only inside Lambda (`AWS_EXECUTION_ENV`)
 * and unless `POWERTOOLS_TRACE_ENABLED` is `false`: locally, in tests and in the CLI every call
 * below does nothing.
 */
export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'eventsourcing',
});

/** The X-Ray trace the running invocation belongs to, when it is traced. */
export function currentTraceId(): string | undefined {
  if (!tracer.isTracingEnabled()) return undefined;
  const id = tracer.getRootXrayTraceId();
  return isTraceId(id) ? id : undefined;
}

/**
 * Append-time metadata with the running invocation's trace id added, when it is traced and
 * the caller gave none.
 */
export function withTraceId(metadata: EventMetadata | undefined): EventMetadata | undefined {
  const traceId = currentTraceId();
  return traceId === undefined ? metadata : { traceId, ...metadata };
}

/** An AWS SDK client whose calls appear in the trace as subsegments. */
export const traceClient = <Client extends object>(client: Client): Client =>
  tracer.captureAWSv3Client(client);

export type TraceAnnotations = Readonly<Record<string, string | number | undefined>>;

/**
 * Runs `work` in a subsegment of its own, annotated (annotations are indexed: a search by
 * `annotation.correlationId` finds every segment of one request). Concurrent work gets
 * concurrent subsegments: each runs in its own trace context.
 */
export function traced<T>(
  name: string,
  annotations: TraceAnnotations,
  work: () => Promise<T>,
): Promise<T> {
  if (!tracer.isTracingEnabled()) return work();
  return new Promise<T>((resolve, reject) => {
    tracer.provider.captureAsyncFunc(name, (subsegment) => {
      for (const [key, value] of Object.entries(annotations)) {
        if (value !== undefined) subsegment?.addAnnotation(key, value);
      }
      work().then(
        (value) => {
          subsegment?.close();
          resolve(value);
        },
        (error: Error) => {
          subsegment?.close(error);
          reject(error);
        },
      );
    });
  });
}

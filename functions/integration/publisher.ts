import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { createMetrics } from '../eventsourcing/metrics';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  Upcasters,
  compareSequenceNumbers,
  eventsByStream,
  type StreamedEvent,
} from '../eventsourcing';
import { logger } from '../eventsourcing/logger';
import type { IntegrationEvent } from './contract';
import { toIntegrationEvent } from './mapping';
import {
  EntryTooLargeError,
  MAX_CALL_BYTES,
  PutEventsFailedError,
  entryBytes,
  putEventsReliably,
  type PutEventsRetry,
} from './put-events';

export interface IntegrationEventPublisherOptions {
  readonly client: EventBridgeClient;
  readonly eventBusName: string;
  /** Attempts at the entries EventBridge refuses, within one invocation. */
  readonly retry?: PutEventsRetry;
  /** Defaults to Powertools Metrics (EMF) named after the function. */
  readonly metrics?: Metrics;
}

/** A Lambda handler for the events table's stream, with partial batch responses. */
export type IntegrationEventPublisher = (
  event: DynamoDBStreamEvent,
) => Promise<DynamoDBBatchResponse>;

/** The PutEvents entry of an integration event. */
export function toPutEventsEntry(
  event: IntegrationEvent,
  eventBusName: string,
): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.detail.occurredAt),
  };
}

interface Outgoing {
  readonly entry: PutEventsRequestEntry;
  readonly from: StreamedEvent;
}

/** A domain event that did not reach the bus in this invocation, and why. */
interface NotPublished {
  readonly from: StreamedEvent;
  readonly code: string;
  readonly reason: string;
}

/** Upcasting happens per domain in the mapping, with each domain's own upcasters. */
const asStored = new Upcasters();

/**
 * The integration-event publisher: maps every domain event of a stream batch to its public
 * integration event and sends them all with PutEvents, retrying refused entries. Delivery is at
 * least once: an entry is sent again only with its source event's id, so consumers deduplicate.
 *
 * What still did not reach the bus is reported from its lowest sequence number, so the event
 * source mapping delivers it (and the records after it) again. An event that can never be
 * published (unknown type, data outside its schema, an entry over EventBridge's size limit) is
 * logged with its reason and reported too: after the mapping's retries its batch goes to the
 * on-failure destination and the stream moves on, so it neither blocks the stream forever nor
 * disappears unnoticed.
 */
export function createIntegrationEventPublisher(
  options: IntegrationEventPublisherOptions,
): IntegrationEventPublisher {
  const metrics = options.metrics ?? createMetrics('integrationEventsPublisher');
  return async (event) => {
    const events = [...eventsByStream(event.Records, asStored).values()]
      .flat()
      .sort((a, b) => compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber));
    const { outgoing, unpublishable } = prepare(events, options.eventBusName);
    const refused = await publish(options, outgoing);
    report(metrics, { sent: outgoing.length, refused, unpublishable });
    const retryFrom = [...unpublishable, ...refused]
      .map(({ from }) => from.sequenceNumber)
      .sort(compareSequenceNumbers)[0];
    return { batchItemFailures: retryFrom ? [{ itemIdentifier: retryFrom }] : [] };
  };
}

function prepare(
  events: readonly StreamedEvent[],
  eventBusName: string,
): { outgoing: Outgoing[]; unpublishable: NotPublished[] } {
  const outgoing: Outgoing[] = [];
  const unpublishable: NotPublished[] = [];
  for (const from of events) {
    try {
      const entry = toPutEventsEntry(toIntegrationEvent(from.event), eventBusName);
      const size = entryBytes(entry);
      if (size > MAX_CALL_BYTES) throw new EntryTooLargeError(entry, size);
      outgoing.push({ entry, from });
    } catch (error) {
      const { code, message } = error as Error & { code?: unknown };
      unpublishable.push({
        from,
        code: typeof code === 'string' ? code : (error as Error).name,
        reason: message,
      });
    }
  }
  return { outgoing, unpublishable };
}

/** Sends the entries; returns those EventBridge still refused after the retries. */
async function publish(
  options: IntegrationEventPublisherOptions,
  outgoing: readonly Outgoing[],
): Promise<NotPublished[]> {
  try {
    await putEventsReliably(
      options.client,
      outgoing.map(({ entry }) => entry),
      options.retry,
    );
    return [];
  } catch (error) {
    if (!(error instanceof PutEventsFailedError)) throw error;
    const sources = new Map(outgoing.map(({ entry, from }) => [entry, from]));
    return error.failed.map(({ entry, errorCode, errorMessage }) => ({
      from: sources.get(entry)!,
      code: errorCode,
      reason: errorMessage,
    }));
  }
}

const described = ({ from, code, reason }: NotPublished) => ({
  eventId: from.event.eventId,
  streamId: from.event.streamId,
  version: from.event.version,
  type: from.event.type,
  sequenceNumber: from.sequenceNumber,
  code,
  reason,
});

function report(
  metrics: Metrics,
  outcome: { sent: number; refused: NotPublished[]; unpublishable: NotPublished[] },
): void {
  for (const failure of outcome.unpublishable) {
    logger.error(
      'Domain event cannot be published as an integration event; its record is reported as ' +
        'failed and reaches the on-failure destination once its retries are spent',
      described(failure),
    );
  }
  if (outcome.refused.length > 0) {
    logger.warn('EventBridge refused integration events; their records will be delivered again', {
      refused: outcome.refused.map(described),
    });
  }
  metrics.addMetric(
    'IntegrationEventsPublished',
    MetricUnit.Count,
    outcome.sent - outcome.refused.length,
  );
  metrics.addMetric('IntegrationEventsRefused', MetricUnit.Count, outcome.refused.length);
  metrics.addMetric(
    'IntegrationEventsUnpublishable',
    MetricUnit.Count,
    outcome.unpublishable.length,
  );
  metrics.publishStoredMetrics();
}

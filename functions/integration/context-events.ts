import type { RecordedEvent } from '../eventsourcing';
import {
  detailSchema,
  integrationSources,
  type DetailTypeOf,
  type IntegrationData,
  type IntegrationEvent,
  type IntegrationSourceKey,
} from './contract';

/** Builds the integration events of one source, whose aggregate id is `idField`. */
export function eventsFrom<Source extends IntegrationSourceKey>(
  source: Source,
  idField: string,
  idOf: (streamId: string) => string,
) {
  return <Type extends DetailTypeOf<Source>>(
    event: RecordedEvent,
    detailType: Type,
    data: IntegrationData<Source, Type>,
  ): IntegrationEvent => {
    const detail: unknown = {
      id: event.eventId,
      schemaVersion: 1,
      occurredAt: event.recordedAt,
      sequence: event.version,
      ...(typeof event.metadata.correlationId === 'string'
        ? { correlationId: event.metadata.correlationId }
        : {}),
      [idField]: idOf(event.streamId),
      data,
    };
    // The types already hold every field; parsing also refuses what they cannot see (an extra
    // field spread in, an empty id), so nothing outside the contract is ever published.
    return {
      source: integrationSources[source],
      detailType,
      detail: detailSchema(source, detailType).parse(detail),
    } as IntegrationEvent;
  };
}

/** Sets `transferId` when the event was part of a transfer. */
export const withTransfer = (transferId: string | undefined) => (transferId ? { transferId } : {});

import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { once } from '../http/once';
import { EVENT_BUS_NAME_VARIABLE } from '../system';
import { createEventBridgeClient } from './eventbridge-client';
import { createIntegrationEventPublisher } from './publisher';

const publisher = once(() => {
  const eventBusName = process.env[EVENT_BUS_NAME_VARIABLE];
  if (!eventBusName) {
    throw new Error(`Environment variable ${EVENT_BUS_NAME_VARIABLE} (the event bus) is not set`);
  }
  return createIntegrationEventPublisher({ client: createEventBridgeClient(), eventBusName });
});

/** Stream consumer `integrationEventsPublisher` (see `functions/system.ts`). */
export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  publisher()(event);

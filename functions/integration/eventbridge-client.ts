import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { localEndpointConfig, traceClient } from '../eventsourcing/aws';

/**
 * An EventBridge client for Lambda or for the local stack. `EVENTBRIDGE_ENDPOINT` points it at
 * the local event bus; in Lambda it is unset and the SDK uses the function's region and role.
 */
export function createEventBridgeClient(
  overrides: EventBridgeClientConfig = {},
): EventBridgeClient {
  const endpoint = (overrides.endpoint as string | undefined) ?? process.env.EVENTBRIDGE_ENDPOINT;
  return traceClient(new EventBridgeClient({ ...localEndpointConfig(endpoint), ...overrides }));
}

import { SchedulerClient, type SchedulerClientConfig } from '@aws-sdk/client-scheduler';
import { localEndpointConfig } from '../local-endpoint.js';
import { traceClient } from '../tracing.js';

/**
 * An EventBridge Scheduler client for Lambda, or for a stand-in at `SCHEDULER_ENDPOINT`; in
 * Lambda it is unset and the SDK uses the function's region and role. Its calls are traced.
 */
export function createSchedulerClient(overrides: SchedulerClientConfig = {}): SchedulerClient {
  const endpoint = (overrides.endpoint as string | undefined) ?? process.env.SCHEDULER_ENDPOINT;
  return traceClient(new SchedulerClient({ ...localEndpointConfig(endpoint), ...overrides }));
}

import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Powertools Metrics (CloudWatch embedded metric format) for a framework or domain function. In
 * Lambda the namespace and service come from the environment the CDK app sets
 * (`POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_SERVICE_NAME`); elsewhere the defaults apply.
 */
export function createMetrics(
  defaultService: string,
  defaultDimensions?: Record<string, string>,
): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'EventSourcing',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || defaultService,
    ...(defaultDimensions ? { defaultDimensions } : {}),
  });
}

import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logger shared by the framework and the functions. Its service is the
 * function's, from `POWERTOOLS_SERVICE_NAME` (the CDK app sets it per function); outside a
 * function it is `eventsourcing`.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'eventsourcing',
});

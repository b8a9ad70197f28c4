import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logger shared by the framework (service name from POWERTOOLS_SERVICE_NAME). */
export const logger = new Logger({ serviceName: 'eventsourcing' });

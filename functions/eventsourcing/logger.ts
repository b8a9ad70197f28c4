import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import { currentLogKeys } from './log-context.js';

/** A Logger whose lines carry the keys of the work running now (`withLogKeys`). */
class ContextLogger extends Logger {
  protected override createAndPopulateLogItem(
    logLevel: number,
    input: LogItemMessage,
    extraInput: LogItemExtraInput,
  ) {
    const keys = currentLogKeys();
    // The line's own attributes come after the context's, so they win.
    const extra = keys ? ([keys, ...extraInput] as LogItemExtraInput) : extraInput;
    return super.createAndPopulateLogItem(logLevel, input, extra);
  }
}

/**
 * Structured JSON logger shared by the framework and the functions. Its service is the
 * function's, from `POWERTOOLS_SERVICE_NAME` (the CDK app sets it per function); outside a
 * function it is `eventsourcing`.
 */
export const logger: Logger = new ContextLogger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'eventsourcing',
});

import { processTimerHandler, processesOf } from './eventsourcing/process-manager';
import { streamHosts } from './system';

/**
 * The timer target (see `functions/system.ts`): EventBridge Scheduler delivers every process
 * manager's timers here, each to its instance.
 */
export const handler = processTimerHandler(processesOf(streamHosts.reactions.consumers));

import type { ConsumerDeclaration } from '../declaration/stream-hosts.js';
import type { TableGrants } from '../declaration/tables.js';
import { createDynamoDbClient } from '../dynamodb-client.js';
import { once } from '../http/once.js';
import { storageFromEnv } from '../storage.js';
import * as z from 'zod';
import { createTimerHandler, timerSchedulerFromEnv } from '../timers/index.js';
import type { RecordedEvent } from '../types.js';
import type { ProcessManager } from './definition.js';
import { isProcessDeclaration, type ProcessDeclaration } from './grants.js';
import { processReaction } from './reaction.js';
import { ProcessManagerRuntime } from './runtime.js';

/** The runtime of a process in a Lambda function, from its environment. */
export const processRuntimeFromEnv = <Event extends RecordedEvent, State>(
  process: ProcessManager<Event, State>,
  tables: TableGrants,
) =>
  new ProcessManagerRuntime(process, {
    storage: storageFromEnv(createDynamoDbClient(), { snapshots: tables.snapshots !== undefined }),
    timers: timerSchedulerFromEnv(),
  });

/**
 * Declares a process manager for a context's `reactions`, under its name: the reactions host
 * runs it, the timer target delivers its timers, and the declaration check holds its commands
 * to the tables `tables` grants (`append` on each target's table, the events table for its own
 * streams).
 */
export function processDeclaration<Event extends RecordedEvent, State>(
  process: ProcessManager<Event, State>,
  grants: { readonly tables: TableGrants },
): ProcessDeclaration {
  return {
    description: process.description,
    kind: 'reaction',
    tables: grants.tables,
    timers: 'schedule',
    process,
    create: () =>
      processReaction(
        process,
        once(() => processRuntimeFromEnv(process, grants.tables)),
      ),
  };
}

/** The process managers among consumers: what the timer target delivers timers to. */
export const processesOf = (
  consumers: Readonly<Record<string, ConsumerDeclaration>>,
): ProcessDeclaration[] => Object.values(consumers).filter(isProcessDeclaration);

const timerDelivery = z.object({
  process: z.string().min(1),
  instanceId: z.string().min(1),
  timer: z.string().min(1),
  timerId: z.string().min(1),
  at: z.iso.datetime(),
});

/**
 * The timer target's handler: hands each timer a schedule delivers to its process as the input
 * `TimerFired`. What fails (an unknown process, a malformed delivery, the database) throws, so
 * the scheduler retries it and, in the end, dead-letters it with the reason.
 */
export function processTimerHandler(processes: readonly ProcessDeclaration[]) {
  const runtimes = new Map(
    processes.map((declaration) => [
      declaration.process.name,
      once(() => processRuntimeFromEnv(declaration.process, declaration.tables)),
    ]),
  );
  return createTimerHandler(async (input) => {
    const delivery = timerDelivery.parse(input);
    const runtime = runtimes.get(delivery.process)?.();
    if (!runtime) throw new Error(`No process manager is named ${delivery.process}`);
    await runtime.receive(delivery.instanceId, runtime.timerInput(delivery));
  });
}

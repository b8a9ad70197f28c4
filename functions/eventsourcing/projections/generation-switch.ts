import { EventSourcingError } from '../errors.js';
import {
  BatchWriteCommand,
  DeleteCommand,
  ScanCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { saveGenerations, type GenerationState } from './generations.js';
import type { ProjectionRuntime } from './projection-runtime.js';
import { appliedPrefix, controlKey, generationPrefix } from './read-model-keys.js';

const BATCH_WRITE_LIMIT = 25;

/** Another rebuild of the same projection started or switched over meanwhile; run it again. */
export class RebuildConflictError extends EventSourcingError {
  readonly code = 'RebuildConflict';
  constructor(
    readonly projection: string,
    reason: string,
  ) {
    super(`The rebuild of ${projection} lost to another one (${reason}); run it again`);
    this.name = 'RebuildConflictError';
  }
}

/**
 * Makes the rebuilt `generation` the active one and retires the one it replaces, in one
 * conditional write of the generations item; then drops the rebuild record. Returns the
 * generation replaced.
 */
export async function switchOver(
  runtime: ProjectionRuntime,
  generation: number,
  registered: GenerationState,
): Promise<number> {
  let state = registered;
  for (;;) {
    if (state.building !== generation) {
      throw new RebuildConflictError(
        runtime.name,
        `generation ${generation} is no longer being built`,
      );
    }
    const saved = await saveGenerations(runtime.generationsItem, state, {
      active: generation,
      retired: [...state.retired, state.active],
      latest: state.latest,
    });
    if (saved) break;
    state = await runtime.generations();
  }
  await runtime.doc.send(
    new DeleteCommand({
      TableName: runtime.options.tables.readModel,
      Key: controlKey(runtime.name, 'rebuild'),
    }),
  );
  return state.active;
}

/** Deletes the items and bookkeeping of generations replaced by a switch-over. */
export async function removeRetiredGenerations(runtime: ProjectionRuntime): Promise<number> {
  let state = await runtime.generations();
  let removed = 0;
  for (const generation of state.retired) {
    removed += await deleteGenerationItems(runtime, generation);
    state = await forgetRetired(runtime, state, generation);
  }
  return removed;
}

/** Deletes the read-model items and applied versions of one generation; returns how many. */
async function deleteGenerationItems(
  runtime: ProjectionRuntime,
  generation: number,
): Promise<number> {
  let removed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await runtime.doc.send(
      new ScanCommand({
        TableName: runtime.options.tables.readModel,
        ProjectionExpression: 'pk, sk',
        FilterExpression: 'begins_with(pk, :items) OR begins_with(pk, :applied)',
        ExpressionAttributeValues: {
          ':items': generationPrefix(runtime.name, generation),
          ':applied': appliedPrefix(runtime.name, generation),
        },
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = page.Items ?? [];
    for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
      await deleteBatch(runtime, keys.slice(start, start + BATCH_WRITE_LIMIT));
    }
    removed += keys.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return removed;
}

/** Deletes up to 25 items in one batch, sending again what DynamoDB left unprocessed. */
async function deleteBatch(
  runtime: ProjectionRuntime,
  keys: readonly Record<string, unknown>[],
): Promise<void> {
  let requests: BatchWriteCommandInput['RequestItems'] = {
    [runtime.options.tables.readModel]: keys.map((key) => ({ DeleteRequest: { Key: key } })),
  };
  while (requests && Object.keys(requests).length > 0) {
    const result: BatchWriteCommandOutput = await runtime.doc.send(
      new BatchWriteCommand({ RequestItems: requests }),
    );
    requests = result.UnprocessedItems;
  }
}

/** Takes a removed generation off the retired list, whatever else changed meanwhile. */
async function forgetRetired(
  runtime: ProjectionRuntime,
  current: GenerationState,
  generation: number,
): Promise<GenerationState> {
  let state = current;
  for (;;) {
    const saved = await saveGenerations(runtime.generationsItem, state, {
      ...state,
      retired: state.retired.filter((retired) => retired !== generation),
    });
    if (saved) return saved;
    state = await runtime.generations();
  }
}

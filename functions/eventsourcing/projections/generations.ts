import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { controlKey } from './read-model-keys.js';
import { isConditionalCheckFailed } from '../conditional-writes.js';

/**
 * Which copies ("generations") of a projection's read model exist, kept in one control item of
 * the read-model table.
 *
 * - `active`: the generation queries read and stream consumers keep current.
 * - `building`: the generation a rebuild is filling. Stream consumers write it too, filling any
 *   gap from the events table, so it misses nothing that arrives while the rebuild scans.
 * - `retired`: generations replaced by a switch-over whose items are still to be removed.
 *
 * A switch-over is one conditional write of this item, so it works the same in AWS (one
 * table, no resources to create at run time) and locally.
 */
export interface GenerationState {
  readonly active: number;
  readonly building?: number;
  readonly retired: readonly number[];
  /** Highest generation ever allocated; a new rebuild takes the next one. */
  readonly latest: number;
  /** Bumped on every change; writes are conditional on it. */
  readonly revision: number;
}

export const INITIAL_GENERATIONS: GenerationState = {
  active: 1,
  retired: [],
  latest: 1,
  revision: 0,
};

/** Generations that stream consumers must write, live one first. */
export function writtenGenerations(state: GenerationState): number[] {
  return state.building === undefined ? [state.active] : [state.active, state.building];
}

/** Where a projection's generations item lives: its read-model table. */
export interface GenerationsItem {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly projection: string;
}

export async function readGenerations(
  { doc, tableName, projection }: GenerationsItem,
  consistent = true,
): Promise<GenerationState> {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: tableName,
      Key: controlKey(projection, 'generations'),
      ConsistentRead: consistent,
    }),
  );
  return generationsOf(Item);
}

/** The state the generations item holds; the initial one when there is no item yet. */
export function generationsOf(item: Record<string, unknown> | undefined): GenerationState {
  if (!item) return INITIAL_GENERATIONS;
  return {
    active: item.active as number,
    ...(item.building === undefined ? {} : { building: item.building as number }),
    retired: (item.retired as number[] | undefined) ?? [],
    latest: item.latest as number,
    revision: item.revision as number,
  };
}

/** Replaces the state if nobody changed it since `previous` was read; false otherwise. */
export async function saveGenerations(
  { doc, tableName, projection }: GenerationsItem,
  previous: GenerationState,
  next: Omit<GenerationState, 'revision'>,
): Promise<GenerationState | undefined> {
  const saved: GenerationState = { ...next, revision: previous.revision + 1 };
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...controlKey(projection, 'generations'), ...saved },
        ConditionExpression:
          previous.revision === 0 ? 'attribute_not_exists(pk)' : '#revision = :revision',
        ...(previous.revision === 0
          ? {}
          : {
              ExpressionAttributeNames: { '#revision': 'revision' },
              ExpressionAttributeValues: { ':revision': previous.revision },
            }),
      }),
    );
    return saved;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

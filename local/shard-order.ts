import type { Shard } from '@aws-sdk/client-dynamodb-streams';

/**
 * Shards that may be read now: not finished, and whose parent is finished or no longer listed
 * (trimmed after 24 hours). Reading parents before children keeps each item's records in order
 * across shard splits, as Lambda does.
 */
export function readableShards(shards: readonly Shard[], finished: ReadonlySet<string>): Shard[] {
  const listed = new Set(shards.map((shard) => shard.ShardId));
  return shards.filter(
    (shard) =>
      !finished.has(shard.ShardId!) &&
      (!shard.ParentShardId ||
        !listed.has(shard.ParentShardId) ||
        finished.has(shard.ParentShardId)),
  );
}

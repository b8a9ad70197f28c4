import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

let nextId = 0;

/** Records the DynamoDB commands a client sends until `stop()`. */
export function countRequests(client: DynamoDBClient) {
  const name = `request-counter-${++nextId}`;
  const commands: string[] = [];
  const inputs: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? 'unknown');
      inputs.push(args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    commands,
    inputs,
    stop: () => client.middlewareStack.remove(name),
  };
}

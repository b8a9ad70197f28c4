import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableKey } from '../functions/system';
import { firstAnswer, type ToolRoutes } from './tool-routes';

/** The local server's own pages: the API description and docs. */
export async function localTools(
  _client: DynamoDBClient,
  _tables: Readonly<Record<TableKey, string>>,
): Promise<ToolRoutes> {
  const { apiDocsPages } = await import('./openapi/pages');
  return firstAnswer(apiDocsPages);
}

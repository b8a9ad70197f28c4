import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableKey } from '../functions/system';
import { firstAnswer, type ToolRoutes } from './tool-routes';

/** The local server's own pages: the API description and docs, and the studio. */
export async function localTools(
  client: DynamoDBClient,
  tables: Readonly<Record<TableKey, string>>,
): Promise<ToolRoutes> {
  const { apiDocsPages } = await import('./openapi/pages');
  const { studioPage } = await import('./studio/page');
  const { studioApi } = await import('./studio/api');
  return firstAnswer(apiDocsPages, studioPage, studioApi(client, tables));
}

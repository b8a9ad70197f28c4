import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableKey } from '../functions/system';
import type { RunningSchedules } from './schedules';
import { firstAnswer, type ToolRoutes } from './tool-routes';

/**
 * The local server's own pages: the API description and docs, and the studio (which seals the
 * log on demand through `schedules`, when given).
 */
export async function localTools(
  client: DynamoDBClient,
  tables: Readonly<Record<TableKey, string>>,
  schedules?: Pick<RunningSchedules, 'run'>,
): Promise<ToolRoutes> {
  const { apiDocsPages } = await import('./openapi/pages');
  const { studioPage } = await import('./studio/page');
  const { studioApi } = await import('./studio/api');
  return firstAnswer(apiDocsPages, studioPage, studioApi(client, tables, schedules));
}

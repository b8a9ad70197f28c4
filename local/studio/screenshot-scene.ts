/** The scene of the README's studio picture, and the browser that takes it. */
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { chromium, type Page } from 'playwright-core';
import { summaryKey } from '../../functions/accounts/read-models';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { GenerationKeys } from '../../functions/eventsourcing/projections/read-model-keys';
import type { LocalStack } from '../stack';
import { waitFor } from '../wait-for';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 30_000 };

/** A JSON request to the stack's API that must answer 2xx; its body. */
async function call(url: string, method: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Opens an account through the API with a first deposit; its id. */
async function openAccount(api: string, ownerId: string, deposit: number): Promise<string> {
  const { accountId } = await call(`${api}/accounts`, 'POST', { ownerId });
  await call(`${api}/accounts/${String(accountId)}/deposits`, 'POST', { amount: deposit });
  return String(accountId);
}

/**
 * An account whose deposit the account-summaries projection cannot apply (its item was taken
 * out of the read model), so the projection parks the stream: the studio shows it parked.
 */
async function parkedAccount(stack: LocalStack, api: string): Promise<void> {
  const accountId = await openAccount(api, 'studio-poison', 100);
  await waitFor(
    async () => {
      const response = await fetch(`${api}/accounts/${accountId}`);
      return response.ok ? true : undefined;
    },
    { timeoutMs: 20_000, description: 'the account summary' },
  );
  const key = new GenerationKeys('account-summaries', 1).physical(summaryKey(accountId));
  const client = createDynamoDbClient({ endpoint: stack.dynamoDbEndpoint, region: 'local' });
  await client.send(
    new DeleteItemCommand({ TableName: stack.tableNames.accountSummaries, Key: marshall(key) }),
  );
  client.destroy();
  await call(`${api}/accounts/${accountId}/deposits`, 'POST', { amount: 50 });
}

/** Finds the stream in the studio (once the global log lists it), opens it at `version`. */
async function showStream(page: Page, streamId: string, version: number): Promise<void> {
  await page.getByLabel('Stream id or prefix').fill(streamId);
  const found = page.getByRole('button', { name: new RegExp(`${streamId} \\(version ${version}`) });
  await waitFor(
    async () => {
      await page.getByRole('button', { name: 'Search' }).click();
      return (await found.count()) === 1 ? true : undefined;
    },
    { timeoutMs: WAIT.timeout, intervalMs: 200, description: `${streamId} in the search` },
  );
  await found.click();
  await page.getByLabel(/Time travel/).fill('2');
  await page.locator('#state').filter({ hasText: '"balance": 5000' }).waitFor(WAIT);
}

/**
 * Sets the scene on a running stack (an account at version 3, another's stream parked), opens
 * the studio on the first account at version 2 and writes the page, whole, to `out` (PNG).
 */
export async function screenshotStudio(stack: LocalStack, out: string): Promise<void> {
  const api = stack.apiUrl!;
  const accountId = await openAccount(api, 'studio-owner', 5000);
  await call(`${api}/accounts/${accountId}/withdrawals`, 'POST', { amount: 1500 });
  await parkedAccount(stack, api);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${api}/studio`);
    await showStream(page, `account-${accountId}`, 3);
    await page.getByRole('button', { name: 'Redrive account-summaries' }).waitFor(WAIT);
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
}

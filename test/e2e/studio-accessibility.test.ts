import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/local-api';
import { poisonAccountSummary } from '../support/poison';
import { putStoredEvent } from '../support/stored-items';
import {
  CHROMIUM,
  addPageAudit,
  controlsTabNeverReaches,
  hasFocus,
  setDisabled,
  tabTo,
  textsBelowContrast,
} from '../support/studio-browser';

const WAIT = { timeout: 30_000 };
/** WCAG 2's minimum contrast for text (success criterion 1.4.3, level AA). */
const MINIMUM_CONTRAST = 4.5;

let t: TestApi;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await startTestApi();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** Waits until the studio's search lists `streamId` at `version`, pressing Enter in the field. */
async function searchByKeyboard(streamId: string, version: number) {
  const field = page.getByLabel('Stream id or prefix');
  await tabTo(page, field);
  await field.fill('');
  await page.keyboard.type(streamId);
  const found = page.getByRole('button', { name: new RegExp(`${streamId} \\(version ${version}`) });
  await expect
    .poll(async () => {
      await field.press('Enter');
      return found.count();
    }, WAIT)
    .toBe(1);
  return found;
}

describe('the studio for keyboard and screen-reader users', () => {
  it('is driven by keyboard alone: Tab reaches every control, and Enter and arrows act', async () => {
    const { accountId, fix } = await poisonAccountSummary(t, 'studio-keyboard');
    const streamId = `account-${accountId}`;
    await page.goto(`${t.url}/studio`);
    await addPageAudit(page);
    const redrive = page.getByRole('button', { name: 'Redrive account-summaries' });
    await redrive.waitFor(WAIT);

    const found = await searchByKeyboard(streamId, 3);
    await tabTo(page, found);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#events tr').count(), WAIT).toBe(3);
    await tabTo(page, page.getByLabel(/Time travel/));
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('#state').textContent(), WAIT).toContain('"balance": 100');
    const hash = page.locator('#event-3 details');
    await tabTo(page, hash.locator('summary'));
    await page.keyboard.press('Enter');
    await expect.poll(() => hash.getAttribute('open'), WAIT).toBe('');

    // With a stream open and a parked stream shown, Tab reaches every control there is.
    expect(await controlsTabNeverReaches(page)).toEqual([]);

    // The redrive button keeps the focus while the consumers view reloads around it.
    await tabTo(page, redrive);
    for (let reload = 0; reload < 2; reload += 1) {
      await page.waitForResponse((answer) => answer.url().endsWith('/studio/api/consumers'), WAIT);
    }
    expect(await hasFocus(redrive)).toBe(true);
    await fix();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#redrive-result').textContent(), WAIT)
      .toBe(`account-summaries: ${streamId} released`);
  });

  it('gives every control, and the chart, a name in the accessibility tree', async () => {
    const session = await page.context().newCDPSession(page);
    const { nodes } = (await session.send('Accessibility.getFullAXTree')) as {
      nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
    };
    await session.detach();
    const named = new Set(['button', 'link', 'textbox', 'slider', 'image', 'DisclosureTriangle']);
    const controls = nodes.filter((node) => !node.ignored && named.has(node.role?.value ?? ''));
    expect(new Set(controls.map((node) => node.role?.value))).toEqual(named);
    const unnamed = controls.filter((node) => !node.name?.value.trim());
    expect(unnamed.map((node) => node.role?.value)).toEqual([]);
  });

  it('keeps every text at a contrast of at least 4.5:1 against its background', async () => {
    // A stream whose events are unsealed (stored before hashing), sealed, and not sealed yet.
    const accountId = `contrast-${randomUUID()}`;
    const streamId = `account-${accountId}`;
    await putStoredEvent(t.client, t.stack.tableNames.events, {
      streamId,
      version: 1,
      type: 'AccountOpened',
      data: { ownerId: 'studio-contrast', accountType: 'checking', currency: 'USD' },
    });
    await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 700 } });
    await tabTo(page, await searchByKeyboard(streamId, 2));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('button', { name: 'Seal the log now' }));
    await page.keyboard.press('Enter');
    const proof = page.getByRole('link', { name: /^Proof of version 2/ });
    await proof.waitFor(WAIT);
    await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 1 } });
    await tabTo(page, await searchByKeyboard(streamId, 3));
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#events').textContent(), WAIT)
      .toContain('not sealed yet');
    expect(await page.locator('#events').textContent()).toContain('unsealed');
    await page.locator('#query').fill('');

    // Every text, the placeholder included, with the focus outline on a button and on a link.
    await tabTo(page, page.getByRole('button', { name: 'Seal the log now' }));
    expect(await textsBelowContrast(page, MINIMUM_CONTRAST)).toEqual([]);
    await tabTo(page, proof);
    expect(await textsBelowContrast(page, MINIMUM_CONTRAST)).toEqual([]);
    // A button while it works (disabled).
    await setDisabled(page, '#seal-now', true);
    expect(await textsBelowContrast(page, MINIMUM_CONTRAST)).toEqual([]);
    await setDisabled(page, '#seal-now', false);
  });
});

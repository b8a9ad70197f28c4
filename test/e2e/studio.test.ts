import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/local-api';
import { poisonAccountSummary } from '../support/poison';

/** Debian's chromium (no browser download); CI installs it with apt-get. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 30_000 };

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

describe('the studio in a browser', () => {
  it('finds an account opened through the API and travels through its versions', async () => {
    const accountId = await t.openAccount('studio-owner', 5000);
    await t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 1500 } });
    await page.goto(`${t.url}/studio`);
    await page.getByLabel('Stream id or prefix').fill(`account-${accountId}`);
    // The search reads the global log, which indexes the stream within a moment.
    const found = page.getByRole('button', {
      name: new RegExp(`account-${accountId} \\(version 3`),
    });
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Search' }).click();
        return found.count();
      }, WAIT)
      .toBe(1);
    await found.click();
    await expect.poll(() => page.locator('#events tr').count(), WAIT).toBe(3);
    expect(await page.locator('#state').textContent()).toContain('"balance": 3500');

    await page.getByLabel(/Time travel/).fill('2');
    await expect
      .poll(() => page.locator('#state').textContent(), WAIT)
      .toContain('"balance": 5000');
    expect(await page.locator('#version-label').textContent()).toBe('2');
    await page.getByLabel(/Time travel/).focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('#state').textContent(), WAIT).toContain('"balance": 0');
    await expect
      .poll(() => page.locator('#log').textContent(), WAIT)
      .toContain(`account-${accountId}`);
  });

  it('shows a parked stream, and redrives it with one click after asking', async () => {
    const { accountId: damaged, fix } = await poisonAccountSummary(t, 'studio-poison');

    const redrive = page.getByRole('button', { name: 'Redrive account-summaries' });
    await redrive.waitFor(WAIT);
    expect(await page.locator('#parked').textContent()).toContain(
      `account-${damaged} parked at version 3`,
    );
    await page.screenshot({ path: 'docs/studio.png', fullPage: true });

    // The cause is fixed; the operator confirms the redrive.
    await fix();
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await redrive.click();
    await expect
      .poll(() => page.locator('#redrive-result').textContent(), WAIT)
      .toBe(`account-summaries: account-${damaged} released`);
    expect(asked).toContain('Replay the parked streams of account-summaries');
    await t.eventually(`/accounts/${damaged}`, (r) => r.body.balance === 150);
  });

  it('serves the API docs page, which lists every route', async () => {
    await page.goto(`${t.url}/docs`);
    await page.locator('.opblock').first().waitFor(WAIT);
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(21);
    expect(await page.locator('.opblock-summary-path').allTextContents()).toContain(
      '/accounts/{accountId}/deposits',
    );
  });
});

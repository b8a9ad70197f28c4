import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SealRecords } from '../../functions/eventsourcing/integrity';
import { processesOf } from '../../functions/eventsourcing/process-manager/grants';
import { streamHosts } from '../../functions/system';
import { startTestApi, type TestApi } from '../support/local-api';
import { poisonAccountSummary } from '../support/poison';
import { putStoredEvent } from '../support/stored-items';

/** Debian's chromium (no browser download); CI installs it with apt-get. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT = { timeout: 30_000 };

let t: TestApi;
let browser: Browser;
let page: Page;
/** Where the screenshots go: never the repository (`npm run screenshot` renews the README's). */
let screenshots: string;

beforeAll(async () => {
  screenshots = await mkdtemp(join(tmpdir(), 'studio-screenshots-'));
  t = await startTestApi();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
  if (screenshots) await rm(screenshots, { recursive: true, force: true });
});

/** Searches the studio for a stream until the global log lists it at `version`; opens it. */
async function openFromSearch(streamId: string, version: number): Promise<void> {
  await page.getByLabel('Stream id or prefix').fill(streamId);
  // The search reads the global log, which indexes the stream within a moment.
  const found = page.getByRole('button', { name: new RegExp(`${streamId} \\(version ${version}`) });
  await expect
    .poll(async () => {
      await page.getByRole('button', { name: 'Search' }).click();
      return found.count();
    }, WAIT)
    .toBe(1);
  await found.click();
  await expect.poll(() => page.locator('#events tr').count(), WAIT).toBe(version);
}

/** The text of the Seal column of one version in the open stream. */
const sealOf = (version: number) =>
  page.locator(`#event-${version}`).getByRole('cell').nth(5).textContent();

describe('the studio in a browser', () => {
  it('finds an account opened through the API and travels through its versions', async () => {
    const accountId = await t.openAccount('studio-owner', 5000);
    await t.api.post(`/accounts/${accountId}/withdrawals`, { body: { amount: 1500 } });
    await page.goto(`${t.url}/studio`);
    await openFromSearch(`account-${accountId}`, 3);
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
    const picture = join(screenshots, 'parked.png');
    await page.screenshot({ path: picture, fullPage: true });
    expect((await readFile(picture)).subarray(1, 4).toString()).toBe('PNG');

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

  it('shows each event sealed, not sealed yet or unsealed, seals on demand and opens a proof', async () => {
    const accountId = `legacy-${randomUUID()}`;
    const streamId = `account-${accountId}`;
    // Version 1 as stored before events were hashed (no h); version 2 appended with its hash.
    await putStoredEvent(t.client, t.stack.tableNames.events, {
      streamId,
      version: 1,
      type: 'AccountOpened',
      data: { ownerId: 'studio-legacy', accountType: 'checking', currency: 'USD' },
    });
    const deposited = await t.api.post(`/accounts/${accountId}/deposits`, {
      body: { amount: 700 },
    });
    expect(deposited.status, deposited.text).toBe(200);
    await openFromSearch(streamId, 2);
    expect(await sealOf(2)).toBe('not sealed yet');

    await page.getByRole('button', { name: 'Seal the log now' }).click();
    await expect
      .poll(
        () =>
          page
            .getByRole('status')
            .filter({ hasText: /^(Sealing|Sealed|Nothing new to seal)/ })
            .textContent(),
        WAIT,
      )
      .toMatch(/^Sealed checkpoints? \d+.*: log positions \d+ to \d+\.$/);
    const sealed = await new SealRecords(t.client, t.stack.tableNames.seals).sealed(streamId, 2);
    expect(sealed).toBeDefined();
    // The stream is read again after the seal.
    await expect
      .poll(() => sealOf(2), WAIT)
      .toBe(`sealed in checkpoint ${sealed!.sequence}, position ${sealed!.position} Proof`);
    expect(await sealOf(1)).toBe('unsealed (stored before events were hashed)');
    expect(await page.getByRole('link', { name: /^Proof of version 1/ }).count()).toBe(0);

    // The link opens the proof route's JSON in a new tab.
    const [proofPage, proofAnswer] = await Promise.all([
      page.waitForEvent('popup'),
      page.context().waitForEvent('response', (response) => response.url().endsWith('/proof')),
      page.getByRole('link', { name: 'Proof of version 2 (JSON, opens in a new tab)' }).click(),
    ]);
    expect(proofAnswer.status()).toBe(200);
    const proof = (await proofAnswer.json()) as {
      format: string;
      event: { version: number; hash: string };
      position: number;
      checkpoint: { checkpoint: { sequence: number } };
    };
    await proofPage.close();
    expect(proof).toMatchObject({
      format: 'dynamo-event-sourcing/proof/v1',
      event: { version: 2 },
      position: sealed!.position,
      checkpoint: { checkpoint: { sequence: sealed!.sequence } },
    });
    const hash = page.locator('#event-2').getByTitle(proof.event.hash);
    expect(await hash.textContent()).toBe(`${proof.event.hash.slice(0, 12)}…`);
    expect(await page.locator('#event-1').getByRole('cell').nth(6).textContent()).toBe('none');

    // Appended after the seal: hashed, not sealed yet.
    await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 1 } });
    await openFromSearch(streamId, 3);
    expect(await sealOf(3)).toBe('not sealed yet');
    expect(await sealOf(2)).toContain(`sealed in checkpoint ${sealed!.sequence}`);
  });

  it('charts the append rate and the largest consumer lag over the last minutes', async () => {
    const accountId = await t.openAccount('studio-chart', 100);
    for (let deposit = 0; deposit < 6; deposit += 1) {
      await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 1 } });
    }
    await page.goto(`${t.url}/studio`);
    // Eight events within seconds: at least one 10-second bucket holds four of them.
    const chart = page.locator('#chart');
    const peak = async () =>
      Number(/up to (\d+) events/.exec((await chart.getAttribute('aria-label')) ?? '')?.[1] ?? 0);
    await expect.poll(peak, WAIT).toBeGreaterThanOrEqual(4);
    expect(await chart.getAttribute('aria-label')).toMatch(
      /^Append rate: up to \d+ events per 10 seconds over the last 5 minutes; largest consumer lag now \d+\.\d s$/,
    );
    // Two lines: the append rate over 30 buckets of 10 s, and the lag sampled since the page opened.
    const [rate, lag] = [chart.locator('polyline').nth(0), chart.locator('polyline').nth(1)];
    expect(await chart.locator('polyline').count()).toBe(2);
    expect(await rate.getAttribute('stroke')).toBe('#0b4f9c');
    expect(await lag.getAttribute('stroke')).toBe('#b3261e');
    const heights = ((await rate.getAttribute('points')) ?? '')
      .split(' ')
      .map((point) => Number(point.split(',')[1]));
    expect(heights).toHaveLength(30);
    // The busiest bucket reaches the top of the plot (y 24), on a round scale that holds it;
    // a bucket without events lies on the time axis (y 184).
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(24);
    expect(Math.min(...heights)).toBeLessThan(104);
    expect(Math.max(...heights)).toBe(184);
    // Axes with units and a scale: events per 10 s on the left, lag in seconds on the right.
    const labels = await chart.locator('text').allTextContents();
    expect(labels).toEqual(
      expect.arrayContaining(['events / 10 s', 'lag (s)', '0', '0 s', '−5 min', 'now']),
    );
    const top = labels.find((label) => /^\d+$/.test(label) && Number(label) >= 4);
    expect(top).toBeDefined();
    // Pointing at the busiest 10 seconds shows their values.
    const busiest = heights.indexOf(Math.min(...heights));
    await chart.locator('rect.band').nth(busiest).hover();
    expect(await page.locator('#chart-readout').textContent()).toMatch(
      /^\d\d:\d\d:\d\d–\d\d:\d\d:\d\d UTC: ([4-9]|\d\d+) events appended; (largest lag \d+\.\d s|lag not sampled)$/,
    );
  });

  it('traces a request from the correlation id of its event, and links back to its stream', async () => {
    const accountId = await t.openAccount('studio-trace');
    const correlationId = `studio-trace-${randomUUID()}`;
    const deposited = await t.api.post(`/accounts/${accountId}/deposits`, {
      body: { amount: 40 },
      headers: { 'x-correlation-id': correlationId },
    });
    expect(deposited.status, deposited.text).toBe(200);
    await page.goto(`${t.url}/studio`);
    await openFromSearch(`account-${accountId}`, 2);

    await page.getByRole('link', { name: `Trace request ${correlationId}` }).click();
    expect(page.url()).toMatch(new RegExp(`#trace=${correlationId}$`));
    // The event, then its integration event once the publisher has sent it.
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Trace' }).click();
        return page.locator('#trace-entries tr').count();
      }, WAIT)
      .toBe(2);
    expect(await page.locator('#trace-summary').textContent()).toMatch(
      new RegExp(`^Request ${correlationId}: 1 events, \\d+ ms from first to last\\.$`),
    );
    const [event, published] = await page.locator('#trace-entries tr').allTextContents();
    expect(event).toMatch(
      /^\+0 ms.*EventMoneyDeposited at account-\S+ version 2, the request itself/,
    );
    expect(published).toMatch(/^\+\d+ ms.*PublishedMoneyDeposited\.v1, \d+ ms after its event/);

    // From the trace back to the stream, and on to another view by the navigation.
    await page
      .locator('#trace-entries')
      .getByRole('link', { name: `account-${accountId}` })
      .click();
    await expect
      .poll(() => page.locator('#stream-title').textContent(), WAIT)
      .toBe(`Stream account-${accountId} (account)`);
    await page
      .getByRole('navigation', { name: 'Studio' })
      .getByRole('link', { name: 'Consumers' })
      .click();
    expect(page.url()).toMatch(/#consumers-section$/);

    // The process managers the system declares, each a link to its instances.
    const declared = processesOf(streamHosts.reactions.consumers).map(
      ({ process }) => process.name,
    );
    await page
      .getByRole('navigation', { name: 'Studio' })
      .getByRole('link', { name: 'Processes' })
      .click();
    expect(page.url()).toMatch(/#processes$/);
    await expect
      .poll(() => page.locator('#processes-list tr td:first-child').allTextContents(), WAIT)
      .toEqual(declared.length > 0 ? declared : ['No process manager is declared.']);
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

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import type { LowContrast, PageAudit } from './page-audit-types';

/** Debian's chromium (no browser download); CI installs it with apt-get. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const AUDIT = fileURLToPath(new URL('./browser/page-audit.ts', import.meta.url));
let auditScript: Promise<string> | undefined;

/** Adds the page audit (`test/support/browser/page-audit.ts`) to the page as it is now. */
export async function addPageAudit(page: Page): Promise<void> {
  auditScript ??= build({
    entryPoints: [AUDIT],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
  }).then((result) => result.outputFiles[0]!.text);
  await page.addScriptTag({ content: await auditScript });
}

/** The page's audit, in a function evaluated in the browser (each one names it anew). */
type InPage = { pageAudit: PageAudit };

export const hasFocus = (target: Locator): Promise<boolean> =>
  target.evaluate((element: unknown) =>
    (globalThis as unknown as InPage).pageAudit.hasFocus(element),
  );

export const setDisabled = (page: Page, selector: string, disabled: boolean): Promise<void> =>
  page.evaluate(
    ([which, state]) => (globalThis as unknown as InPage).pageAudit.setDisabled(which, state),
    [selector, disabled] as const,
  );

/** Presses Tab until `target` has the focus; fails when 200 presses do not get there. */
export async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let press = 0; press < 200; press += 1) {
    if (await hasFocus(target)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${String(target)}`);
}

/** Tabs twice round the whole page; answers the visible controls the focus never reached. */
export async function controlsTabNeverReaches(page: Page): Promise<string[]> {
  await page.evaluate(() => (globalThis as unknown as InPage).pageAudit.forgetReached());
  const controls = await page.evaluate(() =>
    (globalThis as unknown as InPage).pageAudit.controlCount(),
  );
  for (let press = 0; press < 2 * controls + 10; press += 1) {
    await page.keyboard.press('Tab');
    await page.evaluate(() => (globalThis as unknown as InPage).pageAudit.markFocused());
  }
  return page.evaluate(() => (globalThis as unknown as InPage).pageAudit.unreached());
}

/** Every visible text of the page below `minimum`:1 against its background (WCAG 2 ratio). */
export function textsBelowContrast(page: Page, minimum: number): Promise<LowContrast[]> {
  return page.evaluate(
    (least) => (globalThis as unknown as InPage).pageAudit.textsBelowContrast(least),
    minimum,
  );
}

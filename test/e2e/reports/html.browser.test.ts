// Opens a rendered report.html in headless Debian Chromium: the table renders, the filters work,
// hostile model answers show as text and run nothing, and a screenshot lands in test-artifacts/.
import { existsSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../reports/html/page.ts';
import { IMG_ANSWER, SCRIPT_ANSWER, writeSyntheticRun } from '../../reports/synthetic-run.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
if (!existsSync(CHROMIUM)) console.warn(`html.browser.test: ${CHROMIUM} is absent; skipping the browser test (apt-get install chromium)`);

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let runDir: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ({ runDir } = await writeSyntheticRun());
    const html = await renderHtmlReport(runDir, {
      references: { pope: { 'EVE-7B': 83.6, 'LLaVA-1.5-7B': 85.9 }, vqav2: { 'EVE-7B': 75.4 } },
      deltaVs: 'EVE-7B',
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    // Any network request from a self-contained file is a bug; file: is the page itself.
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file:') || route.request().url().startsWith('data:') ? route.continue() : route.abort(),
    );
    await page.goto(pathToFileURL(html).href);
  });

  afterAll(async () => {
    await browser?.close();
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });

  it('renders the comparison table with measured and published rows', async () => {
    const rows = page.locator('#comparison tbody tr');
    expect(await rows.count()).toBe(5); // 3 models + EVE-7B + LLaVA-1.5-7B published
    await expect.poll(() => page.locator('#comparison tbody tr.published').count()).toBe(2);
    const header = await page.locator('#comparison thead').innerText();
    expect(header).toContain('POPE');
    expect(header).toContain('MME');
    expect(await page.locator('svg rect').count()).toBeGreaterThan(10);
  });

  it('shows hostile answers and dataset text as text and runs none of it', async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await page.fill('#f-q', 'window.__pwned=1');
    await expect.poll(() => page.locator('#match-count').innerText()).toBe('4'); // one per benchmark
    const answers = await page.locator('td.answer').allInnerTexts();
    expect(answers).toContain(SCRIPT_ANSWER);
    expect(await page.locator('#sample-list script').count()).toBe(0);
    await page.fill('#f-q', 'onerror');
    // The search is debounced and the count stays 4, so wait for the list itself to change.
    await expect.poll(() => page.locator('td.answer').allInnerTexts()).toContain(IMG_ANSWER);
    expect(await page.locator('#match-count').innerText()).toBe('4');
    expect(await page.locator('#sample-list img[src="x"]').count()).toBe(0);
    await page.fill('#f-q', '');
    await expect.poll(() => page.locator('#match-count').innerText()).toBe('108');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(consoleErrors.filter((e) => !/Content Security Policy/.test(e))).toEqual([]);
  });

  it('filters: wrong only, disagreeing, errored, benchmark', async () => {
    const count = async () => Number((await page.locator('#match-count').innerText()).replace(/,/g, ''));
    const all = await count();
    expect(all).toBe(108);
    await page.check('#f-wrong');
    await expect.poll(count).toBeLessThan(all);
    const wrong = await count();
    expect(wrong).toBeGreaterThan(0);
    // Every card shown has at least one "wrong" (or partial) badge.
    const cards = page.locator('#sample-list article.sample');
    const n = await cards.count();
    for (let i = 0; i < n; i++) expect(await cards.nth(i).locator('.badge-bad, .badge-part, .badge-err').count()).toBeGreaterThan(0);
    await page.uncheck('#f-wrong');
    await page.check('#f-errored');
    await expect.poll(count).toBe(1);
    await expect.poll(() => page.locator('#sample-list .badge-err').count()).toBe(1);
    await page.uncheck('#f-errored');
    await page.check('#f-disagree');
    await expect.poll(count).toBeLessThan(all);
    await page.uncheck('#f-disagree');
    await page.selectOption('#f-bench', { label: 'POPE (36)' });
    await expect.poll(count).toBe(36);
    await page.selectOption('#f-bench', '-1');
    await expect.poll(count).toBe(all);
    await page.click('#next');
    await expect.poll(() => page.locator('#page-info').innerText()).toBe('page 2 of 5');
    await page.click('#prev');
  });

  it('writes a screenshot artifact', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'report.png');
    // Sticky bars would be painted once, mid-page, in a full-page capture; unstick them for the picture.
    await page.addStyleTag({ content: 'nav,.filters{position:static!important}' });
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
  });
});

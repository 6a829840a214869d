/**
 * The playground's usage line and admin view in headless Chromium, over the scripted Chat
 * Completions mock: a turn's tokens, latency and cost (priced by GET /playground/prices, equal to
 * what /admin/usage counts); an admin key opens the admin view with its charts by model and by
 * key, the keys table without secrets and live metrics that move after a request; other keys do
 * not see it. Screenshots go to test-artifacts/playground/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import { CHROMIUM, launchChromium, NO_CHROMIUM_REASON, screenshotPath } from '../helpers/chromium.js';
import { type Harness, startHarness, TEST_KEY } from '../helpers/gateway-harness.js';

const ADMIN = 'admin-key-0123456789abcdef';
/** USD per million tokens, as configured below. */
const PRICE = { input: 2, cachedInput: 0.5, output: 8 };

const SUITE = `playground admin view in Chromium${CHROMIUM ? '' : ` (skipped: ${NO_CHROMIUM_REASON})`}`;

describe.skipIf(!CHROMIUM)(SUITE, () => {
  let gw: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let managed: { id: string; key: string };

  beforeAll(async () => {
    gw = await startHarness({
      env: { RGW_API_KEYS: TEST_KEY, RGW_ADMIN_KEY: ADMIN },
      config: {
        aliases: { 'mock-model': { targets: ['openai/mock-model'] } },
        prices: { 'mock-model': PRICE },
      },
    });
    managed = await createKey(gw.gateway.store, { tenant: 'acme', name: 'ci-bot' });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });
  afterEach(async () => {
    await context?.close();
  });

  const open = async (key: string, viewport = { width: 1280, height: 900 }): Promise<Page> => {
    context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(gw.url);
    await page.fill('#api-key', key);
    await page.press('#api-key', 'Enter');
    return page;
  };
  const respond = (key: string, input = 'hi') =>
    fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-model', input }),
    }).then((res) => expect(res.status).toBe(200));

  it("shows each turn's tokens, latency and cost, the cost as the gateway counts it", async () => {
    gw.mock.reset();
    gw.mock.enqueue({
      kind: 'text',
      text: 'Priced answer.',
      chunks: ['Priced ', 'answer.'],
      delayMs: 100,
      usage: { prompt_tokens: 1200, completion_tokens: 300, cached_tokens: 200, reasoning_tokens: 50 },
    });
    const page = await open(managed.key);
    await page.waitForSelector('#model[data-loaded]');
    await page.fill('#prompt', 'What does it cost?');
    await page.press('#prompt', 'Enter');
    const footer = page.locator('[data-testid=turn]:last-child .turn-footer');
    await footer.locator('[data-field=cost]').waitFor();
    const field = async (name: string) =>
      Number(await footer.locator(`[data-field=${name}]`).getAttribute('data-value'));
    await expect(field('input')).resolves.toBe(1200);
    await expect(field('cached')).resolves.toBe(200);
    await expect(field('output')).resolves.toBe(300);
    await expect(field('reasoning')).resolves.toBe(50);
    const expected = ((1200 - 200) * PRICE.input + 200 * PRICE.cachedInput + 300 * PRICE.output) / 1e6;
    expect(await field('cost')).toBeCloseTo(expected, 12);
    // Latency measured in the page: the first token came before the end, after the mock's delay.
    const ttft = await field('ttft');
    const total = await field('total');
    expect(ttft).toBeGreaterThan(0);
    expect(total).toBeGreaterThanOrEqual(ttft);
    await expect(footer.textContent()).resolves.toMatch(
      /^completed · in 1200 · cached 200 · out 300 · reasoning 50 · \$0\.0045 · first token \d+ ms · total \d+ ms · resp_/,
    );
    // The gateway's own usage row has the same cost.
    const usage = await fetch(`${gw.url}/admin/usage?group_by=key&tenant=acme`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    }).then((res) => res.json() as Promise<{ data: Array<{ group: string; cost_usd: number }> }>);
    expect(usage.data.find((g) => g.group === managed.id)?.cost_usd).toBeCloseTo(expected, 12);
    await page.screenshot({ path: screenshotPath('turn-usage-cost') });
  });

  it('opens the admin view for an admin key: charts by model and key, the keys table, live metrics', async () => {
    gw.mock.reset();
    gw.mock.defaultReply = { kind: 'text', text: 'ok', usage: { prompt_tokens: 100, completion_tokens: 40 } };
    await respond(managed.key);
    await respond(TEST_KEY);
    const page = await open(ADMIN);
    await page.waitForSelector('#admin:not([hidden])');
    await expect(page.isVisible('#admin-toggle')).resolves.toBe(true);
    await expect(page.getAttribute('#admin-toggle', 'aria-pressed')).resolves.toBe('true');
    // RGW_ADMIN_KEY reaches the admin API only: the page says so instead of asking for a key again.
    await expect(page.locator('#status').textContent()).resolves.toContain('admin key cannot chat');
    await expect(page.isVisible('#key-dialog')).resolves.toBe(false);
    // The heading has the focus, so the keyboard starts in the view.
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Admin');

    const chart = (title: string) => page.locator(`figure[data-chart="${title}"]`);
    await chart('Cost by model').locator('rect[data-series="mock-model"]').first().waitFor();
    const barValues = (title: string, series: string) =>
      chart(title)
        .locator(`rect[data-series="${series}"]`)
        .evaluateAll((rects) => rects.reduce((n, r) => n + Number(r.getAttribute('data-value')), 0));
    expect(await barValues('Tokens by model', 'mock-model')).toBeGreaterThanOrEqual(2 * 140);
    expect(await barValues('Cost by model', 'mock-model')).toBeGreaterThan(0);
    expect(await barValues('Tokens by key', managed.id)).toBeGreaterThanOrEqual(140);
    expect(await barValues('Tokens by key', 'static-0')).toBeGreaterThanOrEqual(140);
    await expect(chart('Cost by key').locator('.legend').textContent()).resolves.toContain(
      `ci-bot (${managed.id.slice(0, 10)}…)`,
    );
    await expect(page.locator('figure.chart-box svg').count()).resolves.toBe(4);

    const row = page.locator(`[data-testid=keys-table] tr[data-key-id="${managed.id}"]`);
    await expect(row.locator('th').textContent()).resolves.toBe('ci-bot');
    await expect(row.textContent()).resolves.toContain('acme');
    const table = await page.locator('[data-testid=keys-table]').textContent();
    expect(table).not.toContain(managed.key);
    expect(await page.content()).not.toContain(managed.key);

    const tile = (name: string) =>
      page.locator(`.tile[data-metric="${name}"]`).getAttribute('data-value').then(Number);
    const before = await tile('responses');
    expect(before).toBeGreaterThanOrEqual(2);
    await respond(TEST_KEY);
    // Function source as a string: this file is compiled without the DOM library.
    await page.waitForFunction(
      `(n) => Number(document.querySelector('.tile[data-metric=responses]')?.getAttribute('data-value')) > n`,
      before,
    );
    await expect(tile('latency')).resolves.toBeGreaterThan(0);
    await expect(page.locator('.sparkline polyline').count()).resolves.toBe(1);
    await page.screenshot({ path: screenshotPath('admin-view') });
    await page.locator('.keys-box').screenshot({ path: screenshotPath('admin-keys') });

    // Back to the chat from the keyboard (the composer takes the focus), and into the view again.
    await page.focus('#admin-toggle');
    await page.keyboard.press('Enter');
    await expect(page.isVisible('#admin')).resolves.toBe(false);
    await expect(page.isVisible('main')).resolves.toBe(true);
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('prompt');
    await page.focus('#admin-toggle');
    await page.keyboard.press('Space');
    await page.waitForSelector('#admin:not([hidden])');
  });

  it('fits a phone-width screen', async () => {
    const page = await open(ADMIN, { width: 390, height: 844 });
    await page.locator('figure[data-chart="Cost by model"] rect').first().waitFor();
    const overflow = await page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth');
    expect(overflow).toBe(0);
    const width = await page
      .locator('figure[data-chart="Cost by model"]')
      .evaluate((f) => f.getBoundingClientRect().width);
    expect(width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: screenshotPath('admin-phone'), fullPage: true });
  });

  it('shows no admin view to a key that is not an admin key', async () => {
    for (const key of [TEST_KEY, managed.key]) {
      const page = await open(key);
      await page.waitForSelector('#model[data-loaded]');
      await expect(page.isVisible('#admin-toggle')).resolves.toBe(false);
      await expect(page.isVisible('#admin')).resolves.toBe(false);
      await expect(page.locator('#admin figure').count()).resolves.toBe(0);
      await context.close();
    }
  });
});

/**
 * The playground in real headless Chromium against a gateway over the scripted Chat Completions
 * mock: enter the key, chat and watch it stream, call tools (a client function, file_search over a
 * vector store uploaded from the page), continue a conversation, reload during a background
 * response, inspect the events. Screenshots go to test-artifacts/playground/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, NO_CHROMIUM_REASON, screenshotPath } from '../helpers/chromium.js';
import { type Harness, startHarness, TEST_KEY } from '../helpers/gateway-harness.js';

if (!CHROMIUM) console.warn(NO_CHROMIUM_REASON);

describe.skipIf(!CHROMIUM)('playground in Chromium', () => {
  let gw: Harness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    gw = await startHarness({
      env: { RGW_API_KEYS: TEST_KEY },
      config: { aliases: { 'mock-model': { targets: ['openai/mock-model'] } } },
    });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });
  beforeEach(async () => {
    gw.mock.reset();
    gw.mock.defaultReply = { kind: 'text', text: 'Default answer.' };
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(gw.url);
    await page.fill('#api-key', TEST_KEY);
    await page.press('#api-key', 'Enter');
    await page.waitForSelector('#model[data-loaded]');
    await expect(page.inputValue('#model')).resolves.toBe('mock-model');
  });

  const lastTurn = () => page.locator('[data-testid=turn]').last();
  const send = async (text: string) => {
    await page.fill('#prompt', text);
    await page.press('#prompt', 'Enter');
  };
  const completed = () => page.waitForSelector('[data-testid=turn]:last-child[data-status=completed]');

  it('streams an answer, with usage, latency and the events in the inspector', async () => {
    gw.mock.enqueue({
      kind: 'text',
      text: 'The quick brown fox jumps.',
      chunks: ['The quick ', 'brown fox ', 'jumps.'],
      reasoning: 'Thinking about foxes.',
      delayMs: 250,
    });
    await send('Tell me about foxes');
    // Part of the answer is on screen while the response is still in progress: it streams.
    await page.waitForFunction(() => {
      const turn = [...document.querySelectorAll('[data-testid=turn]')].at(-1) as HTMLElement | undefined;
      const text = turn?.querySelector('[data-role=assistant] .text')?.textContent ?? '';
      return (
        text.startsWith('The quick') &&
        text !== 'The quick brown fox jumps.' &&
        turn?.dataset.status === 'in_progress'
      );
    });
    await completed();
    await expect(lastTurn().locator('[data-role=assistant] .text').textContent()).resolves.toBe(
      'The quick brown fox jumps.',
    );
    await expect(lastTurn().locator('.reasoning .text').textContent()).resolves.toContain(
      'Thinking about foxes.',
    );
    const footer = await lastTurn().locator('.turn-footer').textContent();
    expect(footer).toMatch(
      /completed · tokens in \d+ · out \d+.* · first token \d+ ms · total \d+ ms · resp_/,
    );
    // The inspector lists every event, numbered from 0 without gaps.
    const seqs = await page
      .locator('.inspector .events li')
      .evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.seq)));
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    await expect(page.locator('.inspector .events li').first().textContent()).resolves.toContain(
      '#0 response.created',
    );
    await page.locator('.inspector .events li').last().locator('summary').click();
    await expect(
      page.locator('.inspector .events li').last().locator('pre').textContent(),
    ).resolves.toContain('"type": "response.completed"');
    await page.screenshot({ path: screenshotPath('stream-and-inspector'), fullPage: true });
  });
});

/**
 * The playground in real headless Chromium against a gateway over the scripted Chat Completions
 * mock: enter the key, chat and watch it stream, call tools (a client function, file_search over a
 * vector store uploaded from the page), continue a conversation, reload during a background
 * response, inspect the events. Screenshots go to test-artifacts/playground/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, NO_CHROMIUM_REASON, screenshotPath } from '../helpers/chromium.js';
import { type Harness, startHarness, TEST_KEY } from '../helpers/gateway-harness.js';
import { TEST_CODE_SANDBOX } from '../tools/code-interpreter/sandbox-helpers.js';

/**
 * Runs in the page (a string: this file is compiled without the DOM library): the last turn is
 * still in progress and shows a prefix of its answer, but not all of it.
 */
const PARTIAL_WHILE_IN_PROGRESS = `([prefix, full]) => {
  const turn = [...document.querySelectorAll('[data-testid=turn]')].at(-1);
  const text = turn?.querySelector('[data-role=assistant] .text')?.textContent ?? '';
  return text.startsWith(prefix) && text !== full && turn?.dataset.status === 'in_progress';
}`;

const SUITE = `playground in Chromium${CHROMIUM ? '' : ` (skipped: ${NO_CHROMIUM_REASON})`}`;

describe.skipIf(!CHROMIUM)(SUITE, () => {
  let gw: Harness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    gw = await startHarness({
      env: { RGW_API_KEYS: TEST_KEY },
      config: {
        aliases: { 'mock-model': { targets: ['openai/mock-model'] } },
        // Real Python in bubblewrap, as `.ci/run` installs it; no warm kernel for the other tests.
        codeSandbox: { ...TEST_CODE_SANDBOX, callTimeoutMs: 15_000 },
      },
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
    // Fail on the step that waits, well before the test's own timeout.
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(gw.url);
    await page.fill('#api-key', TEST_KEY);
    await page.press('#api-key', 'Enter');
    await page.waitForSelector('#model[data-loaded]');
    await expect(page.inputValue('#model')).resolves.toBe('mock-model');
  });

  afterEach(async () => {
    await page?.context().close();
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
    await page.waitForFunction(PARTIAL_WHILE_IN_PROGRESS, ['The quick', 'The quick brown fox jumps.']);
    await completed();
    await expect(lastTurn().locator('[data-role=assistant] .text').textContent()).resolves.toBe(
      'The quick brown fox jumps.',
    );
    await expect(lastTurn().locator('.reasoning .text').textContent()).resolves.toContain(
      'Thinking about foxes.',
    );
    const footer = await lastTurn().locator('.turn-footer').textContent();
    expect(footer).toMatch(
      /completed · in \d+ · cached \d+ · out \d+ · reasoning \d+ · \$0 · first token \d+ ms · total \d+ ms · resp_/,
    );
    // The inspector lists every event, numbered from 0 without gaps.
    const seqs = await page
      .locator('.inspector .events li')
      .evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-seq'))));
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    await expect(page.locator('.inspector .events li').first().textContent()).resolves.toContain(
      '#0 response.created',
    );
    await lastTurn().locator('button', { hasText: 'Inspect events' }).click();
    await page.locator('.inspector .events li').last().locator('summary').click();
    await expect(
      page.locator('.inspector .events li').last().locator('pre').textContent(),
    ).resolves.toContain('"type": "response.completed"');
    await page.screenshot({ path: screenshotPath('stream-and-inspector'), fullPage: true });
  });

  it('calls a client function: the call shows up, its output goes back, the answer uses it', async () => {
    await page.fill(
      'textarea[name=functions]',
      JSON.stringify([
        {
          type: 'function',
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ]),
    );
    gw.mock.enqueue(
      {
        kind: 'text',
        text: '',
        toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        finishReason: 'tool_calls',
      },
      { kind: 'text', text: 'It is sunny in Paris.' },
    );
    await send('Weather in Paris?');
    await completed();
    const call = lastTurn().locator('[data-type=function_call]');
    await expect(call.locator('.kind').textContent()).resolves.toBe('ƒ get_weather');
    await expect(call.locator('pre').textContent()).resolves.toBe('{"city":"Paris"}');
    await call.locator('textarea').fill('{"sky":"sunny"}');
    await call.locator('button', { hasText: 'Send output' }).click();
    await page.waitForSelector('[data-testid=turn]:nth-child(2)[data-status=completed]');
    await expect(lastTurn().locator('[data-role=assistant] .text').textContent()).resolves.toBe(
      'It is sunny in Paris.',
    );
    // The output went back as a function_call_output in the same conversation.
    const toolMessage = gw.mock.requests[1]!.body.messages.find((m: { role: string }) => m.role === 'tool');
    expect(toolMessage).toMatchObject({ tool_call_id: 'call_w1', content: '{"sky":"sunny"}' });
    await page.screenshot({ path: screenshotPath('function-call') });
  });

  it('uploads a file into a vector store and shows file_search with its citation', async () => {
    await page.click('[role=tab][data-tab=Files]');
    await page.setInputFiles('input[name=file]', {
      name: 'k7-manual.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from(
        '# K7 manual\n\nError E42 means the lidar is obstructed. Clean the sensor window.\n',
      ),
    });
    await page.fill('input[name=vsName]', 'manuals');
    await page.click('text=Upload to vector store');
    await page.waitForSelector('[data-testid=upload-status]:has-text("completed")');
    await expect(page.isChecked('input[name=fileSearch]')).resolves.toBe(true);
    await page.click('[role=tab][data-tab=Settings]');
    gw.mock.enqueue(
      {
        kind: 'text',
        text: '',
        toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: '{"queries":["error E42"]}' }],
        finishReason: 'tool_calls',
      },
      { kind: 'text', text: 'E42 means the lidar is obstructed 【1】.' },
    );
    await send('What does E42 mean?');
    await completed();
    const search = lastTurn().locator('[data-type=file_search_call]');
    await expect(search.textContent()).resolves.toContain('queries: error E42');
    await expect(search.locator('.results li').first().textContent()).resolves.toContain('k7-manual.md');
    await expect(lastTurn().locator('[data-role=assistant] .text').textContent()).resolves.toBe(
      'E42 means the lidar is obstructed.',
    );
    await expect(lastTurn().locator('.citations li').textContent()).resolves.toContain('k7-manual.md');
    await page.screenshot({ path: screenshotPath('file-search'), fullPage: true });
  });

  it('continues a conversation, and reopens it from the sidebar after a reload', async () => {
    gw.mock.enqueue({ kind: 'text', text: 'Hi Ada.' }, { kind: 'text', text: 'Your name is Ada.' });
    await send('My name is Ada');
    await completed();
    await send('What is my name?');
    await page.waitForSelector('[data-testid=turn]:nth-child(2)[data-status=completed]');
    const messages = gw.mock.requests[1]!.body.messages.map((m: { role: string; content: unknown }) => [
      m.role,
      typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
    ]);
    expect(messages).toEqual(
      expect.arrayContaining([
        ['user', expect.stringContaining('My name is Ada')],
        ['assistant', expect.stringContaining('Hi Ada.')],
        ['user', expect.stringContaining('What is my name?')],
      ]),
    );
    await page.reload();
    await page.click('.chats .chat-link:has-text("My name is Ada")');
    await page.waitForSelector('.history [data-role=assistant]:has-text("Your name is Ada.")');
    await expect(page.locator('.history [data-role]').count()).resolves.toBe(4);
    await page.screenshot({ path: screenshotPath('conversation-reopened') });
  });

  it('resumes a background response after a reload, from the last sequence number', async () => {
    await page.check('input[name=background]');
    const chunks = ['One, ', 'two, ', 'three, ', 'four, ', 'five, ', 'six.'];
    gw.mock.enqueue({ kind: 'text', text: chunks.join(''), chunks, delayMs: 300 });
    const resumes: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('starting_after=')) resumes.push(request.url());
    });
    await send('Count to six slowly');
    await page.waitForSelector('[data-testid=turn] [data-role=assistant]:has-text("two,")');
    await page.reload();
    await page.waitForSelector('.note:has-text("resumed resp_")');
    await completed();
    await expect(lastTurn().locator('[data-role=assistant] .text').textContent()).resolves.toBe(
      chunks.join(''),
    );
    expect(resumes).toHaveLength(1);
    const after = Number(new URL(resumes[0]!).searchParams.get('starting_after'));
    expect(after).toBeGreaterThan(0);
    // Replayed events and resumed ones make one gapless sequence in the inspector.
    const seqs = await page
      .locator('.inspector .events li')
      .evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-seq'))));
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(seqs.length).toBeGreaterThan(after + 1);
    await page.screenshot({ path: screenshotPath('background-resumed') });
  });

  it('fits a phone-width screen, with the settings in a drawer', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const small = await phone.newPage();
    await small.addInitScript(
      `localStorage.setItem('rgw.apiKey', ${JSON.stringify(JSON.stringify(TEST_KEY))})`,
    );
    await small.goto(gw.url);
    await small.waitForSelector('#model[data-loaded]');
    gw.mock.enqueue({ kind: 'text', text: 'Small screens work.' });
    await small.fill('#prompt', 'hello');
    await small.press('#prompt', 'Enter');
    await small.waitForSelector('[data-testid=turn][data-status=completed]');
    const overflow = await small.evaluate('document.scrollingElement.scrollWidth - window.innerWidth');
    expect(overflow).toBe(0);
    await expect(small.isVisible('.panel')).resolves.toBe(false);
    await small.click('button[aria-label=Settings]');
    await expect(small.isVisible('.panel')).resolves.toBe(true);
    await small.screenshot({ path: screenshotPath('phone-settings') });
    await phone.close();
  });

  it('shows an MCP approval request with approve / deny, and approving sends mcp_approval_response', async () => {
    // The gateway's MCP tool lives on another branch: the page's side is proven on a routed stream
    // in the shapes OpenAI's API sends, the rest of the turn (conversation, model) being real.
    const sent: Record<string, unknown>[] = [];
    await page.route('**/v1/responses', async (route) => {
      const body = route.request().postDataJSON() as Record<string, unknown>;
      sent.push(body);
      const request = {
        type: 'mcp_approval_request',
        id: 'mcpr_1',
        server_label: 'docs',
        name: 'delete_page',
        arguments: '{"page":"home"}',
      };
      const answer = {
        type: 'mcp_call',
        id: 'mcp_1',
        server_label: 'docs',
        name: 'delete_page',
        arguments: '{"page":"home"}',
        output: 'deleted',
        approval_request_id: 'mcpr_1',
      };
      const item = sent.length === 1 ? request : answer;
      const response = (status: string, output: unknown[]) => ({
        id: `resp_${sent.length}`,
        object: 'response',
        status,
        output,
        usage: status === 'completed' ? { input_tokens: 3, output_tokens: 2 } : null,
      });
      const events = [
        { type: 'response.created', sequence_number: 0, response: response('in_progress', []) },
        { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item },
        { type: 'response.output_item.done', sequence_number: 2, output_index: 0, item },
        { type: 'response.completed', sequence_number: 3, response: response('completed', [item]) },
      ];
      await route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''),
      });
    });
    await page.fill('input[name=mcpLabel]', 'docs');
    await page.fill('input[name=mcpUrl]', 'https://mcp.example.com/mcp');
    await send('Delete the home page');
    await completed();
    const approval = lastTurn().locator('[data-type=mcp_approval_request]');
    await expect(approval.locator('.status').textContent()).resolves.toBe('awaiting approval');
    await expect(approval.locator('button.deny').isVisible()).resolves.toBe(true);
    expect(sent[0]!.tools).toEqual([
      {
        type: 'mcp',
        server_label: 'docs',
        server_url: 'https://mcp.example.com/mcp',
        require_approval: 'always',
      },
    ]);
    await page.screenshot({ path: screenshotPath('mcp-approval') });
    await approval.locator('button.approve').click();
    await page.waitForSelector('[data-testid=turn]:nth-child(2)[data-status=completed]');
    expect(sent[1]!.input).toEqual([
      { type: 'mcp_approval_response', approval_request_id: 'mcpr_1', approve: true },
    ]);
    expect(sent[1]!.conversation).toBe(sent[0]!.conversation);
    await expect(lastTurn().locator('[data-type=mcp_call] pre').last().textContent()).resolves.toBe(
      'deleted',
    );
  });

  it('sends a JSON schema as text.format; Shift+Enter is a new line, Enter sends', async () => {
    await page.check('input[name=schemaOn]');
    gw.mock.enqueue({ kind: 'text', text: '{"answer":"42"}' });
    await page.fill('#prompt', 'line one');
    await page.press('#prompt', 'Shift+Enter');
    await page.keyboard.type('line two');
    await expect(page.inputValue('#prompt')).resolves.toBe('line one\nline two');
    await page.press('#prompt', 'Enter');
    await completed();
    await expect(lastTurn().locator('[data-role=user] .text').textContent()).resolves.toBe(
      'line one\nline two',
    );
    await expect(lastTurn().locator('[data-role=assistant] .text').textContent()).resolves.toBe(
      '{"answer":"42"}',
    );
    expect(gw.mock.requests[0]!.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'answer', strict: true, schema: { required: ['answer'] } },
    });
    // The composer has the focus back for the next message.
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('prompt');
  });

  it('shows code_interpreter code and its logs as the call runs', async () => {
    await page.check('input[name=codeInterpreter]');
    const code = 'print("hello from python")\nsum(i * i for i in range(10))';
    gw.mock.enqueue(
      {
        kind: 'text',
        text: '',
        toolCalls: [{ id: 'call_py', name: 'code_interpreter', arguments: JSON.stringify({ code }) }],
        finishReason: 'tool_calls',
      },
      { kind: 'text', text: 'It is 285.' },
    );
    await send('Sum the first ten squares');
    await page.waitForSelector('[data-testid=turn]:last-child[data-status=completed]', { timeout: 20_000 });
    const call = lastTurn().locator('[data-type=code_interpreter_call]');
    await expect(call.locator('pre.code').textContent()).resolves.toBe(code);
    await expect(call.locator('pre.logs').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('hello from python')]),
    );
    await expect(lastTurn().locator('[data-role=assistant] .text').textContent()).resolves.toBe('It is 285.');
    await page.screenshot({ path: screenshotPath('code-interpreter') });
  }, 30_000);
});

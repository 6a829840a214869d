/**
 * web_search as a client meets it, through the openai SDK on every mock upstream, with a fake
 * SearXNG and its pages on 127.0.0.1: the scripted model searches (or opens a page) and cites
 * result 【1】; the answer comes back with a `url_citation` annotation spanning the link, the call
 * visible as a `web_search_call` item and events, streamed and not, stored and with store:false.
 * Then the ways a call fails: each ends that item `failed`, the model is told why, and the answer
 * still comes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicDriver } from '../conformance/drivers/anthropic-driver.js';
import { chatDriver } from '../conformance/drivers/chat-driver.js';
import type { ConformanceDriver, ScriptedCall } from '../conformance/drivers/driver.js';
import { geminiDriver } from '../conformance/drivers/gemini-driver.js';
import { responsesDriver } from '../conformance/drivers/responses-driver.js';
import { type FakeWeb, K7_FACT, K7_TITLE, startFakeWeb } from '../mocks/fake-web.js';
import type { Any, ProviderGateway } from '../providers/provider-gateway.js';
import { checkStream } from './stream-helpers.js';

const DRIVERS: ConformanceDriver[] = [chatDriver(), responsesDriver(), anthropicDriver(), geminiDriver()];
const CLAIM = 'E42 means the lidar dome is obstructed';

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))(
  'web_search on %s',
  (_name, driver) => {
    let gw: ProviderGateway;
    let web: FakeWeb;
    const k7 = () => `${web.url}/pages/k7.html`;
    const ask = (
      args: Record<string, unknown>,
      extra: Record<string, unknown> = {},
      answer = `${CLAIM} 【1】.`,
    ) => {
      driver.reset();
      const call: ScriptedCall = { callId: 'call_ws', name: 'web_search', args };
      driver.script!.toolCalls([call]);
      driver.script!.text(answer);
      return {
        model: driver.model,
        input: 'What does error E42 mean on the K7 mower?',
        tools: [{ type: 'web_search' }],
        ...extra,
      } as Any;
    };
    const told = () => driver.sent(1).toolResults[0]!.output;
    const expectCitedAnswer = (response: Any, action: Record<string, unknown>) => {
      expect(response.status).toBe('completed');
      expect(response.output.map((item: Any) => item.type)).toEqual(['web_search_call', 'message']);
      expect(response.output[0]).toMatchObject({ type: 'web_search_call', status: 'completed', action });
      expect(response.output[0].id).toMatch(/^ws_[0-9a-f]{48}$/);
      const text: string = response.output_text;
      const link = `[127.0.0.1](${k7()})`;
      expect(text).toContain(link);
      const [annotation] = response.output[1].content[0].annotations;
      expect(annotation).toEqual({
        type: 'url_citation',
        url: k7(),
        title: K7_TITLE,
        start_index: expect.any(Number),
        end_index: expect.any(Number),
      });
      expect(text.slice(annotation.start_index, annotation.end_index)).toContain(link);
    };

    beforeAll(async () => {
      web = await startFakeWeb({ slowMs: 3_000 });
      gw = await driver.start({
        builtInTools: 'gateway',
        config: { webSearch: { searxngUrl: web.url, searchTimeoutMs: 500, maxPageBytes: 50_000 } },
      });
    });
    afterAll(async () => {
      await gw?.close();
      await driver.close();
      await web?.close();
    });

    it('searches, shows the model numbered results and answers with a url_citation', async () => {
      const response: Any = await gw.client.responses.create(
        ask({ action: 'search', query: 'K7 error E42' }),
      );
      expectCitedAnswer(response, { type: 'search', query: 'K7 error E42', queries: ['K7 error E42'] });
      // Sources only when asked for.
      expect(response.output[0].action).not.toHaveProperty('sources');
      expect(told()).toContain(`【1】 ${K7_TITLE}`);
      expect(told()).toContain(`URL: ${k7()}`);
      expect(web.requests.some((r) => r.startsWith('GET /search?') && r.includes('format=json'))).toBe(true);
      const stored: Any = await gw.client.responses.retrieve(response.id);
      expect(stored.output).toEqual(response.output);
    });

    it('includes the sources when asked', async () => {
      const response: Any = await gw.client.responses.create(
        ask({ action: 'search', query: 'K7 error E42' }, { include: ['web_search_call.action.sources'] }),
      );
      expect(response.output[0].action.sources).toEqual([
        { type: 'url', url: k7() },
        { type: 'url', url: `${web.url}/pages/notes.txt` },
        { type: 'url', url: 'https://forum.example.org/t/e42' },
      ]);
    });

    it('streams the web_search_call phases and the annotation', async () => {
      const result = await gw.stream({ ...ask({ action: 'search', query: 'K7 E42' }), stream: true });
      checkStream(result);
      const types = result.types.filter((type) => type.includes('web_search') || type.includes('annotation'));
      expect(types).toEqual([
        'response.web_search_call.in_progress',
        'response.web_search_call.searching',
        'response.web_search_call.completed',
        'response.output_text.annotation.added',
      ]);
      const final = result.data.at(-1).response;
      expectCitedAnswer(final, { type: 'search', query: 'K7 E42' });
      expectCitedAnswer(await gw.client.responses.retrieve(final.id), { type: 'search', query: 'K7 E42' });
    });

    it('opens a page as readable text, with store: false', async () => {
      const response: Any = await gw.client.responses.create(
        ask({ action: 'open_page', url: k7() }, { store: false }),
      );
      expectCitedAnswer(response, { type: 'open_page', url: k7() });
      expect(told()).toContain(K7_FACT);
      // Readability keeps the article, not the navigation.
      expect(told()).not.toContain('Shop');
      await expect(gw.client.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
    });

    it('finds a pattern in a page', async () => {
      const response: Any = await gw.client.responses.create(
        ask({ action: 'find_in_page', url: k7(), pattern: 'e17' }),
      );
      expect(response.output[0]).toMatchObject({
        status: 'completed',
        action: { type: 'find_in_page', url: k7(), pattern: 'e17' },
      });
      expect(told()).toContain('Error E17 means a wheel motor');
    });

    it('keeps results and pages to the allowed domains', async () => {
      const tools = [{ type: 'web_search', filters: { allowed_domains: ['example.org'] } }];
      const searched: Any = await gw.client.responses.create(
        ask(
          { action: 'search', query: 'K7 E42' },
          { tools, include: ['web_search_call.action.sources'] },
          'See 【1】.',
        ),
      );
      expect(searched.output[0].action.sources).toEqual([
        { type: 'url', url: 'https://forum.example.org/t/e42' },
      ]);
      expect(told()).not.toContain(k7());
      const fetches = () => web.requests.filter((r) => r.includes('/pages/k7.html')).length;
      const before = fetches();
      const opened: Any = await gw.client.responses.create(
        ask({ action: 'open_page', url: k7() }, { tools }, 'No.'),
      );
      expect(opened.output[0]).toMatchObject({ status: 'failed', action: { type: 'open_page', url: k7() } });
      expect(told()).toMatch(/outside the allowed domains/);
      expect(fetches()).toBe(before);
    });

    it.each([
      ['a backend answering garbage', { action: 'search', query: 'garbage' }, /other than JSON/],
      ['a backend answering another shape', { action: 'search', query: 'badshape' }, /unexpected shape/],
      ['a backend failing', { action: 'search', query: 'broken' }, /HTTP 502/],
      ['a slow backend', { action: 'search', query: 'slow' }, /did not answer within/],
      ['a page too large', { action: 'open_page', url: '/pages/huge.html' }, /larger than 50000 bytes/],
      ['a page that is not text', { action: 'open_page', url: '/pages/photo.png' }, /'image\/png'/],
      ['a missing page', { action: 'open_page', url: '/pages/gone.html' }, /HTTP 404/],
    ])('%s fails that call only', async (_case, args: Record<string, string>, why) => {
      const absolute = args.url !== undefined ? { ...args, url: `${web.url}${args.url}` } : args;
      const response: Any = await gw.client.responses.create(ask(absolute, {}, 'The search did not work.'));
      expect(response.status).toBe('completed');
      expect(response.output[0]).toMatchObject({ type: 'web_search_call', status: 'failed' });
      expect(response.output_text).toBe('The search did not work.');
      expect(told()).toMatch(why);
    });
  },
);

describe('web_search without RGW_OUTBOUND_ALLOW', () => {
  const driver = chatDriver();
  let gw: ProviderGateway;
  let web: FakeWeb;
  beforeAll(async () => {
    web = await startFakeWeb();
    gw = await driver.start({
      builtInTools: 'gateway',
      env: { RGW_OUTBOUND_ALLOW: '', RGW_SEARXNG_URL: web.url },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await driver.close();
    await web?.close();
  });

  it('searches the configured backend but refuses to open a loopback page', async () => {
    driver.reset();
    driver.script!.toolCalls([
      { callId: 'c1', name: 'web_search', args: { action: 'search', query: 'E42' } },
    ]);
    driver.script!.toolCalls([
      { callId: 'c2', name: 'web_search', args: { action: 'open_page', url: `${web.url}/pages/k7.html` } },
    ]);
    driver.script!.text('Could not open it.');
    const response: Any = await gw.client.responses.create({
      model: driver.model,
      input: 'E42?',
      tools: [{ type: 'web_search_preview' }],
    });
    expect(response.output.map((item: Any) => [item.type, item.status])).toEqual([
      ['web_search_call', 'completed'],
      ['web_search_call', 'failed'],
      ['message', 'completed'],
    ]);
    expect(driver.sent(2).toolResults.at(-1)!.output).toMatch(
      /loopback .* which the gateway does not fetch from/,
    );
    expect(web.requests.some((r) => r.includes('/pages/k7.html'))).toBe(false);
  });
});

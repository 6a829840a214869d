import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockAnthropicUpstream, startMockAnthropicUpstream } from './anthropic-mock.js';

let upstream: MockAnthropicUpstream;

beforeAll(async () => {
  upstream = await startMockAnthropicUpstream({ apiKey: 'sk-ant' });
});
afterEach(() => upstream.reset());
afterAll(async () => {
  await upstream.close();
});

const HEADERS = {
  'content-type': 'application/json',
  'x-api-key': 'sk-ant',
  'anthropic-version': '2023-06-01',
};

function post(body: unknown, headers: Record<string, string> = HEADERS, signal?: AbortSignal) {
  return request(`${upstream.url}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal,
  });
}

const BODY = { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] };

/** `[event, data]` pairs of an Anthropic SSE body. */
function frames(raw: string): Array<[string, Record<string, unknown>]> {
  return raw
    .split('\n\n')
    .filter((b) => b !== '')
    .map((block) => {
      const [event, data] = block.split('\n');
      expect(event).toMatch(/^event: /);
      expect(data).toMatch(/^data: /);
      const parsed = JSON.parse(data!.slice(6));
      expect(parsed.type).toBe(event!.slice(7));
      return [event!.slice(7), parsed];
    });
}

describe('Anthropic mock', () => {
  it('answers a message with content blocks, stop reason and usage, and records the request', async () => {
    upstream.enqueue({
      kind: 'text',
      text: 'Hi!',
      thinking: { thinking: 'hm', signature: 'sig' },
      toolCalls: [{ id: 'toolu_1', name: 'f', input: { a: 1 } }],
    });
    const res = await post(BODY);
    expect(res.statusCode).toBe(200);
    expect(res.headers['request-id']).toMatch(/^req_/);
    const message = (await res.body.json()) as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'hm', signature: 'sig' },
        { type: 'text', text: 'Hi!' },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]).toMatchObject({ method: 'POST', path: '/v1/messages', body: BODY });
  });

  it('streams the named events in Anthropic’s order', async () => {
    upstream.enqueue({
      kind: 'text',
      text: 'Hello world',
      toolCalls: [{ name: 'f', input: { city: 'Paris' } }],
    });
    const res = await post({ ...BODY, stream: true });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = frames(await res.body.text());
    expect(events.map(([e]) => e)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const json = events
      .filter(([e, d]) => e === 'content_block_delta' && d.index === 1)
      .map(([, d]) => (d.delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ city: 'Paris' });
    expect(events.at(-2)![1]).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { output_tokens: expect.any(Number) },
    });
  });

  it('refuses a missing key, a missing version header and a missing max_tokens as Anthropic does', async () => {
    const noKey = await post(BODY, { ...HEADERS, 'x-api-key': 'nope' });
    expect(noKey.statusCode).toBe(401);
    expect(await noKey.body.json()).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
    const { 'anthropic-version': _, ...withoutVersion } = HEADERS;
    expect((await post(BODY, withoutVersion)).statusCode).toBe(400);
    const noMax = await post({ model: 'claude-x', messages: BODY.messages });
    expect(noMax.statusCode).toBe(400);
    expect(await noMax.body.json()).toMatchObject({ error: { message: 'max_tokens: Field required' } });
  });

  it('checks tool_result ids against the previous turn', async () => {
    const res = await post({
      ...BODY,
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't2', content: 'r' }] },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(await res.body.json())).toContain('unexpected `tool_use_id`');
  });

  it('scripts HTTP errors (429 with retry-after, 529) and a mid-stream error event', async () => {
    upstream.enqueue(
      { kind: 'http-error', status: 429, headers: { 'retry-after': '5' } },
      { kind: 'http-error', status: 529 },
      { kind: 'stream-error', afterText: 'Par', error: { type: 'api_error', message: 'Internal' } },
    );
    const limited = await post(BODY);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('5');
    expect(await limited.body.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const overloaded = await post(BODY);
    expect(overloaded.statusCode).toBe(529);
    expect(await overloaded.body.json()).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const events = frames(await (await post({ ...BODY, stream: true })).body.text());
    expect(events.at(-1)).toEqual([
      'error',
      { type: 'error', error: { type: 'api_error', message: 'Internal' } },
    ]);
    expect(events.map(([e]) => e)).not.toContain('message_stop');
  });

  it('uses the default reply function and notices client aborts', async () => {
    upstream.defaultReply = (body) => ({ kind: 'text', text: `echo ${body.messages.length}` });
    const res = await post(BODY);
    expect(((await res.body.json()) as { content: unknown[] }).content).toEqual([
      { type: 'text', text: 'echo 1' },
    ]);
    upstream.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = post(BODY, HEADERS, controller.signal).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    await upstream.waitForAbort(2);
    await pending;
    upstream.defaultReply = { kind: 'text', text: 'Hello from the Anthropic mock.' };
  });
});

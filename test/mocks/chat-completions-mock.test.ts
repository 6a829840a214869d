import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JsonBody } from '../helpers/json-body.js';
import { type MockChatUpstream, startMockChatUpstream } from './chat-completions-mock.js';

let upstream: MockChatUpstream;

beforeAll(async () => {
  upstream = await startMockChatUpstream();
});
afterEach(() => {
  upstream.reset();
  upstream.defaultReply = { kind: 'text', text: 'Hello from the mock upstream.' };
});
afterAll(async () => {
  await upstream.close();
});

function post(body: unknown, opts: { signal?: AbortSignal; headers?: Record<string, string> } = {}) {
  return request(`${upstream.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...opts.headers },
    body: JSON.stringify(body),
    signal: opts.signal,
  });
}

/** Splits an SSE body into its `data:` payloads (raw strings). */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      expect(block.startsWith('data: ')).toBe(true);
      return block.slice('data: '.length);
    });
}

type Any = JsonBody;

async function streamChunks(body: Record<string, unknown>): Promise<{ raw: string; chunks: Any[] }> {
  const res = await post({
    model: 'gpt-test',
    messages: [{ role: 'user', content: 'Hi there' }],
    ...body,
    stream: true,
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
  const raw = await res.body.text();
  const data = sseData(raw);
  expect(data.at(-1)).toBe('[DONE]');
  return { raw, chunks: data.slice(0, -1).map((d) => JSON.parse(d)) };
}

describe('chat completions mock', () => {
  it('streams text chunks in the OpenAI wire format, with usage and logprobs', async () => {
    upstream.enqueue({ kind: 'text', text: 'Hello world, how are you?', logprobs: true });
    const { raw, chunks } = await streamChunks({ stream_options: { include_usage: true }, top_logprobs: 2 });
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);

    const id = chunks[0].id;
    expect(id).toMatch(/^chatcmpl-/);
    for (const c of chunks) {
      expect(c).toMatchObject({
        id,
        object: 'chat.completion.chunk',
        model: 'gpt-test',
        service_tier: 'default',
        system_fingerprint: expect.any(String),
        created: expect.any(Number),
      });
    }
    expect(chunks[0].choices).toEqual([
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]);
    const contentChunks = chunks.filter((c) => typeof c.choices[0]?.delta.content === 'string').slice(1);
    expect(contentChunks.length).toBe(3);
    expect(contentChunks.map((c) => c.choices[0].delta.content).join('')).toBe('Hello world, how are you?');
    for (const c of contentChunks) {
      const lp = c.choices[0].logprobs;
      expect(lp.refusal).toBeNull();
      expect(lp.content).toHaveLength(1);
      expect(lp.content[0]).toMatchObject({ token: c.choices[0].delta.content, logprob: expect.any(Number) });
      expect(lp.content[0].bytes).toEqual([...Buffer.from(c.choices[0].delta.content)]);
      expect(lp.content[0].top_logprobs).toHaveLength(2);
    }

    const finish = chunks.at(-2);
    expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    expect(finish.usage).toBeNull();
    const usageChunk = chunks.at(-1);
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({
      prompt_tokens: 2,
      completion_tokens: 7,
      total_tokens: 9,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });

    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      aborted: false,
      body: { model: 'gpt-test', stream: true },
    });
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('streams reasoning, explicit chunks, and omits usage without include_usage', async () => {
    upstream.enqueue({
      kind: 'text',
      text: 'ab',
      chunks: ['a', 'b'],
      reasoning: 'Thinking hard',
      reasoningField: 'reasoning',
      model: 'other-model',
      usage: { prompt_tokens: 5, completion_tokens: 9, reasoning_tokens: 4, cached_tokens: 2 },
    });
    const { chunks } = await streamChunks({});
    expect(chunks.every((c) => c.model === 'other-model' && !('usage' in c))).toBe(true);
    const deltas = chunks.map((c) => c.choices[0].delta);
    expect(deltas.map((d) => d.reasoning ?? '').join('')).toBe('Thinking hard');
    expect(deltas.slice(1).filter((d) => 'content' in d)).toEqual([{ content: 'a' }, { content: 'b' }]);
    expect(chunks.every((c) => c.choices[0].logprobs === null)).toBe(true);
  });

  it('streams function and custom tool calls like OpenAI', async () => {
    upstream.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [
        { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
        { id: 'call_2', name: 'run', arguments: 'ls -la', type: 'custom' },
      ],
    });
    const { chunks } = await streamChunks({ stream_options: { include_usage: true } });
    const toolDeltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(toolDeltas[0]).toEqual({
      index: 0,
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    const fnFragments = toolDeltas.filter((d) => d.index === 0).slice(1);
    expect(fnFragments.length).toBe(3);
    expect(fnFragments.every((d) => Object.keys(d).join() === 'index,function')).toBe(true);
    expect(fnFragments.map((d) => d.function.arguments).join('')).toBe('{"city":"Paris","unit":"c"}');

    const custom = toolDeltas.filter((d) => d.index === 1);
    expect(custom[0]).toEqual({ index: 1, id: 'call_2', type: 'custom', custom: { name: 'run', input: '' } });
    expect(custom.length).toBe(3);
    expect(
      custom
        .slice(1)
        .map((d) => d.custom.input)
        .join(''),
    ).toBe('ls -la');

    expect(chunks.at(-2).choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
  });

  it('answers non-streaming requests with a chat.completion object', async () => {
    upstream.enqueue(
      { kind: 'text', text: 'Plain answer.', reasoning: 'Because.', logprobs: true },
      {
        kind: 'text',
        text: '',
        toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"q":1}' }],
        usage: null,
      },
    );
    const res1 = await post({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hello' }] });
    expect(res1.statusCode).toBe(200);
    expect(res1.headers['content-type']).toBe('application/json');
    const c1: Any = await res1.body.json();
    expect(c1).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      model: 'gpt-test',
      service_tier: 'default',
      system_fingerprint: expect.any(String),
    });
    expect(c1.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Plain answer.', refusal: null, reasoning_content: 'Because.' },
    });
    expect(c1.choices[0].message.tool_calls).toBeUndefined();
    expect(c1.choices[0].logprobs.content.map((t: Any) => t.token).join('')).toBe('Plain answer.');
    expect(c1.usage.completion_tokens_details.reasoning_tokens).toBe(2);
    expect(c1.usage.total_tokens).toBe(c1.usage.prompt_tokens + c1.usage.completion_tokens);

    const res2 = await post({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hello' }] });
    const c2: Any = await res2.body.json();
    expect(c2.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      logprobs: null,
      message: {
        content: null,
        tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
      },
    });
    expect('usage' in c2).toBe(false);

    // queue exhausted → defaultReply (function form)
    upstream.defaultReply = (body) => ({ kind: 'text', text: `echo ${body.messages[0].content}` });
    const c3: Any = await (
      await post({ model: 'm', messages: [{ role: 'user', content: 'ping' }] })
    ).body.json();
    expect(c3.choices[0].message.content).toBe('echo ping');
  });

  it('returns http errors, garbage, truncation and stream errors', async () => {
    upstream.enqueue(
      { kind: 'http-error', status: 429, headers: { 'retry-after': '2' } },
      { kind: 'http-error', status: 502, body: '<html>Bad gateway</html>' },
      { kind: 'garbage', body: 'not json at all' },
      { kind: 'truncate', afterText: 'partial' },
      { kind: 'truncate', afterText: 'partial stream' },
      { kind: 'stream-error', afterText: 'So far', error: { message: 'boom', code: 'internal' } },
      { kind: 'stream-error', afterText: 'x', error: { message: 'boom2' } },
    );
    const msgs = { model: 'm', messages: [{ role: 'user', content: 'x' }] };

    const e429 = await post(msgs);
    expect(e429.statusCode).toBe(429);
    expect(e429.headers['retry-after']).toBe('2');
    expect(await e429.body.json()).toMatchObject({
      error: { type: 'requests', code: 'rate_limit_exceeded', param: null, message: expect.any(String) },
    });

    const e502 = await post(msgs);
    expect(e502.statusCode).toBe(502);
    expect(await e502.body.text()).toBe('<html>Bad gateway</html>');

    const garbage = await post(msgs);
    expect(garbage.statusCode).toBe(200);
    expect(await garbage.body.text()).toBe('not json at all');

    const truncated = await (await post(msgs)).body.text();
    expect(() => JSON.parse(truncated)).toThrow();

    const truncStream = await (await post({ ...msgs, stream: true })).body.text();
    const data = sseData(truncStream);
    expect(data).not.toContain('[DONE]');
    const parsed = data.map((d) => JSON.parse(d));
    expect(parsed.every((c) => c.choices[0].finish_reason === null)).toBe(true);
    expect(parsed.map((c) => c.choices[0].delta.content).join('')).toBe('partial stream');

    const errStream = sseData(await (await post({ ...msgs, stream: true })).body.text());
    expect(JSON.parse(errStream.at(-1)!)).toEqual({
      error: { message: 'boom', type: 'server_error', param: null, code: 'internal' },
    });
    expect(
      errStream
        .slice(0, -1)
        .map((d) => JSON.parse(d).choices[0].delta.content)
        .join(''),
    ).toBe('So far');

    const err500 = await post(msgs);
    expect(err500.statusCode).toBe(500);
    expect(await err500.body.json()).toMatchObject({ error: { message: 'boom2' } });
  });

  it('drops connections', async () => {
    upstream.enqueue({ kind: 'drop' }, { kind: 'drop', afterText: 'Half an ans' });
    await expect(post({ model: 'm', messages: [] })).rejects.toThrow();
    const res = await post({ model: 'm', messages: [], stream: true });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    // a server-side drop is not a client abort
    expect(upstream.requests.map((r) => r.aborted)).toEqual([false, false]);
  });

  it('tracks client aborts of hanging and slow requests', async () => {
    upstream.enqueue(
      { kind: 'hang' },
      { kind: 'text', text: 'slow '.repeat(10), chunks: ['a', 'b', 'c'], delayMs: 50 },
    );

    const ac = new AbortController();
    const hanging = post({ model: 'm', messages: [] }, { signal: ac.signal });
    await expect(upstream.waitForAbort(1, 50)).rejects.toThrow(/not aborted/);
    ac.abort();
    await expect(hanging).rejects.toThrow();
    await upstream.waitForAbort(1, 1000);
    expect(upstream.requests[0]?.aborted).toBe(true);

    const ac2 = new AbortController();
    const res = await post({ model: 'm', messages: [], stream: true }, { signal: ac2.signal });
    for await (const _ of res.body) {
      ac2.abort();
      break;
    }
    await upstream.waitForAbort(2, 1000);
    expect(upstream.requests[1]?.aborted).toBe(true);

    // completed requests are not marked as aborted
    await (await post({ model: 'm', messages: [] })).body.text();
    expect(upstream.requests[2]?.aborted).toBe(false);
  });

  it('serves /v1/models, 404s, and enforces the api key', async () => {
    const models = await request(`${upstream.baseUrl}/models`);
    expect(await models.body.json()).toEqual({
      object: 'list',
      data: [{ id: 'mock-model', object: 'model', created: expect.any(Number), owned_by: 'mock' }],
    });
    const missing = await request(`${upstream.baseUrl}/nope`, { method: 'POST', body: '{}' });
    expect(missing.statusCode).toBe(404);
    expect(await missing.body.json()).toMatchObject({ error: { type: 'invalid_request_error' } });

    const secured = await startMockChatUpstream({ apiKey: 'sk-right-key-1234' });
    try {
      const bad = await request(`${secured.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-wrong-key-9999' },
        body: JSON.stringify({ model: 'm', messages: [] }),
      });
      expect(bad.statusCode).toBe(401);
      expect(await bad.body.json()).toEqual({
        error: {
          message: expect.stringMatching(/^Incorrect API key provided: /),
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
      const good = await request(`${secured.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-right-key-1234' },
        body: JSON.stringify({ model: 'm', messages: [] }),
      });
      expect(good.statusCode).toBe(200);
      await good.body.text();
      expect(secured.requests).toHaveLength(2);

      // close() must not be held up by a hanging request
      secured.enqueue({ kind: 'hang' });
      const pending = request(`${secured.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-right-key-1234' },
        body: JSON.stringify({ model: 'm', messages: [] }),
      });
      while (secured.requests.length < 3) await new Promise((r) => setTimeout(r, 5));
      await secured.close();
      await expect(pending).rejects.toThrow();
    } finally {
      await secured.close();
    }
  });
});

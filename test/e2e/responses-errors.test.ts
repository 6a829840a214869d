/**
 * Failures through HTTP: authentication, malformed requests, validation, upstream errors before and
 * after the first byte, and client disconnects. Every error carries the OpenAI envelope, and the
 * gateway keeps serving afterwards.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, TEST_KEY, useHarness } from '../helpers/gateway-harness.js';
import { postStream } from '../helpers/test-gateway.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { type Any, checkStream } from './stream-helpers.js';

const harness = useHarness({ kind: 'text', text: 'Still serving.' });

const BASIC = { model: 'gpt-err', input: 'Hi' };

/** `{"error":{"message","type","param","code"}}` and nothing else; param/code checked when given. */
function expectEnvelope(body: Any, expected: { type: string; param?: string | null; code?: string | null }) {
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.type).toBe(expected.type);
  for (const key of ['param', 'code'] as const) {
    if (expected[key] !== undefined) expect(body.error[key]).toBe(expected[key]);
    else if (body.error[key] !== null) expect(body.error[key]).toEqual(expect.any(String));
  }
}

/** A following request through the same gateway succeeds. */
async function expectStillServing(h: Harness = harness): Promise<void> {
  h.mock.enqueue({ kind: 'text', text: 'Still serving.' });
  const { status, body } = await h.post('/v1/responses', BASIC);
  expect(status).toBe(200);
  expect(body.output_text).toBe('Still serving.');
}

async function rawPost(
  h: Harness,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Any }> {
  const response = await fetch(`${h.baseURL}/responses`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) };
}

describe('authentication', () => {
  it('answers 401 without a bearer token', async () => {
    const { status, body } = await rawPost(harness, JSON.stringify(BASIC), {
      'content-type': 'application/json',
    });
    expect(status).toBe(401);
    expectEnvelope(body, { type: 'invalid_request_error', param: null, code: null });
    expect(body.error.message).toMatch(/API key/);
    expect(harness.mock.requests).toHaveLength(0);
  });

  describe('with RGW_API_KEYS', () => {
    let keyed: Harness;
    beforeAll(async () => {
      keyed = await startHarness({ env: { RGW_API_KEYS: 'k1,k2' } });
    });
    afterAll(async () => {
      await keyed.close();
    });

    it('refuses a wrong key with invalid_api_key', async () => {
      const { status, body } = await keyed.post('/v1/responses', BASIC, {
        authorization: 'Bearer not-a-key',
      });
      expect(status).toBe(401);
      expectEnvelope(body, { type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
      expect(body.error.message).not.toContain('not-a-key');
      // The harness's own test key is not one of the configured keys either.
      expect((await keyed.post('/v1/responses', BASIC)).status).toBe(401);
      expect(keyed.mock.requests).toHaveLength(0);
    });

    it('accepts each configured key', async () => {
      for (const key of ['k1', 'k2']) {
        const { status, body } = await keyed.post('/v1/responses', BASIC, { authorization: `Bearer ${key}` });
        expect(status).toBe(200);
        expect(body.status).toBe('completed');
      }
    });
  });
});

describe('malformed requests', () => {
  const auth = { authorization: `Bearer ${TEST_KEY}` };

  it('answers 400 for malformed JSON', async () => {
    const { status, body } = await rawPost(harness, '{"model": "gpt-err", ', {
      ...auth,
      'content-type': 'application/json',
    });
    expect(status).toBe(400);
    expectEnvelope(body, { type: 'invalid_request_error', param: null });
  });

  it('answers 400 for a JSON body that is not an object', async () => {
    const { status, body } = await rawPost(harness, '["gpt-err"]', {
      ...auth,
      'content-type': 'application/json',
    });
    expect(status).toBe(400);
    expectEnvelope(body, { type: 'invalid_request_error', param: null });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded'])(
    'answers 415 for content type %s',
    async (type) => {
      const { status, body } = await rawPost(harness, JSON.stringify(BASIC), {
        ...auth,
        'content-type': type,
      });
      expect(status).toBe(415);
      expectEnvelope(body, { type: 'invalid_request_error', param: null });
      expect(harness.mock.requests).toHaveLength(0);
    },
  );

  it('answers 413 for a body over the limit', async () => {
    const small = await startHarness({ config: { bodyLimit: 1024 } });
    try {
      const { status, body } = await small.post('/v1/responses', { ...BASIC, input: 'x'.repeat(2048) });
      expect(status).toBe(413);
      expectEnvelope(body, { type: 'invalid_request_error', param: null });
      expect(small.mock.requests).toHaveLength(0);
      await expectStillServing(small);
    } finally {
      await small.close();
    }
  });

  it('answers 404 with the envelope for an unknown route', async () => {
    const get = await harness.get('/v1/no-such-thing');
    expect(get.status).toBe(404);
    expectEnvelope(get.body, { type: 'invalid_request_error', param: null, code: null });
    expect(get.body.error.message).toContain('/v1/no-such-thing');
    const post = await harness.post('/v1/responses/resp_x/nope', {});
    expect(post.status).toBe(404);
    expectEnvelope(post.body, { type: 'invalid_request_error' });
  });
});

describe('validation errors', () => {
  it.each([
    ['model missing', { input: 'Hi' }, 'model', 'missing_required_parameter'],
    ['temperature 3', { ...BASIC, temperature: 3 }, 'temperature', 'decimal_above_max_value'],
    [
      'metadata with 17 keys',
      { ...BASIC, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata',
      'object_above_max_size',
    ],
    ['an unknown parameter', { ...BASIC, frobnicate: true }, 'frobnicate', 'unknown_parameter'],
    [
      'stream_options without stream',
      { ...BASIC, stream_options: { include_obfuscation: false } },
      'stream_options',
      'invalid_value',
    ],
    [
      'previous_response_id with conversation',
      { ...BASIC, previous_response_id: 'resp_1', conversation: 'conv_1' },
      'conversation',
      'mutually_exclusive_parameters',
    ],
    ['a wrongly typed input', { ...BASIC, input: 42 }, 'input', 'invalid_type'],
  ])('answers 400 for %s', async (_name, request, param, code) => {
    const { status, body } = await harness.post('/v1/responses', request);
    expect(status).toBe(400);
    expectEnvelope(body, { type: 'invalid_request_error', param, code });
    expect(harness.mock.requests).toHaveLength(0);
  });
});

describe('upstream errors before the first byte', () => {
  it.each<[string, number, string, MockReply]>([
    ['401', 502, 'server_error', { kind: 'http-error', status: 401 }],
    ['403', 502, 'server_error', { kind: 'http-error', status: 403 }],
    ['404', 404, 'invalid_request_error', { kind: 'http-error', status: 404 }],
    ['500', 502, 'server_error', { kind: 'http-error', status: 500 }],
    ['503', 503, 'server_error', { kind: 'http-error', status: 503 }],
    ['a garbage body', 502, 'server_error', { kind: 'garbage', body: '<html>Bad gateway</html>' }],
    ['a half-sent body', 502, 'server_error', { kind: 'truncate', afterText: 'Hello there' }],
    ['a dropped connection', 502, 'server_error', { kind: 'drop' }],
  ])('maps upstream %s to %i', async (_name, status, type, reply) => {
    harness.mock.enqueue(reply);
    const response = await harness.post('/v1/responses', BASIC);
    expect(response.status).toBe(status);
    expectEnvelope(response.body, { type, param: null });
    await expectStillServing();
  });

  it('keeps the upstream 404 code and message', async () => {
    harness.mock.enqueue({ kind: 'http-error', status: 404 });
    const { body } = await harness.post('/v1/responses', BASIC);
    expect(body.error).toMatchObject({
      code: 'model_not_found',
      message: expect.stringContaining('mock-model'),
    });
  });

  it('passes an upstream 400 on with its message and code', async () => {
    harness.mock.enqueue({
      kind: 'http-error',
      status: 400,
      body: {
        error: {
          message: "This model's maximum context length is 128000 tokens.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      },
    });
    const { status, body } = await harness.post('/v1/responses', BASIC);
    expect(status).toBe(400);
    expectEnvelope(body, { type: 'invalid_request_error', code: 'context_length_exceeded' });
    expect(body.error.message).toContain('maximum context length');
  });

  it('does not leak the upstream key when the upstream refuses it', async () => {
    harness.mock.enqueue({ kind: 'http-error', status: 401 });
    const { body } = await harness.post('/v1/responses', BASIC);
    expect(JSON.stringify(body)).not.toContain('upstream-key');
  });

  it('passes 429 on with its Retry-After header', async () => {
    harness.mock.enqueue({ kind: 'http-error', status: 429, headers: { 'retry-after': '7' } });
    const { status, headers, body } = await harness.post('/v1/responses', BASIC);
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('7');
    expectEnvelope(body, { type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' });
    await expectStillServing();
  });

  it('answers a streaming request with an HTTP error, not an event stream, when the upstream refuses', async () => {
    harness.mock.enqueue({ kind: 'http-error', status: 429, headers: { 'retry-after': '3' } });
    const result = await postStream(harness, BASIC);
    expect(result.status).toBe(429);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(result.headers.get('retry-after')).toBe('3');
    expectEnvelope(JSON.parse(result.raw), { type: 'rate_limit_error', param: null });
  });

  it('answers 502 when the upstream refuses connections', async () => {
    const port = await closedPort();
    const refused = await startHarness({ env: { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` } });
    try {
      const { status, body } = await refused.post('/v1/responses', BASIC);
      expect(status).toBe(502);
      expectEnvelope(body, { type: 'server_error', param: null });
      const streamed = await postStream(refused, BASIC);
      expect(streamed.status).toBe(502);
      // Still serving: a request the gateway can answer without the upstream.
      expect((await refused.post('/v1/responses', { input: 'Hi' })).status).toBe(400);
    } finally {
      await refused.close();
    }
  });

  it('answers 504 when the upstream does not answer in time, and aborts the call', async () => {
    const slow = await startHarness({
      config: (mock) => ({
        providers: [
          {
            name: 'slow',
            type: 'openai-chat',
            baseUrl: mock.baseUrl,
            apiKey: 'upstream-key',
            timeoutMs: 250,
          },
        ],
      }),
    });
    try {
      slow.mock.enqueue({ kind: 'hang' });
      const started = Date.now();
      const { status, body } = await slow.post('/v1/responses', BASIC);
      expect(status).toBe(504);
      expect(Date.now() - started).toBeLessThan(5000);
      expectEnvelope(body, { type: 'server_error', param: null });
      await slow.mock.waitForAbort(1);
      await expectStillServing(slow);
    } finally {
      await slow.close();
    }
  });
});

describe('upstream failures after the first byte', () => {
  it.each<[string, MockReply]>([
    [
      'an error event',
      {
        kind: 'stream-error',
        afterText: 'Partial answer',
        error: { message: 'The model crashed.', code: 'model_error' },
      },
    ],
    ['a dropped connection', { kind: 'drop', afterText: 'Partial answer' }],
    ['a stream cut before [DONE]', { kind: 'truncate', afterText: 'Partial answer' }],
  ])('ends the stream with response.failed after %s', async (_name, reply) => {
    harness.mock.enqueue(reply);
    const result = await postStream(harness, BASIC);
    checkStream(result);
    const types = result.types;
    expect(types.at(-1)).toBe('response.failed');
    expect(types.filter((t) => t === 'response.failed')).toHaveLength(1);
    expect(types).toContain('response.output_text.delta');
    const failed = result.data.at(-1).response;
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: expect.any(String), message: expect.any(String) },
      completed_at: null,
    });
    expect(Object.keys(failed.error).sort()).toEqual(['code', 'message']);
    // What arrived before the failure is kept.
    expect(failed.output_text).toBe('Partial answer');
    expect(failed.output[0].status).toBe('incomplete');
    await expectStillServing();
  });

  it('keeps the upstream message in response.error', async () => {
    harness.mock.enqueue({
      kind: 'stream-error',
      afterText: 'x',
      error: { message: 'The model crashed.', code: 'model_error' },
    });
    const result = await postStream(harness, BASIC);
    expect(result.data.at(-1).response.error.message).toContain('The model crashed.');
  });
});

describe('client disconnects', () => {
  it('aborts the upstream call when a streaming client goes away', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: 'one two three four five six seven eight nine ten',
      chunks: Array.from({ length: 40 }, (_, i) => `w${i} `),
      delayMs: 50,
    });
    const abort = new AbortController();
    const response = await fetch(`${harness.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...BASIC, stream: true }),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('response.output_text.delta')) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended before the first delta');
      text += decoder.decode(value, { stream: true });
    }
    abort.abort();
    await reader.cancel().catch(() => {});
    await harness.mock.waitForAbort(1, 3000);
    expect(harness.mock.requests[0]!.aborted).toBe(true);
    await expectStillServing();
  });

  it('aborts the upstream call when a non-streaming client goes away', async () => {
    harness.mock.enqueue({ kind: 'hang' });
    const abort = new AbortController();
    const pending = fetch(`${harness.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(BASIC),
      signal: abort.signal,
    }).catch((error: Error) => error);
    await until(() => harness.mock.requests.length === 1);
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    await harness.mock.waitForAbort(1, 3000);
    await expectStillServing();
  });
});

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

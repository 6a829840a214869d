import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockGeminiUpstream, modelOfRequest, startMockGeminiUpstream } from './gemini-mock.js';

let upstream: MockGeminiUpstream;

beforeAll(async () => {
  upstream = await startMockGeminiUpstream({ apiKey: 'g-key' });
});
afterEach(() => upstream.reset());
afterAll(async () => {
  await upstream.close();
});

const BODY = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] };

function post(method: string, body: unknown = BODY, key = 'g-key') {
  return request(`${upstream.url}/v1beta/models/gemini-x:${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
    body: JSON.stringify(body),
  });
}

describe('Gemini mock', () => {
  it('answers generateContent with candidates, thought parts, signature and usage', async () => {
    upstream.enqueue({
      kind: 'text',
      text: 'Hello',
      thoughts: 'Greeting.',
      thoughtSignature: 'sig',
      functionCalls: [{ name: 'f', args: { a: 1 } }],
    });
    const res = await post('generateContent');
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Greeting.', thought: true },
              { text: 'Hello' },
              { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'sig' },
            ],
          },
          finishReason: 'STOP',
        },
      ],
      usageMetadata: { promptTokenCount: expect.any(Number), thoughtsTokenCount: expect.any(Number) },
    });
    expect(modelOfRequest(upstream.requests[0]!)).toBe('gemini-x');
  });

  it('streams CRLF-framed SSE chunks with alt=sse, and a JSON array without', async () => {
    upstream.enqueue({ kind: 'text', text: 'Hello world' }, { kind: 'text', text: 'Hello world' });
    const sse = await post('streamGenerateContent?alt=sse');
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    const raw = await sse.body.text();
    const chunks = raw
      .split('\r\n\r\n')
      .filter((b) => b !== '')
      .map((b) => JSON.parse(b.replace(/^data: /, '')));
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text).join('')).toBe('Hello world');
    expect(chunks.at(-1).candidates[0].finishReason).toBe('STOP');
    expect(chunks.slice(0, -1).every((c) => c.candidates[0].finishReason === undefined)).toBe(true);
    const array = (await (await post('streamGenerateContent')).body.json()) as unknown[];
    expect(array).toHaveLength(chunks.length);
  });

  it('refuses a bad key with 400 API_KEY_INVALID and an empty part with INVALID_ARGUMENT', async () => {
    const bad = await post('generateContent', BODY, 'wrong');
    expect(bad.statusCode).toBe(400);
    expect(await bad.body.json()).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] },
    });
    const empty = await post('generateContent', { contents: [{ role: 'user', parts: [{ text: '' }] }] });
    expect(empty.statusCode).toBe(400);
    expect(await empty.body.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
  });

  it('scripts quota errors, blocked prompts and mid-stream errors', async () => {
    upstream.enqueue(
      { kind: 'http-error', status: 429 },
      { kind: 'blocked', blockReason: 'SAFETY' },
      { kind: 'stream-error', afterText: 'Par' },
    );
    const quota = await post('generateContent');
    expect(quota.statusCode).toBe(429);
    expect(await quota.body.json()).toMatchObject({
      error: { status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '7s' }] },
    });
    expect(await (await post('generateContent')).body.json()).toMatchObject({
      promptFeedback: { blockReason: 'SAFETY' },
    });
    const raw = await (await post('streamGenerateContent?alt=sse')).body.text();
    expect(raw.trim().split('\r\n\r\n').at(-1)).toContain('"status":"UNAVAILABLE"');
  });
});

/**
 * Fallback chains through the gateway, over real HTTP: a second mock upstream serves when the first
 * fails retryably before its first byte (429, 503, timeout, refused connection); refusals and
 * failures after the first byte are the client's answer.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../../helpers/gateway-harness.js';
import { type MockChatUpstream, startMockChatUpstream } from '../../mocks/chat-completions-mock.js';

let harness: Harness;
let backup: MockChatUpstream;

beforeAll(async () => {
  backup = await startMockChatUpstream();
  const deadPort = await closedPort();
  harness = await startHarness({
    config: (primary) => ({
      providers: [
        { name: 'primary', type: 'openai-chat', baseUrl: primary.baseUrl, timeoutMs: 300 },
        { name: 'backup', type: 'openai-chat', baseUrl: backup.baseUrl },
        { name: 'dead', type: 'openai-chat', baseUrl: `http://127.0.0.1:${deadPort}/v1` },
      ],
      // Circuit breakers have their own tests; here the failures of one test must not open one.
      routing: { circuitBreaker: { enabled: false } },
      aliases: {
        fast: { strategy: 'fallback', targets: ['primary/a-model', { target: 'backup/b-model' }] },
        sturdy: { targets: ['dead/x-model', 'backup/b-model'] },
      },
    }),
  });
});
beforeEach(() => {
  harness.mock.reset();
  backup.reset();
  harness.mock.defaultReply = { kind: 'text', text: 'from primary' };
  backup.defaultReply = { kind: 'text', text: 'from backup' };
});
afterAll(async () => {
  await harness?.close();
  await backup?.close();
});

const ask = (model = 'fast') => harness.post('/v1/responses', { model, input: 'Hi' });

describe('fallback before the first byte', () => {
  it('uses the first target while it answers', async () => {
    const { status, body } = await ask();
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: 'fast', output_text: 'from primary' });
    expect(harness.mock.requests[0]!.body.model).toBe('a-model');
    expect(backup.requests).toHaveLength(0);
  });

  it.each([
    ['429', { kind: 'http-error', status: 429, headers: { 'retry-after': '30' } }],
    ['503', { kind: 'http-error', status: 503 }],
    ['500', { kind: 'http-error', status: 500 }],
    ['a dropped connection', { kind: 'drop' }],
  ] as const)('falls over to the next target on %s', async (_name, reply) => {
    harness.mock.enqueue(reply);
    const { status, body } = await ask();
    expect(status).toBe(200);
    // The Response echoes what the client asked for, whichever target served it.
    expect(body).toMatchObject({ model: 'fast', output_text: 'from backup' });
    expect(harness.mock.requests).toHaveLength(1);
    expect(backup.requests[0]!.body.model).toBe('b-model');
  });

  it('falls over when the first target does not answer within its timeoutMs, aborting that call', async () => {
    harness.mock.enqueue({ kind: 'hang' });
    const started = Date.now();
    const { status, body } = await ask();
    expect(status).toBe(200);
    expect(body.output_text).toBe('from backup');
    expect(Date.now() - started).toBeLessThan(3000);
    await harness.mock.waitForAbort(1);
  });

  it('falls over when the first target refuses connections', async () => {
    const { status, body } = await ask('sturdy');
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: 'sturdy', output_text: 'from backup' });
  });

  it('falls over for streaming requests too, before any event was sent', async () => {
    harness.mock.enqueue({ kind: 'http-error', status: 503 });
    const { status, events } = await harness.stream({ model: 'fast', input: 'Hi' });
    expect(status).toBe(200);
    expect(events[0]!.event).toBe('response.created');
    expect(events.at(-1)).toMatchObject({
      event: 'response.completed',
      data: { response: { model: 'fast', output_text: 'from backup' } },
    });
  });

  it('answers with the last failure when every target failed', async () => {
    harness.mock.enqueue({ kind: 'http-error', status: 503 });
    backup.enqueue({ kind: 'http-error', status: 429, headers: { 'retry-after': '4' } });
    const { status, headers, body } = await ask();
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('4');
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
  });
});

describe('no fallback', () => {
  it.each([
    ['400', 400, 'invalid_request_error'],
    ['404', 404, 'invalid_request_error'],
    ['401 (the gateway’s upstream key)', 502, 'server_error'],
  ] as const)('on %s: the answer is returned at once', async (name, status, type) => {
    harness.mock.enqueue({ kind: 'http-error', status: Number(name.slice(0, 3)) });
    const response = await ask();
    expect(response.status).toBe(status);
    expect(response.body.error.type).toBe(type);
    expect(backup.requests).toHaveLength(0);
  });

  it('after the first byte: a mid-stream failure fails the response', async () => {
    harness.mock.enqueue({ kind: 'stream-error', afterText: 'Half an ans', error: { message: 'boom' } });
    const { events } = await harness.stream({ model: 'fast', input: 'Hi' });
    expect(events.at(-1)).toMatchObject({ event: 'response.failed', data: { response: { model: 'fast' } } });
    expect(backup.requests).toHaveLength(0);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

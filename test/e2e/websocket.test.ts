/**
 * WebSocket mode on /v1/responses: `response.create` messages in, the SSE events out as JSON text
 * messages, responses one after another on one socket, `previous_response_id` from the
 * connection's cache (store:false too) and its eviction, error messages that keep the socket open,
 * and the upgrade refused with 401 on a bad key.
 */
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness, TEST_KEY, useHarness } from '../helpers/gateway-harness.js';
import { postStream, type StreamResult } from '../helpers/test-gateway.js';
import { transcript, upstreamMessages } from './state-helpers.js';
import { type Any, checkStream } from './stream-helpers.js';

const harness = useHarness(
  { kind: 'text', text: 'Hello from the mock upstream.' },
  { env: { RGW_API_KEYS: TEST_KEY } },
);

const MODEL = 'gpt-ws';
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/** A raw `ws` client that collects every message, with helpers to read one turn at a time. */
class Client {
  readonly raw: string[] = [];
  private read = 0;
  private wake: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.raw.push(data.toString());
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake?.();
      }),
    );
  }

  static async open(
    headers: Record<string, string> = { authorization: `Bearer ${TEST_KEY}` },
    on: Harness = harness,
  ) {
    const ws = new WebSocket(`${on.url.replace('http', 'ws')}/v1/responses`, { headers });
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  create(body: Record<string, unknown>): void {
    this.send({ type: 'response.create', model: MODEL, ...body });
  }

  async next(): Promise<{ text: string; data: Any }> {
    while (this.read >= this.raw.length) {
      if (this.ws.readyState !== WebSocket.OPEN) throw new Error('socket closed while waiting for a message');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const text = this.raw[this.read++]!;
    return { text, data: JSON.parse(text) };
  }

  /** The messages of one turn: up to its terminal event or an error message. */
  async turn(): Promise<{ texts: string[]; events: Any[] }> {
    const texts: string[] = [];
    const events: Any[] = [];
    for (;;) {
      const { text, data } = await this.next();
      texts.push(text);
      events.push(data);
      if (TERMINAL.has(data.type)) return { texts, events };
    }
  }

  async completed(body: Record<string, unknown>): Promise<Any> {
    this.create(body);
    const { events } = await this.turn();
    const last = events.at(-1);
    expect(last.type, JSON.stringify(last)).toBe('response.completed');
    return last.response;
  }

  async error(message: unknown): Promise<Any> {
    this.send(message);
    const { events } = await this.turn();
    expect(events).toHaveLength(1);
    return events[0];
  }

  close(): void {
    this.ws.close();
  }
}

/** The messages of a turn as the SSE writer would frame them, for the SSE stream checks. */
function asStream(texts: readonly string[]): StreamResult {
  const data = texts.map((text) => JSON.parse(text));
  return {
    status: 200,
    headers: new Headers({ 'content-type': 'text/event-stream' }),
    raw: data.map((event, i) => `event: ${event.type}\ndata: ${texts[i]}\n\n`).join(''),
    events: data.map((event) => ({ event: event.type, data: event })),
    data,
    types: data.map((event) => event.type),
  };
}

/** Events with what differs between two runs of one script (ids, times, obfuscation) blanked. */
function comparable(events: readonly Any[]): Any[] {
  return JSON.parse(JSON.stringify(events), (key, value) => {
    if ((key === 'created_at' || key === 'completed_at') && value != null) return 0;
    if (key === 'obfuscation') return '';
    if (typeof value === 'string') return value.replace(/^(resp|msg|rs|fc)_[0-9a-f]{48}$/, '$1_');
    return value;
  });
}

function expectWsError(message: Any, status: number, error: { code?: string | null; param?: string | null }) {
  expect(Object.keys(message).sort()).toEqual(['error', 'status', 'type']);
  expect(message.type).toBe('error');
  expect(message.status).toBe(status);
  expect(Object.keys(message.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(message.error.message).toEqual(expect.any(String));
  if (error.code !== undefined) expect(message.error.code).toBe(error.code);
  if (error.param !== undefined) expect(message.error.param).toBe(error.param);
}

describe('responses over one socket', () => {
  it('streams two responses in sequence with the same events as SSE', async () => {
    const scripts = [
      { kind: 'text' as const, text: 'First answer.', chunks: ['First', ' answer.'], reasoning: 'Think.' },
      { kind: 'text' as const, text: 'Second.', chunks: ['Sec', 'ond.'] },
    ];
    const bodies = [
      { model: MODEL, input: 'One?', metadata: { n: '1' } },
      { model: MODEL, input: 'Two?', store: false },
    ];
    const sse: StreamResult[] = [];
    for (const [i, body] of bodies.entries()) {
      harness.mock.enqueue(scripts[i]!);
      sse.push(await postStream(harness, body));
    }
    // The first upstream call is slow, so the second create waits in the connection's queue.
    harness.mock.enqueue({ ...scripts[0]!, delayMs: 20 }, scripts[1]!);
    const client = await Client.open();
    for (const body of bodies) client.send({ type: 'response.create', ...body });
    const turns = [await client.turn(), await client.turn()];
    for (const [i, turn] of turns.entries()) {
      const output = checkStream(asStream(turn.texts));
      expect(comparable(output)).toEqual(comparable(checkStream(sse[i]!)));
      expect(comparable(turn.events)).toEqual(comparable(sse[i]!.data));
    }
    expect(turns[0]!.events.at(-1).response.output_text).toBe('First answer.');
    expect(turns[1]!.events.at(-1).response.output_text).toBe('Second.');
    // The second upstream call started only after the first response ended.
    const [first, second] = harness.mock.requests.slice(-2);
    expect(second!.receivedAt).toBeGreaterThanOrEqual(first!.receivedAt + 20);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.close();
  });

  it('queues up to 16 creates behind the running one and refuses more', async () => {
    const client = await Client.open();
    harness.mock.enqueue({ kind: 'text', text: 'slow', chunks: ['s', 'low'], delayMs: 30 });
    for (let i = 0; i < 18; i++) client.create({ store: false, input: `n${i}` });
    const limited = (await client.next()).data;
    expectWsError(limited, 429, { code: null });
    const outputs: string[] = [];
    for (let i = 0; i < 17; i++) {
      const { events } = await client.turn();
      expect(events.at(-1).type).toBe('response.completed');
      outputs.push(events.at(-1).response.id);
    }
    expect(new Set(outputs).size).toBe(17);
    expect(harness.mock.requests.map((r) => r.body.messages.at(-1).content)).toEqual(
      Array.from({ length: 17 }, (_, i) => `n${i}`),
    );
    client.close();
  });

  it('stores a store:true response, readable and replayable over HTTP', async () => {
    const client = await Client.open();
    harness.mock.enqueue({ kind: 'text', text: 'Stored over a socket.' });
    client.create({ input: 'Store me' });
    const { texts } = await client.turn();
    const response = JSON.parse(texts.at(-1)!).response;
    const got = await harness.get(`/v1/responses/${response.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(response);
    const replay = await fetch(`${harness.baseURL}/responses/${response.id}?stream=true`, {
      headers: { authorization: `Bearer ${TEST_KEY}` },
    });
    const replayed = (await replay.text())
      .split('\n\n')
      .filter((block) => block !== '')
      .map((block) => block.split('\n')[1]!.slice('data: '.length));
    expect(replayed).toEqual(texts);
    client.close();
  });

  it('works with the SDK WebSocket client', async () => {
    const client = new OpenAI({ baseURL: harness.baseURL, apiKey: TEST_KEY, maxRetries: 0 });
    const socket = new ResponsesWS(client);
    harness.mock.enqueue({ kind: 'text', text: 'Hi over the SDK.', chunks: ['Hi', ' over the SDK.'] });
    const deltas: string[] = [];
    socket.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const done = new Promise<Any>((resolve, reject) => {
      socket.on('response.completed', (event) => resolve(event.response));
      socket.on('error', reject);
    });
    socket.send({ type: 'response.create', model: MODEL, input: 'Hi' });
    const response = await done;
    expect(deltas).toEqual(['Hi', ' over the SDK.']);
    expect(response.output_text).toBe('Hi over the SDK.');

    const failed = new Promise<Any>((resolve) => socket.on('error', (error) => resolve(error.error)));
    socket.send({ type: 'response.create', model: MODEL, store: false, previous_response_id: 'resp_nope' });
    expect(await failed).toMatchObject({ type: 'error', status: 400 });
    socket.close();
  });
});

describe('previous_response_id within the socket', () => {
  it('continues store:false responses from the connection cache, never from the store', async () => {
    const client = await Client.open();
    harness.mock.enqueue(
      { kind: 'text', text: 'Nice to meet you, Ada.' },
      { kind: 'text', text: 'Your name is Ada.' },
      { kind: 'text', text: 'You asked twice.' },
    );
    const first = await client.completed({
      store: false,
      input: 'My name is Ada.',
      instructions: 'Be brief.',
    });
    const second = await client.completed({
      store: false,
      previous_response_id: first.id,
      input: [{ role: 'user', content: 'What is my name?' }],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: My name is Ada.',
      'assistant: Nice to meet you, Ada.',
      'user: What is my name?',
    ]);
    const third = await client.completed({ store: false, previous_response_id: second.id, input: 'Again?' });
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: My name is Ada.',
      'assistant: Nice to meet you, Ada.',
      'user: What is my name?',
      'assistant: Your name is Ada.',
      'user: Again?',
    ]);
    // Nothing was stored: HTTP and other sockets cannot continue these responses.
    expect((await harness.get(`/v1/responses/${third.id}`)).status).toBe(404);
    const http = await harness.post('/v1/responses', {
      model: MODEL,
      previous_response_id: third.id,
      input: 'x',
    });
    expect(http.body.error.code).toBe('previous_response_not_found');
    const other = await Client.open();
    expectWsError(
      await other.error({
        type: 'response.create',
        model: MODEL,
        store: false,
        previous_response_id: third.id,
      }),
      400,
      {
        code: 'previous_response_not_found',
        param: 'previous_response_id',
      },
    );
    // Only the latest response is cached: an older one of this socket is gone too.
    expectWsError(
      await client.error({
        type: 'response.create',
        model: MODEL,
        store: false,
        previous_response_id: first.id,
      }),
      400,
      {
        code: 'previous_response_not_found',
      },
    );
    // ... and a miss leaves the cache as it was.
    await client.completed({ store: false, previous_response_id: third.id, input: 'Still there?' });
    other.close();
    client.close();
  });

  it('evicts the cached response when a continuation of it fails before the upstream answers', async () => {
    const client = await Client.open();
    const first = await client.completed({ store: false, input: 'Remember: ember.' });
    harness.mock.enqueue({ kind: 'http-error', status: 400 });
    const failed = await client.error({
      type: 'response.create',
      model: MODEL,
      store: false,
      previous_response_id: first.id,
      input: 'Go on',
    });
    expectWsError(failed, 400, {});
    expectWsError(
      await client.error({
        type: 'response.create',
        model: MODEL,
        store: false,
        previous_response_id: first.id,
        input: 'Again',
      }),
      400,
      {
        code: 'previous_response_not_found',
      },
    );
    client.close();
  });

  it('evicts the cached response when a continuation of it ends as failed mid-stream', async () => {
    const client = await Client.open();
    const first = await client.completed({ store: false, input: 'Remember: slate.' });
    harness.mock.enqueue({ kind: 'stream-error', afterText: 'Partial', error: { message: 'boom' } });
    client.create({ store: false, previous_response_id: first.id, input: 'Go on' });
    const { events } = await client.turn();
    expect(events.at(-1).type).toBe('response.failed');
    expectWsError(
      await client.error({
        type: 'response.create',
        model: MODEL,
        store: false,
        previous_response_id: first.id,
      }),
      400,
      {
        code: 'previous_response_not_found',
      },
    );
    client.close();
  });

  it('keeps the cache through failures that do not continue it, and after eviction falls back to the store', async () => {
    const client = await Client.open();
    const first = await client.completed({ store: false, input: 'Only cached.' });
    // Failures of requests that do not continue the cached response leave it alone.
    expectWsError(await client.error({ type: 'response.create', model: MODEL, temperature: 'hot' }), 400, {
      param: 'temperature',
    });
    harness.mock.enqueue({ kind: 'http-error', status: 400 });
    expectWsError(await client.error({ type: 'response.create', model: MODEL, input: 'x' }), 400, {});
    await client.completed({ store: false, previous_response_id: first.id, input: 'From the cache' });
    // A failed continuation evicts it, but a stored response is still found in the store.
    const second = await client.completed({ input: 'Stored too.' });
    harness.mock.enqueue({ kind: 'http-error', status: 400 });
    await client.error({
      type: 'response.create',
      model: MODEL,
      previous_response_id: second.id,
      input: 'x',
    });
    await client.completed({ previous_response_id: second.id, input: 'From the store' });
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: Stored too.',
      'assistant: Hello from the mock upstream.',
      'user: From the store',
    ]);
    client.close();
  });
});

describe('errors keep the socket open', () => {
  it('answers each bad message with an error message in the HTTP error shape', async () => {
    const client = await Client.open();
    expectWsError(await client.error('{not json'), 400, { param: null });
    expectWsError(await client.error('[1,2]'), 400, { code: 'invalid_type' });
    expectWsError(await client.error({ model: MODEL, input: 'x' }), 400, {
      code: 'missing_required_parameter',
      param: 'type',
    });
    expectWsError(await client.error({ type: 'response.cancel' }), 400, {
      code: 'invalid_value',
      param: 'type',
    });
    expectWsError(await client.error({ type: 'response.create', model: MODEL, background: true }), 400, {
      param: 'background',
    });
    // Validation errors are the ones POST /v1/responses gives.
    for (const body of [
      { model: MODEL, input: 'x', temperature: 'hot' },
      { model: MODEL, input: 'x', bogus: 1 },
      { input: 'x' },
      { model: MODEL, input: [{ type: 'item_reference', id: 'msg_missing' }] },
    ]) {
      const http = await harness.post('/v1/responses', body);
      const ws = await client.error({ type: 'response.create', ...body });
      expect(ws).toEqual({ type: 'error', status: http.status, error: http.body.error });
    }
    // Upstream failures before the first byte carry the upstream's status and error.
    harness.mock.enqueue({ kind: 'http-error', status: 429, headers: { 'retry-after': '1' } });
    const limited = await client.error({ type: 'response.create', model: MODEL, input: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.error.code).toBe('rate_limit_exceeded');
    // After all that, the socket still serves responses; `stream` is implied and ignored.
    const response = await client.completed({ input: 'Still open?', stream: false });
    expect(response.status).toBe('completed');
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.close();
  });

  it('stops the upstream call and stores what was produced when the client disconnects', async () => {
    const client = await Client.open();
    harness.mock.enqueue({
      kind: 'text',
      text: 'a b c d e f g h',
      chunks: ['a ', 'b ', 'c ', 'd ', 'e ', 'f ', 'g ', 'h'],
      delayMs: 50,
    });
    client.create({ input: 'Long one' });
    let created: Any;
    for (;;) {
      const { data } = await client.next();
      created ??= data.response;
      if (data.type === 'response.output_text.delta') break;
    }
    client.ws.terminate();
    await harness.mock.waitForAbort(harness.mock.requests.length);
    await expect
      .poll(async () => (await harness.get(`/v1/responses/${created.id}`)).body.status)
      .toBe('cancelled');
    const stored = (await harness.get(`/v1/responses/${created.id}`)).body;
    expect(stored.output_text.startsWith('a ')).toBe(true);
  });
});

describe('the upgrade', () => {
  async function refused(headers: Record<string, string>, path = '/v1/responses') {
    const ws = new WebSocket(`${harness.url.replace('http', 'ws')}${path}`, { headers });
    return new Promise<{ status: number; body: Any }>((resolve, reject) => {
      ws.on('open', () => reject(new Error('upgrade was accepted')));
      ws.on('error', () => {});
      ws.on('unexpected-response', (_request, response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      });
    });
  }

  it('is refused with 401 and the HTTP error body for a bad or missing key', async () => {
    const bad = await refused({ authorization: 'Bearer wrong-key' });
    const http = await harness.post(
      '/v1/responses',
      { model: MODEL, input: 'x' },
      { authorization: 'Bearer wrong-key' },
    );
    expect(bad).toEqual({ status: 401, body: http.body });
    expect(bad.body.error.code).toBe('invalid_api_key');
    const missing = await refused({});
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toMatch(/didn't provide an API key/);
  });

  it('is refused with 404 on other paths', async () => {
    const other = await refused({ authorization: `Bearer ${TEST_KEY}` }, '/v1/conversations');
    expect(other.status).toBe(404);
    expect(other.body.error.type).toBe('invalid_request_error');
  });
});

describe('shutdown', () => {
  it('ends the running response as failed, then closes open sockets with 1001', async () => {
    const own = await startHarness();
    try {
      const client = await Client.open(undefined, own);
      const idle = await Client.open(undefined, own);
      own.mock.enqueue({ kind: 'text', text: 'x'.repeat(40), chunks: Array(40).fill('x'), delayMs: 50 });
      client.create({ input: 'Long one' });
      let id: string | undefined;
      for (;;) {
        const { data } = await client.next();
        id ??= data.response?.id;
        if (data.type === 'response.output_text.delta') break;
      }
      const closing = own.gateway.close();
      const { events } = await client.turn();
      expect(events.at(-1).type).toBe('response.failed');
      expect(events.at(-1).response.error.message).toMatch(/shut down/);
      expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
      expect((await idle.closed).code).toBe(1001);
      await closing;
      expect(id).toBeDefined();
    } finally {
      await own.mock.close();
    }
  });
});

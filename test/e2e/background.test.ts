/**
 * Background mode end to end: queued at once, polled to completion, the same output as a
 * foreground run, resumable streams from every sequence number (while running and after), cancel
 * from another client, the worker pool, the SDK; and a foreground stream whose client goes away.
 */
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import { TEST_KEY, useHarness } from '../helpers/gateway-harness.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { expectWholeSequence, type ReadOptions, readStream } from './event-stream.js';
import { expectError } from './state-helpers.js';
import { type Any, withoutIds } from './stream-helpers.js';

let otherKey: string;
const WORKERS = 2;

const harness = useHarness(
  { kind: 'text', text: 'Hello from the mock upstream.' },
  {
    env: { RGW_API_KEYS: TEST_KEY },
    config: { background: { workers: WORKERS, cancelPollMs: 50 } },
  },
);
beforeAll(async () => {
  otherKey = (await createKey(harness.gateway.store, { tenant: 'other', name: 'other' })).key;
});

const MODEL = 'gpt-bg';
const TERMINAL = new Set(['completed', 'incomplete', 'failed', 'cancelled']);

/** A reply slow enough to be watched while it runs. */
function slow(pieces: number, delayMs: number, extra: Partial<Extract<MockReply, { kind: 'text' }>> = {}) {
  const chunks = Array.from({ length: pieces }, (_, i) => `w${i} `);
  return { kind: 'text' as const, text: chunks.join(''), chunks, delayMs, ...extra };
}

function stream(id: string, after?: number, options: Partial<ReadOptions> = {}) {
  const query = after === undefined ? '' : `&starting_after=${after}`;
  return readStream(`${harness.baseURL}/responses/${id}?stream=true${query}`, { key: TEST_KEY, ...options });
}

async function createBackground(body: Record<string, unknown> = {}): Promise<Any> {
  const created = await harness.post('/v1/responses', {
    model: MODEL,
    input: 'Hi',
    background: true,
    ...body,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body;
}

async function settled(id: string, key = TEST_KEY): Promise<Any> {
  let last: Any;
  await expect
    .poll(
      async () => {
        last = (await harness.get(`/v1/responses/${id}`, { authorization: `Bearer ${key}` })).body;
        return TERMINAL.has(last.status);
      },
      { timeout: 10_000, interval: 10 },
    )
    .toBe(true);
  return last;
}

function cancel(id: string, key = TEST_KEY) {
  return harness.post(`/v1/responses/${id}/cancel`, undefined, { authorization: `Bearer ${key}` });
}

describe('creating and polling', () => {
  it('answers queued at once, then completes with the output a foreground run gives', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'Same either way.', reasoning: 'Hmm.', delayMs: 40 });
    const queued = await createBackground({ input: 'Say it', metadata: { k: 'v' } });
    expect(queued).toMatchObject({
      status: 'queued',
      background: true,
      output: [],
      usage: null,
      store: true,
    });
    expect(queued.metadata).toEqual({ k: 'v' });
    // The answer did not wait for the upstream, which takes several delays to finish.
    expect(['queued', 'in_progress']).toContain(
      (await harness.get(`/v1/responses/${queued.id}`)).body.status,
    );
    const done = await settled(queued.id);
    expect(done.status).toBe('completed');

    harness.mock.enqueue({ kind: 'text', text: 'Same either way.', reasoning: 'Hmm.' });
    const foreground = await harness.post('/v1/responses', {
      model: MODEL,
      input: 'Say it',
      metadata: { k: 'v' },
    });
    const [bg, fg] = [withoutIds(done), withoutIds(foreground.body)];
    expect(bg.background).toBe(true);
    expect(fg.background).toBe(false);
    expect({ ...bg, background: false }).toEqual(fg);
    // The model saw the same request (a background run streams from the upstream).
    const [a, b] = harness.mock.requests;
    expect(a!.body.messages).toEqual(b!.body.messages);
  });

  it('streams the opening events at once when stream is true, then the run', async () => {
    harness.mock.enqueue(slow(3, 20));
    const result = await readStream(`${harness.baseURL}/responses`, {
      method: 'POST',
      key: TEST_KEY,
      body: { model: MODEL, input: 'Hi', background: true, stream: true },
    });
    const { events } = result;
    expectWholeSequence(events);
    expect(events.slice(0, 3).map((e) => [e.type, e.response.status])).toEqual([
      ['response.created', 'queued'],
      ['response.queued', 'queued'],
      ['response.in_progress', 'in_progress'],
    ]);
    expect(events.at(-1).type).toBe('response.completed');
    expect(events.at(-1).response.output_text).toBe('w0 w1 w2 ');
    expect((await harness.get(`/v1/responses/${events[0].response.id}`)).body).toEqual(
      events.at(-1).response,
    );
  });

  it('queues many responses behind a small worker pool and completes them all', async () => {
    harness.mock.defaultReply = slow(2, 15);
    const ids: string[] = [];
    for (let i = 0; i < 3 * WORKERS + 1; i++) ids.push((await createBackground({ input: `n${i}` })).id);
    let mostRunning = 0;
    await expect
      .poll(
        async () => {
          // Read from the store in one go (no I/O in between), so the statuses are one snapshot.
          const store = harness.gateway.store.responses;
          const statuses = await Promise.all(ids.map(async (id) => (await store.get('default', id))!.status));
          mostRunning = Math.max(mostRunning, statuses.filter((s) => s === 'in_progress').length);
          return statuses.every((s) => s === 'completed');
        },
        { timeout: 10_000, interval: 5 },
      )
      .toBe(true);
    expect(mostRunning).toBeGreaterThan(0);
    expect(mostRunning).toBeLessThanOrEqual(WORKERS);
    // Taken in the order queued (workers running side by side may reach the upstream in either order).
    const order = harness.mock.requests.map((r) => Number(r.body.messages.at(-1).content.slice(1)));
    expect([...order].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
    for (const [position, n] of order.entries()) expect(Math.abs(n - position)).toBeLessThan(WORKERS);
  });

  it('refuses background with store:false, as OpenAI does', async () => {
    const refused = await harness.post('/v1/responses', {
      model: MODEL,
      input: 'x',
      background: true,
      store: false,
    });
    expectError(refused, 400, { param: 'store' });
    expect(harness.mock.requests).toHaveLength(0);
  });
});

describe('resuming a stream after any sequence number', () => {
  it('gives exactly the events after N, for every N, while running and after completion', async () => {
    harness.mock.enqueue(slow(6, 15, { reasoning: 'Think first.' }));
    const { id } = await createBackground();
    // Client B follows from the start; at each event it receives, another client resumes after it.
    const resumed = new Map<number, ReturnType<typeof stream>>();
    const whole = await stream(id, undefined, {
      onEvent: (event) => {
        resumed.set(event.sequence_number, stream(id, event.sequence_number));
      },
    });
    expectWholeSequence(whole.events);
    expect(whole.events.at(-1).type).toBe('response.completed');
    const last = whole.events.length - 1;
    expect([...resumed.keys()]).toEqual(whole.events.map((_, i) => i));
    for (const [after, pending] of resumed) {
      const { texts } = await pending;
      expect(texts, `resumed after ${after} while running`).toEqual(whole.texts.slice(after + 1));
    }
    // After completion everything comes from the event log.
    const fromLog = await Promise.all(
      [undefined, ...Array.from({ length: last + 1 }, (_, i) => i)].map((n) => stream(id, n)),
    );
    fromLog.forEach((result, i) => {
      expect(result.texts, `resumed after ${i - 1} from the log`).toEqual(whole.texts.slice(i));
    });
  });

  it('replays a finished foreground stream; refuses responses without one', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'Streamed.' });
    const first = await readStream(`${harness.baseURL}/responses`, {
      method: 'POST',
      key: TEST_KEY,
      body: { model: MODEL, input: 'Hi', stream: true },
    });
    const id = first.events[0].response.id;
    expect((await stream(id, 2)).texts).toEqual(first.texts.slice(3));
    const plain = await harness.post('/v1/responses', { model: MODEL, input: 'Hi' });
    expectError(await streamError(plain.body.id), 400, { param: 'stream' });
    expectError(await streamError('resp_unknown'), 404);
  });
});

async function streamError(id: string): Promise<{ status: number; body: Any }> {
  const result = await stream(id);
  return { status: result.status, body: result.body };
}

describe('cancel', () => {
  it('client A creates, client B streams, client C cancels: the stream ends, the work stops, output is kept', async () => {
    harness.mock.enqueue(slow(50, 20));
    const { id } = await createBackground({ input: 'Long job' });
    let deltas = 0;
    let cancelled: Promise<{ status: number; body: Any }> | undefined;
    const followed = await stream(id, undefined, {
      onEvent: (event) => {
        if (event.type === 'response.output_text.delta' && ++deltas === 2) cancelled = cancel(id);
      },
    });
    const answer = await cancelled!;
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('cancelled');
    await harness.mock.waitForAbort(1);
    // B's stream ended with what was produced before the cancel, in order, without gaps.
    const seqs = followed.events.map((e) => e.sequence_number);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(
      followed.events.filter((e) => e.type === 'response.output_text.delta').length,
    ).toBeGreaterThanOrEqual(2);
    const stored = (await harness.get(`/v1/responses/${id}`)).body;
    expect(stored).toEqual(answer.body);
    expect(stored.output_text.startsWith('w0 w1 ')).toBe(true);
    expect(stored.output_text.length).toBeLessThan(50 * 3);
    // Cancelling again answers the same.
    const again = await cancel(id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(stored);
    // The replay ends where the live stream ended.
    expect((await stream(id)).texts).toEqual(followed.texts);
  });

  it('cancels a response whose upstream has not answered yet', async () => {
    harness.mock.enqueue({ kind: 'hang' });
    const { id } = await createBackground();
    await expect.poll(() => harness.mock.requests.length).toBe(1);
    const answer = await cancel(id);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.status).toBe('cancelled');
    await harness.mock.waitForAbort(1);
    expect((await harness.get(`/v1/responses/${id}`)).body.status).toBe('cancelled');
  });

  it('cancels a response still waiting for a worker; it never runs', async () => {
    harness.mock.defaultReply = { kind: 'hang' };
    const busy = [await createBackground(), await createBackground()];
    await expect.poll(() => harness.mock.requests.length).toBe(WORKERS);
    const waiting = await createBackground({ input: 'never' });
    const follower = stream(waiting.id);
    const answer = await cancel(waiting.id);
    expect(answer.body.status).toBe('cancelled');
    // Its followers' stream ends after the opening events.
    expect((await follower).events.map((e) => e.type)).toEqual(['response.created', 'response.queued']);
    for (const { id } of busy) expect((await cancel(id)).body.status).toBe('cancelled');
    await harness.mock.waitForAbort(WORKERS);
    expect(harness.mock.requests.some((r) => r.body.messages.at(-1).content === 'never')).toBe(false);
  });

  it('refuses what cannot be cancelled', async () => {
    const done = await createBackground();
    await settled(done.id);
    expectError(await cancel(done.id), 400);
    const plain = await harness.post('/v1/responses', { model: MODEL, input: 'Hi' });
    expectError(await cancel(plain.body.id), 400);
    expectError(await cancel('resp_0123'), 404);
    // Another tenant's response is not found, and stays as it was.
    harness.mock.enqueue({ kind: 'hang' });
    const mine = await createBackground();
    expectError(await cancel(mine.id, otherKey), 404);
    expect(
      (await harness.get(`/v1/responses/${mine.id}`, { authorization: `Bearer ${otherKey}` })).status,
    ).toBe(404);
    expect((await cancel(mine.id)).body.status).toBe('cancelled');
  });
});

describe('the SDK', () => {
  it('creates, retrieves, resumes a stream and cancels', async () => {
    const client = new OpenAI({ baseURL: harness.baseURL, apiKey: TEST_KEY, maxRetries: 0, timeout: 10_000 });
    harness.mock.enqueue(slow(3, 10));
    const created = await client.responses.create({ model: MODEL, input: 'Hi', background: true });
    expect(created.status).toBe('queued');
    let current = await client.responses.retrieve(created.id);
    while (current.status === 'queued' || current.status === 'in_progress') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      current = await client.responses.retrieve(created.id);
    }
    expect(current.status).toBe('completed');
    expect(current.output_text).toBe('w0 w1 w2 ');

    const events: Any[] = [];
    for await (const event of await client.responses.retrieve(created.id, {
      stream: true,
      starting_after: 3,
    })) {
      events.push(event);
    }
    expect(events[0].sequence_number).toBe(4);
    expectWholeSequence(events, 4);
    expect(events.at(-1).response).toEqual(current);

    harness.mock.enqueue({ kind: 'hang' });
    const hanging = await client.responses.create({ model: MODEL, input: 'Hi', background: true });
    const cancelled = await client.responses.cancel(hanging.id);
    expect(cancelled.status).toBe('cancelled');
  });
});

describe('a foreground stream whose client goes away', () => {
  it('is stored as cancelled with what was produced, and the upstream call is aborted', async () => {
    harness.mock.enqueue(slow(50, 20));
    let deltas = 0;
    const partial = await readStream(`${harness.baseURL}/responses`, {
      method: 'POST',
      key: TEST_KEY,
      body: { model: MODEL, input: 'Hi', stream: true },
      onEvent: (event) => event.type === 'response.output_text.delta' && ++deltas === 2,
    });
    const id = partial.events[0].response.id;
    await harness.mock.waitForAbort(1);
    const stored = await settled(id);
    expect(stored.status).toBe('cancelled');
    expect(stored.output_text.startsWith('w0 w1 ')).toBe(true);
    expect(stored.output[0].status).toBe('incomplete');
    // Its event log holds what was sent, without a terminal event.
    const replay = await stream(id);
    expect(replay.texts.slice(0, partial.texts.length)).toEqual(partial.texts);
  });
});

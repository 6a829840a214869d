/** Per-provider `maxConcurrent`: a bounded FIFO queue, then 429; slots come back however a call ends. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../../src/providers/routing/concurrency-limiter.js';
import { LimitedLanguageModel } from '../../../src/providers/routing/limited-model.js';
import type { StreamPart } from '../../../src/providers/types.js';
import { type Harness, startHarness } from '../../helpers/gateway-harness.js';
import { FakeClock, request, ScriptedModel, TEXT, upstreamError } from './routing-fakes.js';

const never = new AbortController().signal;

function limiter(maxConcurrent: number, maxQueued: number, clock = new FakeClock(false)) {
  return new ConcurrencyLimiter({ provider: 'p', maxConcurrent, maxQueued, queueTimeoutMs: 5000 }, clock);
}

describe('ConcurrencyLimiter', () => {
  it('queues calls beyond the limit and hands freed slots over in arrival order', async () => {
    const limit = limiter(1, 5);
    const first = await limit.acquire(never);
    const order: string[] = [];
    const granted = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const second = limit.acquire(never).then(granted('second'));
    const third = limit.acquire(never).then(granted('third'));
    expect(limit.waiting).toBe(2);
    first();
    first(); // a second release changes nothing
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(limit.inFlight).toBe(0);
  });

  it('answers 429 rate_limit_exceeded when the queue is full', async () => {
    const limit = limiter(1, 1);
    await limit.acquire(never);
    void limit.acquire(never);
    const refused = await limit.acquire(never).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    expect((refused as Error).message).toBe(
      "Too many concurrent requests to provider 'p': 1 are in flight (its maxConcurrent) and its queue is full. Retry shortly.",
    );
  });

  it('answers 429 when no slot frees within queueTimeoutMs', async () => {
    const clock = new FakeClock(false);
    const limit = limiter(1, 5, clock);
    const held = await limit.acquire(never);
    const waiting = limit.acquire(never);
    clock.advance(5000);
    await expect(waiting).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining('no slot freed within 5000 ms'),
    });
    expect(limit.waiting).toBe(0);
    held();
    expect(limit.inFlight).toBe(0);
  });

  it('drops an aborted waiter at once, without leaking its slot', async () => {
    const limit = limiter(1, 5);
    const held = await limit.acquire(never);
    const controller = new AbortController();
    const waiting = limit.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(limit.waiting).toBe(0);
    held();
    expect(limit.inFlight).toBe(0);
  });
});

describe('LimitedLanguageModel', () => {
  const limited = (script: ConstructorParameters<typeof ScriptedModel>[1]) => {
    const limit = limiter(1, 0);
    return { limit, model: new LimitedLanguageModel(new ScriptedModel('p', script), limit) };
  };

  it('holds the slot until the stream ends', async () => {
    const { limit, model } = limited([TEXT]);
    const parts = (await model.stream(request(), { signal: never })) as AsyncIterable<StreamPart>;
    expect(limit.inFlight).toBe(1);
    for await (const _ of parts);
    expect(limit.inFlight).toBe(0);
  });

  it('frees it when the call fails, the consumer stops early, or the call is aborted', async () => {
    const failing = limited([upstreamError(503)]);
    await expect(failing.model.stream(request(), { signal: never })).rejects.toMatchObject({ status: 503 });
    expect(failing.limit.inFlight).toBe(0);

    const early = limited([TEXT]);
    const parts = (await early.model.stream(request(), { signal: never })) as AsyncIterable<StreamPart>;
    for await (const _ of parts) break;
    expect(early.limit.inFlight).toBe(0);

    const aborted = limited([TEXT]);
    const controller = new AbortController();
    await aborted.model.stream(request(), { signal: controller.signal });
    controller.abort();
    expect(aborted.limit.inFlight).toBe(0);

    const generated = limited([TEXT]);
    await generated.model.generate(request(), { signal: never });
    expect(generated.limit.inFlight).toBe(0);
  });
});

describe('maxConcurrent through the gateway', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      config: (mock) => ({
        providers: [
          { name: 'capped', type: 'openai-chat', baseUrl: mock.baseUrl, maxConcurrent: 1, maxQueued: 1 },
        ],
      }),
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('queues one request, refuses the next with 429, and serves again once slots free', async () => {
    harness.mock.defaultReply = { kind: 'text', text: 'slow answer', delayMs: 400 };
    const ask = () => harness.post('/v1/responses', { model: 'capped/m', input: 'Hi' });
    const first = ask();
    while (harness.mock.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const queued = ask();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.mock.requests).toHaveLength(1);
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(refused.body.error.message).toMatch(/provider 'capped'.*maxConcurrent.*queue is full/);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await first).status).toBe(200);
    expect((await queued).status).toBe(200);
    // Both slots came back: two more go through one after the other.
    const [again, more] = await Promise.all([ask(), ask()]);
    expect([again.status, more.status]).toEqual([200, 200]);
    expect(harness.mock.requests).toHaveLength(4);
  });
});

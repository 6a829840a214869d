/** Circuit breakers per target: open after N consecutive failures, half-open after the cool-down. */
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors.js';
import { CircuitBreaker } from '../../../src/providers/routing/circuit-breaker.js';
import { call, FakeClock, fakeRegistry, ScriptedModel, TEXT, upstreamError } from './routing-fakes.js';

const BREAKER = { enabled: true, failureThreshold: 3, cooldownMs: 10_000 };

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one probe through after the cool-down, and closes on success', () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker(BREAKER, clock);
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    clock.advance(9_999);
    expect(breaker.tryAcquire()).toBe(false);
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    // One probe at a time.
    expect(breaker.tryAcquire()).toBe(false);
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('reopens for a whole cool-down when the probe fails, and frees the probe when it says nothing', () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker(BREAKER, clock);
    for (let i = 0; i < 3; i++) breaker.onFailure();
    clock.advance(10_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.reopensAt).toBe(clock.now() + 10_000);
    clock.advance(10_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.release();
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('never opens when disabled', () => {
    const breaker = new CircuitBreaker({ ...BREAKER, enabled: false }, new FakeClock());
    for (let i = 0; i < 10; i++) breaker.onFailure();
    expect(breaker.tryAcquire()).toBe(true);
  });
});

describe('circuit breakers in a route', () => {
  const routing = { circuitBreaker: { failureThreshold: 3, cooldownMs: 10_000 } };

  it('skips an open target until its cool-down ends, then probes it and closes', async () => {
    const clock = new FakeClock();
    const a = new ScriptedModel('a', [upstreamError(503), upstreamError(503), upstreamError(503), TEXT]);
    const b = new ScriptedModel('b');
    const registry = fakeRegistry(
      { a, b },
      { routing, aliases: { chain: { targets: ['a/x', 'b/y'] } } },
      { clock },
    );
    for (let i = 0; i < 3; i++) await call(registry, 'chain');
    expect(a.calls).toHaveLength(3);
    expect(b.calls).toHaveLength(3);
    // Open: a is not even tried.
    await call(registry, 'chain');
    await call(registry, 'chain');
    expect(a.calls).toHaveLength(3);
    expect(b.calls).toHaveLength(5);
    clock.advance(10_000);
    // Half-open: one probe, which succeeds and closes the circuit.
    await call(registry, 'chain');
    expect(a.calls).toHaveLength(4);
    expect(b.calls).toHaveLength(5);
    await call(registry, 'chain');
    expect(a.calls).toHaveLength(5);
  });

  it('is shared by every route to the same target, and per target (not per provider)', async () => {
    const clock = new FakeClock();
    const a = new ScriptedModel('a', [upstreamError(500)]);
    const registry = fakeRegistry({ a }, { routing, aliases: { one: { targets: ['a/x'] } } }, { clock });
    for (let i = 0; i < 3; i++) await expect(call(registry, 'one')).rejects.toMatchObject({ status: 500 });
    // The same target named directly is open too: a 503 without calling upstream.
    const open = await call(registry, 'a/x').catch((error: unknown) => error);
    expect(open).toBeInstanceOf(UpstreamError);
    expect(open).toMatchObject({ status: 503, code: 'upstream_unavailable', retryAfterMs: 10_000 });
    expect((open as Error).message).toMatch(/circuit breaker open/);
    expect(a.calls).toHaveLength(3);
    // Another model of the same provider still goes through.
    await expect(call(registry, 'a/other')).rejects.toMatchObject({ status: 500 });
    expect(a.calls).toEqual(['x', 'x', 'x', 'other']);
  });

  it('does not count rate limits as failures, and a refusal (the upstream answered) resets the count', async () => {
    const a = new ScriptedModel('a', [
      upstreamError(503),
      upstreamError(503),
      upstreamError(429),
      upstreamError(429),
      upstreamError(429),
      new UpstreamError('bad', { status: 400, retryable: false }),
      upstreamError(503),
      upstreamError(503),
      TEXT,
    ]);
    const registry = fakeRegistry({ a }, { routing });
    for (let i = 0; i < 8; i++) await call(registry, 'a/m').catch(() => {});
    // Had the 429s counted, the third failure in a row would have opened the circuit.
    await expect(call(registry, 'a/m')).resolves.toEqual(TEXT);
    expect(a.calls).toHaveLength(9);
  });
});

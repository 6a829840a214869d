/** Retries: rounds over the targets after a backoff that honours Retry-After, cut short by aborts. */
import { describe, expect, it } from 'vitest';
import { GatewayError, UpstreamError } from '../../../src/errors.js';
import { jitteredBackoff, retryDelay } from '../../../src/providers/routing/backoff.js';
import { systemClock } from '../../../src/providers/routing/clock.js';
import { call, FakeClock, fakeRegistry, ScriptedModel, TEXT, upstreamError } from './routing-fakes.js';

const settings = { initialBackoffMs: 500, maxBackoffMs: 8000, maxRetryAfterMs: 20_000 };

describe('backoff', () => {
  it('is exponential with full jitter, capped', () => {
    expect([0, 1, 2, 3, 4, 5].map((round) => jitteredBackoff(round, settings, () => 0.999999))).toEqual([
      499, 999, 1999, 3999, 7999, 7999,
    ]);
    expect(jitteredBackoff(3, settings, () => 0)).toBe(0);
    expect(jitteredBackoff(2, settings, () => 0.5)).toBe(1000);
  });

  it('waits for the soonest Retry-After when every failure gave one, and gives up past the cap', () => {
    const half = () => 0.5;
    expect(retryDelay(0, [upstreamError(429, 7000), upstreamError(503, 3000)], settings, half)).toBe(3000);
    // One failure without Retry-After: plain backoff.
    expect(retryDelay(0, [upstreamError(429, 7000), upstreamError(503)], settings, half)).toBe(250);
    // A Retry-After shorter than the backoff does not shorten it.
    expect(retryDelay(3, [upstreamError(429, 10)], settings, half)).toBe(2000);
    expect(retryDelay(0, [upstreamError(429, 20_001)], settings, half)).toBeUndefined();
  });
});

describe('retries through a route', () => {
  it('retries a single target after its Retry-After, then succeeds', async () => {
    const clock = new FakeClock();
    const a = new ScriptedModel('a', [upstreamError(429, 7000), upstreamError(503), TEXT]);
    const registry = fakeRegistry({ a }, { routing: { retries: 2 } }, { clock, random: () => 0.5 });
    const parts = await call(registry, 'a/m');
    expect(a.calls).toEqual(['m', 'm', 'm']);
    // Round 0: Retry-After 7 s (above the 250 ms jitter); round 1: jitter only, 0.5 × 1000.
    expect(clock.sleeps).toEqual([7000, 500]);
    expect(parts.at(-1)).toMatchObject({ type: 'finish' });
  });

  it('goes through the whole chain before each retry round, and returns the last error at the end', async () => {
    const clock = new FakeClock();
    const a = new ScriptedModel('a', [upstreamError(503)]);
    const b = new ScriptedModel('b', [upstreamError(502)]);
    const registry = fakeRegistry(
      { a, b },
      { aliases: { chain: { targets: ['a/x', 'b/y'], retries: 1 } } },
      { clock, random: () => 0 },
    );
    await expect(call(registry, 'chain')).rejects.toMatchObject({ status: 502 });
    expect(a.calls).toEqual(['x', 'x']);
    expect(b.calls).toEqual(['y', 'y']);
    expect(clock.sleeps).toEqual([0]);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs: the client gets it', async () => {
    const clock = new FakeClock();
    const a = new ScriptedModel('a', [upstreamError(429, 60_000), TEXT]);
    const registry = fakeRegistry({ a }, { routing: { retries: 3 } }, { clock });
    await expect(call(registry, 'a/m')).rejects.toMatchObject({ status: 429, retryAfterMs: 60_000 });
    expect(a.calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('returns non-retryable errors at once, without fallback or retry', async () => {
    for (const error of [
      new UpstreamError('bad', { status: 400, retryable: false }),
      new UpstreamError('gone', { status: 404, retryable: false, code: 'model_not_found' }),
      new UpstreamError('auth', { status: 502, retryable: false, code: 'upstream_authentication_error' }),
      new GatewayError(400, 'too long', { code: 'context_length_exceeded' }),
    ]) {
      const clock = new FakeClock();
      const a = new ScriptedModel('a', [error]);
      const b = new ScriptedModel('b');
      const registry = fakeRegistry(
        { a, b },
        { aliases: { chain: { targets: ['a/x', 'b/y'], retries: 3 } } },
        { clock },
      );
      await expect(call(registry, 'chain')).rejects.toBe(error);
      expect(a.calls).toHaveLength(1);
      expect(b.calls).toHaveLength(0);
      expect(clock.sleeps).toEqual([]);
    }
  });

  it('stops waiting as soon as the call is aborted during a backoff (real clock)', async () => {
    const a = new ScriptedModel('a', [upstreamError(503, 10_000)]);
    const registry = fakeRegistry({ a }, { routing: { retries: 1 } }, { clock: systemClock });
    const controller = new AbortController();
    const reason = new Error('client went away');
    const started = Date.now();
    setTimeout(() => controller.abort(reason), 30);
    // The 10 s Retry-After wait ends with the abort.
    await expect(call(registry, 'a/m', controller.signal)).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(a.calls).toHaveLength(1);
  });

  it('aborts a fake-clock wait too, and never calls again', async () => {
    const clock = new FakeClock(false);
    const a = new ScriptedModel('a', [upstreamError(503, 5000)]);
    const registry = fakeRegistry({ a }, { routing: { retries: 5 } }, { clock });
    const controller = new AbortController();
    const pending = call(registry, 'a/m', controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.sleeps).toEqual([5000]);
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
    clock.advance(60_000);
    expect(a.calls).toHaveLength(1);
  });
});

/** Routes are built once per model name (a bounded number of direct names) and behave the same. */
import { describe, expect, it } from 'vitest';
import { newId } from '../../../src/ids.js';
import { call, fakeRegistry, ScriptedModel, upstreamError } from './routing-fakes.js';

describe('ProviderRegistry route cache', () => {
  it('returns one route per name, with the breaker state shared as before', async () => {
    const a = new ScriptedModel('a', [upstreamError(500)]);
    const registry = fakeRegistry(
      { a },
      { routing: { retries: 0, circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } } },
    );
    expect(registry.resolve('gpt-x')).toBe(registry.resolve('gpt-x'));
    expect(registry.resolve('a/gpt-x')).not.toBe(registry.resolve('gpt-x'));
    await expect(call(registry, 'gpt-x')).rejects.toMatchObject({ status: 500 });
    await expect(call(registry, 'gpt-x')).rejects.toMatchObject({ status: 500 });
    // The circuit of a/gpt-x opened, whichever name reached it.
    await expect(call(registry, 'a/gpt-x')).rejects.toMatchObject({ status: 503 });
    expect(a.calls).toEqual(['gpt-x', 'gpt-x']);
  });

  it('keeps at most 1000 direct names, and still answers for any', async () => {
    const registry = fakeRegistry({ a: new ScriptedModel('a') }, {});
    const first = registry.resolve('name-0');
    for (let i = 1; i <= 1000; i++) registry.resolve(`name-${i}`);
    const again = registry.resolve('name-0');
    expect(again).not.toBe(first);
    expect(again.modelId).toBe('name-0');
    expect(await call(registry, 'name-0')).toHaveLength(4);
  });
});

describe('newId', () => {
  it('is 48 hex characters led by the creation time, so that ids sort by creation', async () => {
    const before = Date.now();
    const ids = Array.from({ length: 300 }, () => newId('msg'));
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-f]{48}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const time = Number.parseInt(ids[0]!.slice(4, 16), 16);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = newId('resp');
    expect(later.slice(5, 17) > ids[0]!.slice(4, 16)).toBe(true);
    expect(newId('file-')).toMatch(/^file-[0-9a-f]{48}$/);
  });
});

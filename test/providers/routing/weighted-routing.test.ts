/** Weighted aliases: the first pick follows the weights; the other targets remain as fallbacks. */
import { describe, expect, it } from 'vitest';
import { targetOrder } from '../../../src/providers/routing/target-order.js';
import { call, fakeRegistry, ScriptedModel, seededRandom, upstreamError } from './routing-fakes.js';

describe('weighted routing', () => {
  it('splits first picks by weight (3:1 over 4000 calls, seeded)', async () => {
    const a = new ScriptedModel('a');
    const b = new ScriptedModel('b');
    const registry = fakeRegistry(
      { a, b },
      {
        aliases: {
          split: {
            strategy: 'weighted',
            targets: [
              { target: 'a/big', weight: 3 },
              { target: 'b/small', weight: 1 },
            ],
          },
        },
      },
      { random: seededRandom(42) },
    );
    for (let i = 0; i < 4000; i++) await call(registry, 'split');
    const share = a.calls.length / 4000;
    expect(share).toBeGreaterThan(0.72);
    expect(share).toBeLessThan(0.78);
    expect(a.calls.length + b.calls.length).toBe(4000);
    expect(new Set(a.calls)).toEqual(new Set(['big']));
    expect(new Set(b.calls)).toEqual(new Set(['small']));
  });

  it('picks exactly as the injected random says', () => {
    const targets = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 2 },
      { name: 'c', weight: 0 },
      { name: 'd', weight: 1 },
    ];
    const names = (values: number[]) => {
      const queue = [...values];
      return targetOrder(targets, 'weighted', () => queue.shift()!).map((t) => t.name);
    };
    // Total 4: [0, 0.25) a, [0.25, 0.75) b, [0.75, 1) d; zero weights come last.
    expect(names([0.1, 0.1, 0.1])).toEqual(['a', 'b', 'd', 'c']);
    expect(names([0.5, 0.9, 0])).toEqual(['b', 'd', 'a', 'c']);
    expect(names([0.99, 0, 0])).toEqual(['d', 'a', 'b', 'c']);
    expect(targetOrder(targets, 'fallback', () => 0.99).map((t) => t.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('falls back to the other targets when the weighted pick fails', async () => {
    const a = new ScriptedModel('a', [upstreamError(503)]);
    const b = new ScriptedModel('b');
    const registry = fakeRegistry(
      { a, b },
      {
        aliases: {
          split: {
            strategy: 'weighted',
            targets: [
              { target: 'a/x', weight: 1 },
              { target: 'b/y', weight: 0 },
            ],
          },
        },
      },
    );
    const parts = await call(registry, 'split');
    expect(a.calls).toEqual(['x']);
    expect(b.calls).toEqual(['y']);
    expect(parts[0]).toEqual({
      type: 'warning',
      message: expect.stringContaining("served by 'b/y' after 'a/x' (503"),
    });
  });

  it('refuses a weighted alias whose weights are all 0', () => {
    expect(() =>
      fakeRegistry(
        { a: new ScriptedModel('a') },
        { aliases: { none: { strategy: 'weighted', targets: [{ target: 'a/x', weight: 0 }] } } },
      ),
    ).toThrow(/weight above 0/);
  });
});

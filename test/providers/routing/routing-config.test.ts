/** The routing part of the config: alias forms, defaults and what is refused. */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/config-schema.js';

const parse = (input: Record<string, unknown>) => configSchema.safeParse(input);

describe('routing config', () => {
  it('keeps accepting the string form, and normalizes both forms', () => {
    const config = configSchema.parse({
      aliases: {
        old: { targets: ['vllm/qwen'] },
        mixed: { strategy: 'weighted', targets: ['a/x', { target: 'b/y', weight: 0 }], retries: 2 },
      },
    });
    expect(config.aliases.old).toEqual({
      strategy: 'fallback',
      targets: [{ target: 'vllm/qwen', weight: 1 }],
    });
    expect(config.aliases.mixed).toEqual({
      strategy: 'weighted',
      targets: [
        { target: 'a/x', weight: 1 },
        { target: 'b/y', weight: 0 },
      ],
      retries: 2,
    });
    // Parsing the parsed config again gives the same (the harness does so).
    expect(configSchema.parse(config).aliases).toEqual(config.aliases);
  });

  it('has defaults for routing and the provider limits', () => {
    const config = configSchema.parse({ providers: [{ name: 'p', type: 'openai-chat' }] });
    expect(config.routing).toEqual({
      retries: 0,
      initialBackoffMs: 500,
      maxBackoffMs: 8000,
      maxRetryAfterMs: 20_000,
      circuitBreaker: { enabled: true, failureThreshold: 5, cooldownMs: 30_000 },
    });
    expect(config.providers[0]).toMatchObject({ maxQueued: 100, queueTimeoutMs: 30_000 });
    expect(config.providers[0]!.maxConcurrent).toBeUndefined();
    expect(
      configSchema.parse({ routing: { circuitBreaker: { enabled: false } } }).routing.circuitBreaker,
    ).toEqual({ enabled: false, failureThreshold: 5, cooldownMs: 30_000 });
  });

  it.each([
    ['an empty target list', { aliases: { a: { targets: [] } } }],
    ['an unknown strategy', { aliases: { a: { strategy: 'random', targets: ['p/m'] } } }],
    ['a negative weight', { aliases: { a: { targets: [{ target: 'p/m', weight: -1 }] } } }],
    ['an unknown alias key', { aliases: { a: { targets: ['p/m'], fallback: true } } }],
    ['too many retries', { aliases: { a: { targets: ['p/m'], retries: 11 } } }],
    ['maxConcurrent 0', { providers: [{ name: 'p', type: 'openai-chat', maxConcurrent: 0 }] }],
    ['an unknown routing key', { routing: { retry: 1 } }],
  ])('refuses %s', (_name, input) => {
    expect(parse(input).success).toBe(false);
  });
});

/** Fakes for the routing tests: a controllable clock, a seeded random and scripted models. */
import { type ConfigInput, configSchema } from '../../../src/config/config-schema.js';
import { UpstreamError } from '../../../src/errors.js';
import { ProviderRegistry } from '../../../src/providers/registry.js';
import type { Clock } from '../../../src/providers/routing/clock.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../../../src/providers/types.js';
import { modelRequest } from '../model-request.js';

/**
 * Time moves only when told: `sleep` records the wait and, with `autoAdvance`, resolves at once
 * (advancing `now`); otherwise it waits for `advance`. Aborts reject at once either way.
 */
export class FakeClock implements Clock {
  current = 1_000_000;
  readonly sleeps: number[] = [];
  private pending: Array<{ until: number; resolve: () => void }> = [];

  constructor(private readonly autoAdvance = true) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.autoAdvance) {
      this.current += ms;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = { until: this.current + ms, resolve };
      this.pending.push(entry);
      signal.addEventListener(
        'abort',
        () => {
          this.pending = this.pending.filter((p) => p !== entry);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  advance(ms: number): void {
    this.current += ms;
    const due = this.pending.filter((p) => p.until <= this.current);
    this.pending = this.pending.filter((p) => p.until > this.current);
    for (const p of due) p.resolve();
  }
}

/** mulberry32: a small seeded PRNG, so statistical tests are deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TEXT: StreamPart[] = [
  { type: 'text-start', id: 't' },
  { type: 'text-delta', id: 't', delta: 'ok' },
  { type: 'text-end', id: 't' },
  { type: 'finish', finishReason: 'stop', usage: undefined },
];

export function upstreamError(status: number, retryAfterMs?: number): UpstreamError {
  return new UpstreamError(`upstream said ${status}`, {
    status,
    retryable: status === 429 || status >= 500,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** One outcome per call, in order (the last repeats): an error to reject with, or parts. */
export type Outcome = Error | StreamPart[];

export class ScriptedModel implements LanguageModel {
  readonly calls: string[] = [];

  constructor(
    readonly provider: string,
    private readonly script: Outcome[] = [TEXT],
  ) {}

  async stream(request: ModelRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const parts = this.next(request, options);
    return (async function* () {
      yield* parts;
    })();
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    return this.next(request, options);
  }

  private next(request: ModelRequest, options: CallOptions): StreamPart[] {
    options.signal.throwIfAborted();
    this.calls.push(request.modelId);
    const outcome = this.script[Math.min(this.calls.length - 1, this.script.length - 1)]!;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }
}

export async function drain(parts: AsyncIterable<StreamPart> | Iterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

/** A registry over scripted models, from a config as the file would give it. */
export function fakeRegistry(
  models: Record<string, ScriptedModel>,
  config: Omit<ConfigInput, 'providers'> & { providers?: ConfigInput['providers'] },
  options: { clock?: Clock; random?: () => number } = {},
): ProviderRegistry {
  const parsed = configSchema.parse({
    providers: Object.keys(models).map((name) => ({ name, type: 'openai-chat' })),
    ...config,
  });
  return new ProviderRegistry(parsed, {
    clock: options.clock ?? new FakeClock(),
    random: options.random ?? seededRandom(1),
    createModel: (provider) => models[provider.name]!,
  });
}

export function request(modelId = 'm'): ModelRequest {
  return modelRequest({ modelId });
}

export function call(
  registry: ProviderRegistry,
  model: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<StreamPart[]> {
  const resolved = registry.resolve(model);
  return resolved.model.stream(request(resolved.modelId), { signal }).then(drain);
}

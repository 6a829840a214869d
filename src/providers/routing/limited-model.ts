/**
 * A provider's model behind its concurrency limiter: a call takes a slot before it goes upstream
 * and gives it back when its stream ends, fails, is abandoned by its consumer or aborted.
 */
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import type { ConcurrencyLimiter, Release } from './concurrency-limiter.js';

type Parts = AsyncIterable<StreamPart> | Iterable<StreamPart>;

export class LimitedLanguageModel implements LanguageModel {
  readonly provider: string;

  constructor(
    readonly inner: LanguageModel,
    private readonly limiter: ConcurrencyLimiter,
  ) {
    this.provider = inner.provider;
  }

  async stream(request: ModelRequest, options: CallOptions): Promise<Parts> {
    const release = await this.limiter.acquire(options.signal);
    let parts: Parts;
    try {
      parts = await this.inner.stream(request, options);
    } catch (error) {
      release();
      throw error;
    }
    if (Array.isArray(parts)) {
      release();
      return parts;
    }
    return releasingAtEnd(parts, release, options.signal);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const release = await this.limiter.acquire(options.signal);
    try {
      return await this.inner.generate(request, options);
    } finally {
      release();
    }
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

/** Yields `parts` and releases once: at their end, on an error, on return(), or on abort. */
function releasingAtEnd(parts: Parts, release: Release, signal: AbortSignal): AsyncIterable<StreamPart> {
  const onAbort = () => release();
  if (signal.aborted) release();
  else signal.addEventListener('abort', onAbort, { once: true });
  const done = () => {
    signal.removeEventListener('abort', onAbort);
    release();
  };
  return (async function* () {
    try {
      yield* parts;
    } finally {
      done();
    }
  })();
}

/**
 * The HTTP client providers are given: undici pools per upstream origin (keep-alive, pipelining
 * off), with upstream failures turned into UpstreamError before the first byte.
 */

import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import type { UpstreamError } from '../../errors.js';
import { StreamHandler, TextHandler } from './undici-handlers.js';
import { connectionError, statusError } from './upstream-errors.js';

export interface HttpClientOptions {
  /** Connections per origin; undefined: no cap. */
  connections: number | undefined;
  /** Time to wait for response headers, ms. */
  headersTimeoutMs: number;
  /** Longest silence inside a response body, ms. */
  bodyTimeoutMs: number;
  /**
   * Adds trace headers (`traceparent`) to each request; absent when tracing is off, so a call
   * costs nothing more then.
   */
  traceHeaders?: (headers: Record<string, string>) => Record<string, string>;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/** A whole 2xx answer, read as text. */
export interface TextResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A response body read as it arrives, straight from the connection: each chunk as undici hands it
 * over, with no stream object in between. One consumer; leaving early aborts the call.
 */
export interface ChunkBody extends AsyncIterable<Buffer> {
  /** The rest of the body as text, as undici's `body.text()` decodes it. */
  text(): Promise<string>;
  /**
   * Hands every chunk to `reader` as it arrives (those already here at once), instead of being
   * iterated: no promise per chunk. Use one way of reading or the other.
   */
  read(reader: ChunkReader): void;
  /** Takes chunks again after `reader.chunk` returned false. */
  resume(): void;
  /** Stops reading before the end: the call is aborted. */
  cancel(): void;
}

/** Receives a body pushed by `ChunkBody.read`. */
export interface ChunkReader {
  /** @returns false to pause the connection until `ChunkBody.resume()`. */
  chunk(chunk: Buffer): boolean;
  end(): void;
  /** The connection failed (or the call was aborted) before the end. */
  error(error: Error): void;
}

/** A 2xx answer whose body is still arriving. */
export interface StreamingResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: ChunkBody;
}

export interface PostOptions {
  url: URL;
  headers: Record<string, string>;
  /** JSON text, or bytes (a multipart form). */
  body: string | Uint8Array;
  signal: AbortSignal;
  /** Names the upstream in error messages. */
  provider: string;
  /**
   * Reads a provider's own error body first (e.g. Anthropic's 529 overloaded, Gemini's 400 for a bad
   * key); returning undefined falls back to the generic `statusError` mapping.
   */
  mapError?: (
    status: number,
    headers: Record<string, string | string[] | undefined>,
    bodyText: string,
  ) => UpstreamError | undefined;
}

export class HttpClient {
  private readonly pools = new Map<string, Pool>();
  /** Each endpoint URL's pool and request path, worked out once. */
  private readonly targets = new WeakMap<URL, { pool: Pool; path: string }>();

  constructor(private readonly options: HttpClientOptions) {}

  /**
   * POSTs and resolves with a 2xx response; any other status, a refused connection or a timeout
   * rejects with an UpstreamError carrying the upstream's own message where it gave one.
   */
  async post(opts: PostOptions): Promise<UpstreamResponse> {
    const target = this.target(opts.url);
    let response: Dispatcher.ResponseData;
    try {
      response = await target.pool.request({
        method: 'POST',
        path: target.path,
        headers: this.headersOf(opts),
        body: opts.body,
        signal: opts.signal,
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
      });
    } catch (error) {
      throw connectionError(error, opts.provider, opts.signal);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return { status: response.statusCode, headers: response.headers, body: response.body };
    }
    const text = await response.body.text().catch(() => '');
    throw (
      opts.mapError?.(response.statusCode, response.headers, text) ??
      statusError(response.statusCode, response.headers, text, opts.provider)
    );
  }

  /**
   * As `post`, for a caller that wants the whole answer at once: the body is gathered straight from
   * the connection into one string (as `body.text()` would decode it), with no body stream in
   * between. Failures before or while reading reject alike, as `connectionError`s.
   */
  postForText(opts: PostOptions): Promise<TextResponse> {
    const target = this.target(opts.url);
    return new Promise<TextResponse>((resolve, reject) => {
      target.pool.dispatch(
        {
          method: 'POST',
          path: target.path,
          headers: this.headersOf(opts),
          body: opts.body,
          headersTimeout: this.options.headersTimeoutMs,
          bodyTimeout: this.options.bodyTimeoutMs,
        },
        new TextHandler(opts, resolve, reject),
      );
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }

  /**
   * As `post`, with the body handed over chunk by chunk as it arrives (for event streams): no
   * Readable, no async iterator over one. Reading pauses the connection once STREAM_HIGH_WATER
   * bytes wait unread, as a stream body would.
   */
  postStreaming(opts: PostOptions): Promise<StreamingResponse> {
    const target = this.target(opts.url);
    return new Promise<StreamingResponse>((resolve, reject) => {
      target.pool.dispatch(
        {
          method: 'POST',
          path: target.path,
          headers: this.headersOf(opts),
          body: opts.body,
          headersTimeout: this.options.headersTimeoutMs,
          bodyTimeout: this.options.bodyTimeoutMs,
        },
        new StreamHandler(opts, resolve, reject),
      );
    });
  }

  private headersOf(opts: PostOptions): Record<string, string> {
    return this.options.traceHeaders ? this.options.traceHeaders(opts.headers) : opts.headers;
  }

  private target(url: URL): { pool: Pool; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      target = { pool: this.pool(url.origin), path: url.pathname + url.search };
      this.targets.set(url, target);
    }
    return target;
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections ?? null,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        connect: { timeout: 10_000 },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

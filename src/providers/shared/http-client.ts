/**
 * The HTTP client providers are given: undici pools per upstream origin (keep-alive, pipelining
 * off), with upstream failures turned into UpstreamError before the first byte.
 */

import type { Dispatcher } from 'undici';
import { Pool, util as undiciUtil } from 'undici';
import { UpstreamError } from '../../errors.js';

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

/**
 * What both undici handlers share: the caller's AbortSignal aborts the request, whether it fires
 * before undici connects or after; `settle()` detaches it once the call is over.
 */
abstract class SignalBoundHandler {
  protected abort: ((reason?: Error) => void) | undefined;
  protected aborted: Error | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(protected readonly opts: PostOptions) {
    const { signal } = opts;
    if (signal.aborted) {
      this.aborted = abortReason(signal);
    } else {
      this.onAbort = () => {
        this.aborted = abortReason(signal);
        this.abort?.(this.aborted);
      };
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.aborted) return abort(this.aborted);
    this.abort = abort;
  }

  protected settle(): void {
    if (this.onAbort) this.opts.signal.removeEventListener('abort', this.onAbort);
  }
}

/** Gathers one answer for postForText (undici's handler interface: connect, headers, data, end). */
class TextHandler extends SignalBoundHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor(
    opts: PostOptions,
    private readonly resolve: (response: TextResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super(opts);
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (status < 200) return true;
    this.status = status;
    this.headers = undiciUtil.parseHeaders(rawHeaders) as Record<string, string | string[] | undefined>;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }

  onComplete(): void {
    this.settle();
    const text = decodeText(this.chunks, this.length);
    const { status, headers, opts } = this;
    if (status >= 200 && status < 300) return this.resolve({ status, headers, text });
    this.reject(opts.mapError?.(status, headers, text) ?? statusError(status, headers, text, opts.provider));
  }

  onError(error: Error): void {
    this.settle();
    const { status, headers, opts } = this;
    if (status !== 0 && (status < 200 || status >= 300)) {
      // A refusal whose body could not be read is reported without it, as `post` does.
      return this.reject(
        opts.mapError?.(status, headers, '') ?? statusError(status, headers, '', opts.provider),
      );
    }
    this.reject(connectionError(error, opts.provider, opts.signal));
  }
}

/** Unread body bytes past which the connection is paused (a stream body's default high-water mark). */
const STREAM_HIGH_WATER = 64 * 1024;

type ChunkResult = IteratorResult<Buffer, undefined>;

/**
 * One streamed answer for postStreaming: resolves at its (2xx) headers with itself as the body, a
 * queue of chunks that the consumer's `next()` takes from; a refusal is read whole and rejected.
 */
class StreamHandler
  extends SignalBoundHandler
  implements Dispatcher.DispatchHandler, ChunkBody, AsyncIterator<Buffer, undefined>
{
  private resumeReading: (() => void) | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  /** Set once the 2xx headers were handed to the caller. */
  private streaming = false;
  private readonly queue: Buffer[] = [];
  private head = 0;
  private queued = 0;
  private paused = false;
  private ended = false;
  private failure: Error | undefined;
  private waiter: { resolve: (result: ChunkResult) => void; reject: (error: unknown) => void } | undefined;
  private reader: ChunkReader | undefined;
  /** The consumer stopped reading (return or cancel). */
  private left = false;

  constructor(
    opts: PostOptions,
    private readonly resolve: (response: StreamingResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super(opts);
  }

  // ------------------------------------------------------------ undici's side

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (status < 200) return true;
    this.status = status;
    this.headers = undiciUtil.parseHeaders(rawHeaders) as Record<string, string | string[] | undefined>;
    this.resumeReading = resume;
    if (status < 300) {
      this.streaming = true;
      this.resolve({ status, headers: this.headers, body: this });
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.left) return true;
    if (this.reader) {
      if (this.reader.chunk(chunk)) return true;
      this.paused = true;
      return false;
    }
    if (this.streaming && this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value: chunk, done: false });
      return true;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
    // A refusal's body is read whole; an answer's waits for its consumer past the high-water mark.
    if (this.streaming && this.queued >= STREAM_HIGH_WATER) {
      this.paused = true;
      return false;
    }
    return true;
  }

  onComplete(): void {
    this.settle();
    this.ended = true;
    if (!this.streaming) {
      const { status, headers, opts } = this;
      const text = decodeText(this.takeAll(), this.queued);
      return this.reject(
        opts.mapError?.(status, headers, text) ?? statusError(status, headers, text, opts.provider),
      );
    }
    if (this.reader) {
      if (!this.left) this.reader.end();
      return;
    }
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  onError(error: Error): void {
    this.settle();
    if (!this.streaming) {
      const { status, headers, opts } = this;
      if (status !== 0) {
        // A refusal whose body could not be read is reported without it, as `post` does.
        return this.reject(
          opts.mapError?.(status, headers, '') ?? statusError(status, headers, '', opts.provider),
        );
      }
      return this.reject(connectionError(error, opts.provider, opts.signal));
    }
    // Raised to the consumer as the body's own error, once it has read what arrived before it.
    this.failure = error;
    if (this.reader) {
      // A reader that cancelled has stopped listening.
      if (!this.left) this.reader.error(error);
      return;
    }
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error);
    }
  }

  // ------------------------------------------------------------ the consumer's side

  [Symbol.asyncIterator](): AsyncIterator<Buffer, undefined> {
    return this;
  }

  next(): Promise<ChunkResult> {
    if (this.left) return Promise.resolve({ value: undefined, done: true });
    if (this.head < this.queue.length) {
      const chunk = this.queue[this.head]!;
      this.queue[this.head++] = EMPTY;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      this.queued -= chunk.length;
      if (this.paused && this.queued < STREAM_HIGH_WATER) {
        this.paused = false;
        this.resumeReading?.();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  read(reader: ChunkReader): void {
    this.reader = reader;
    const queued = this.takeAll();
    this.queued = 0;
    let more = true;
    for (const chunk of queued) more = reader.chunk(chunk) && more;
    if (this.ended) return reader.end();
    if (this.failure) return reader.error(this.failure);
    // Paused at the queue's high-water mark: from now on the reader decides.
    if (!more) this.paused = true;
    else this.resume();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeReading?.();
  }

  cancel(): void {
    void this.return();
  }

  /** The consumer stopped reading before the end: the call is aborted. */
  return(): Promise<ChunkResult> {
    this.left = true;
    if (!this.ended && !this.failure) {
      this.settle();
      this.failure = new Error('The response body was abandoned before its end.');
      this.abort?.(this.failure);
    }
    this.queue.length = 0;
    this.head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    let length = 0;
    for (let next = await this.next(); !next.done; next = await this.next()) {
      chunks.push(next.value);
      length += next.value.length;
    }
    return decodeText(chunks, length);
  }

  private takeAll(): Buffer[] {
    const chunks = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    return chunks;
  }
}

const EMPTY = Buffer.alloc(0);

/** What an aborted call fails with: the signal's reason, as undici's `request` does. */
function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new Error('Request aborted');
}

/** UTF-8, without a leading byte-order mark: what undici's `body.text()` gives. */
function decodeText(chunks: readonly Buffer[], length: number): string {
  if (length === 0) return '';
  const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
  const start = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return buffer.toString('utf8', start);
}

export function connectionError(error: unknown, provider: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return error instanceof Error ? error : new Error(String(error));
  const code = (error as { code?: string } | null)?.code ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new UpstreamError(`Upstream provider '${provider}' timed out (${detail}).`, {
      status: 504,
      retryable: true,
      code: 'upstream_timeout',
    });
  }
  return new UpstreamError(`Could not reach upstream provider '${provider}': ${detail || code}.`, {
    status: 502,
    retryable: true,
    code: 'upstream_unavailable',
  });
}

/** Maps an upstream's non-2xx answer to what the gateway's client should see. */
export function statusError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  provider: string,
): UpstreamError {
  const upstream = parseErrorBody(bodyText);
  const said = upstream.message ? `: ${upstream.message}` : bodyText ? `: ${bodyText.slice(0, 200)}` : '';
  const retryAfterMs = parseRetryAfter(headers);
  if (status === 401 || status === 403) {
    // The client's own key was already accepted; a rejected upstream key is the gateway's problem.
    return new UpstreamError(
      `Upstream provider '${provider}' rejected the gateway's credentials (${status})${said}`,
      {
        status: 502,
        retryable: false,
        code: 'upstream_authentication_error',
        type: 'server_error',
      },
    );
  }
  if (status === 429) {
    return new UpstreamError(`Upstream provider '${provider}' is rate limiting requests${said}`, {
      status: 429,
      retryable: true,
      code: upstream.code ?? 'rate_limit_exceeded',
      type: 'rate_limit_error',
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status >= 500) {
    return new UpstreamError(`Upstream provider '${provider}' failed with status ${status}${said}`, {
      status: status === 503 || status === 504 ? status : 502,
      retryable: true,
      code: 'upstream_error',
      type: 'server_error',
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  // Other 4xx: the request itself was refused (unknown model, context too long, bad parameter).
  return new UpstreamError(
    upstream.message ?? `Upstream provider '${provider}' refused the request (${status}).`,
    {
      status: status === 404 || status === 413 || status === 422 ? status : 400,
      retryable: status === 408 || status === 409,
      code: upstream.code ?? (status === 404 ? 'model_not_found' : null),
      type: 'invalid_request_error',
    },
  );
}

interface UpstreamErrorFields {
  message: string | undefined;
  code: string | undefined;
}

/** Reads `{"error":{"message","code"}}`, `{"error":"..."}` or `{"message":"..."}` bodies. */
export function parseErrorBody(text: string): UpstreamErrorFields {
  if (!text) return { message: undefined, code: undefined };
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const error = json.error;
    if (typeof error === 'string') return { message: error, code: undefined };
    const source = (error && typeof error === 'object' ? error : json) as Record<string, unknown>;
    return {
      message: typeof source.message === 'string' ? source.message : undefined,
      code:
        typeof source.code === 'string'
          ? source.code
          : typeof source.type === 'string'
            ? source.type
            : undefined,
    };
  } catch {
    return { message: undefined, code: undefined };
  }
}

export function parseRetryAfter(headers: Record<string, string | string[] | undefined>): number | undefined {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers['retry-after'];
  if (typeof value !== 'string') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The two undici dispatch handlers behind HttpClient: one gathers a whole answer (postForText), one
 * hands the body out chunk by chunk with backpressure (postStreaming). Both refuse a non-2xx answer
 * as an UpstreamError and bind the caller's AbortSignal.
 */
import { type Dispatcher, util as undiciUtil } from 'undici';
import type { ChunkBody, ChunkReader, PostOptions, StreamingResponse, TextResponse } from './http-client.js';
import { connectionError, statusError } from './upstream-errors.js';

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
export class TextHandler extends SignalBoundHandler implements Dispatcher.DispatchHandler {
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
export class StreamHandler
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

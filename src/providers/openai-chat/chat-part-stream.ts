/**
 * A streamed Chat Completions body as stream parts, pushed rather than pulled: each chunk that
 * arrives is decoded, split into its server-sent events and translated at once, and its parts wait
 * in a queue for the consumer's `next()`. Per event that is one promise (the consumer's), instead
 * of a body stream, an iterator over it and a generator per layer.
 *
 * What a consumer sees is what a generator reading the body would yield: the parts in order, then
 * the finish parts once the body has ended; an event that fails (not JSON, an upstream error) ends
 * the stream after the parts of the events before it. After `data: [DONE]` the rest of the body is
 * read and ignored, as the openai SDK does (leaving early would abort the call, whose error costs a
 * stack trace). Too many parts waiting pause the connection until the consumer catches up.
 */
import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { UpstreamError } from '../../errors.js';
import type { ChunkBody, ChunkReader } from '../shared/http-client.js';
import { connectionError } from '../shared/upstream-errors.js';
import type { StreamPart } from '../types.js';
import type { ChatChunk } from './chat-api.js';
import { ChatChunkTranslator } from './map-chat-response.js';

/** Parts waiting for the consumer past which the connection is paused. */
const MAX_QUEUED_PARTS = 256;

type PartResult = IteratorResult<StreamPart, undefined>;
const DONE: PartResult = Object.freeze({ value: undefined, done: true });

export class ChatPartStream
  implements AsyncIterable<StreamPart>, AsyncIterator<StreamPart, undefined>, ChunkReader
{
  private readonly translator: ChatChunkTranslator;
  private readonly parts: StreamPart[] = [];
  private head = 0;
  private readonly events: string[] = [];
  private readonly parser: EventSourceParser;
  private readonly text = new Utf8Chunks();
  /** `data: [DONE]` was seen: the rest of the body is ignored. */
  private done = false;
  /** No part will be added any more (the body ended, failed, or the consumer left). */
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private waiter: { resolve: (result: PartResult) => void; reject: (error: unknown) => void } | undefined;

  constructor(
    private readonly body: ChunkBody,
    private readonly provider: string,
    private readonly signal: AbortSignal,
  ) {
    this.translator = new ChatChunkTranslator(provider);
    this.parser = createParser({ onEvent: (message) => this.events.push(message.data) });
    body.read(this);
  }

  // ------------------------------------------------------------ the body's side

  chunk(chunk: Buffer): boolean {
    if (this.done || this.ended) return true;
    this.parser.feed(this.text.decode(chunk));
    this.translateEvents();
    this.deliver();
    if (this.ended || this.parts.length - this.head < MAX_QUEUED_PARTS) return true;
    this.paused = true;
    return false;
  }

  end(): void {
    if (this.ended) return;
    if (!this.done) {
      this.parser.feed(this.text.end());
      // A final event without its blank line still counts.
      this.parser.feed('\n\n');
      this.translateEvents();
    }
    if (!this.ended) {
      if (!this.done && !this.translator.sawFinish) {
        this.fail(
          new UpstreamError(`Upstream provider '${this.provider}' ended the stream before finishing.`, {
            status: 502,
            retryable: false,
            code: 'upstream_stream_truncated',
          }),
        );
      } else {
        this.translator.end(this.parts);
        this.ended = true;
      }
    }
    this.deliver();
  }

  error(error: Error): void {
    if (this.ended) return;
    this.fail(error instanceof UpstreamError ? error : connectionError(error, this.provider, this.signal));
    this.deliver();
  }

  // ------------------------------------------------------------ the consumer's side

  [Symbol.asyncIterator](): AsyncIterator<StreamPart, undefined> {
    return this;
  }

  next(): Promise<PartResult> {
    if (this.head < this.parts.length) return Promise.resolve({ value: this.take(), done: false });
    if (this.ended) return this.failure ? Promise.reject(this.failure) : Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** The consumer left before the end: the upstream call is aborted. */
  return(): Promise<PartResult> {
    if (!this.ended) {
      this.ended = true;
      this.body.cancel();
    }
    this.parts.length = 0;
    this.head = 0;
    return Promise.resolve(DONE);
  }

  // ------------------------------------------------------------ plumbing

  private translateEvents(): void {
    const { events } = this;
    for (let i = 0; i < events.length && !this.done && !this.ended; i++) {
      const data = events[i]!;
      if (data === '[DONE]') {
        this.done = true;
        break;
      }
      let chunk: ChatChunk;
      try {
        chunk = JSON.parse(data) as ChatChunk;
      } catch {
        this.fail(invalidResponse(this.provider, data));
        break;
      }
      try {
        this.translator.translate(chunk, this.parts);
      } catch (error) {
        this.fail(error as Error);
      }
    }
    events.length = 0;
  }

  /** Ends with `error` after the parts already queued; the rest of the body is not read. */
  private fail(error: Error): void {
    this.failure = error;
    this.ended = true;
    this.body.cancel();
  }

  private take(): StreamPart {
    const part = this.parts[this.head]!;
    this.parts[this.head++] = undefined as unknown as StreamPart;
    if (this.head === this.parts.length) {
      this.parts.length = 0;
      this.head = 0;
    }
    if (this.paused && this.parts.length - this.head < MAX_QUEUED_PARTS / 2) {
      this.paused = false;
      this.body.resume();
    }
    return part;
  }

  /** Hands the consumer waiting in `next()` what it waits for, if that is here now. */
  private deliver(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.head < this.parts.length) {
      this.waiter = undefined;
      waiter.resolve({ value: this.take(), done: false });
    } else if (this.ended) {
      this.waiter = undefined;
      if (this.failure) waiter.reject(this.failure);
      else waiter.resolve(DONE);
    }
  }
}

export function invalidResponse(provider: string, text: string): UpstreamError {
  return new UpstreamError(
    `Upstream provider '${provider}' sent a response that is not valid JSON: ${JSON.stringify(text.slice(0, 120))}`,
    { status: 502, retryable: false, code: 'upstream_invalid_response' },
  );
}

/**
 * UTF-8 text of a body arriving in chunks. While every byte so far was ASCII (the usual event
 * stream), a chunk is read as it is; from the first other byte on, a streaming TextDecoder takes
 * over, keeping characters cut between chunks whole. A byte-order mark is dropped only at the start.
 */
export class Utf8Chunks {
  private decoder: TextDecoder | undefined;
  private started = false;

  decode(chunk: Buffer): string {
    if (this.decoder === undefined) {
      if (isAscii(chunk)) {
        if (chunk.length > 0) this.started = true;
        return chunk.toString('latin1');
      }
      this.decoder = new TextDecoder('utf-8', { ignoreBOM: this.started });
    }
    return this.decoder.decode(chunk, { stream: true });
  }

  end(): string {
    return this.decoder?.decode() ?? '';
  }
}

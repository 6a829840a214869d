/**
 * Plumbing shared by the mock upstreams (Chat Completions, Responses, Anthropic, Gemini): a
 * node:http server on 127.0.0.1 (ephemeral port), request recording, client-abort tracking, the
 * reply script (queue and default), the failures every mock can script and a few wire helpers. The
 * wire formats themselves live in each mock.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonBody } from '../helpers/json-body.js';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (the raw string when it is not valid JSON). */
  body: JsonBody;
  receivedAt: number;
  aborted: boolean;
}

/** What a mock's handler is given for one recorded request. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  /** Set before the mock closes the socket on purpose, so that it does not count as a client abort. */
  serverClosed: { value: boolean };
}

export interface MockServer {
  url: string;
  readonly requests: RecordedRequest[];
  waitForAbort(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface MockServerOptions {
  /** The body of the 500 that a failing handler becomes. */
  failureBody: (message: string) => unknown;
  /**
   * Takes requests outside the mocked API before they are recorded (their body unread), e.g. a
   * model list; returns true when it answered.
   */
  unrecorded?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
}

/** A mock upstream whose replies are scripted per request. */
export interface ScriptedMock<Reply> {
  /** Server root, e.g. http://127.0.0.1:12345 */
  readonly url: string;
  /** Recorded requests, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Replies are consumed in order, one per request; when the queue is empty, `defaultReply` answers. */
  enqueue(...replies: Reply[]): void;
  defaultReply: Reply | ((body: JsonBody) => Reply);
  /** Resolves when the n-th request (1-based) has been aborted by the client. */
  waitForAbort(n: number, timeoutMs?: number): Promise<void>;
  /** Clears the queue and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/** Failures every mock scripts alike (each adds its own in-stream error). */
export type ScriptedFailure =
  /** A non-2xx answer: the given body (a string goes as it is), else the API's own error body. */
  | { kind: 'http-error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** A body that is not the wire format, with a 200 (or `status`). */
  | { kind: 'garbage'; body: string; status?: number }
  /** The connection dies, streaming: after `afterText` was sent. */
  | { kind: 'drop'; afterText?: string }
  /** Streaming: `afterText`, then the body ends without the stream's end; whole: half a body. */
  | { kind: 'truncate'; afterText: string }
  /** Never answers; the client's abort or close() ends it. */
  | { kind: 'hang' };

type Json = Record<string, unknown>;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(len: number): string {
  let out = '';
  for (const b of randomBytes(len)) out += BASE62[b % BASE62.length];
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Splits `s` into at most `n` non-empty pieces on code-point boundaries. */
export function splitPieces(s: string, n: number): string[] {
  const cps = Array.from(s);
  if (cps.length === 0) return [];
  const size = Math.max(1, Math.ceil(cps.length / n));
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(''));
  return out;
}

export function roughTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

export function asObject(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** Sum of the lengths of every `text`-like string in a JSON value: a rough prompt size. */
export function textChars(value: unknown): number {
  if (typeof value === 'string') return 0;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textChars(v), 0);
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' && (key === 'text' || key === 'thinking')) n += v.length;
    else n += textChars(v);
  }
  return n;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function startEventStream(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...headers,
  });
  res.flushHeaders();
}

/** Writes frames with a delay between them; false if the client went away. */
export async function writeFrames(res: ServerResponse, frames: string[], delayMs: number): Promise<boolean> {
  for (let i = 0; i < frames.length; i++) {
    if (i > 0 && delayMs > 0) await sleep(delayMs);
    if (res.destroyed || res.writableEnded) return false;
    res.write(frames[i]);
  }
  return !(res.destroyed || res.writableEnded);
}

/** Lets written frames reach the client, then kills the connection. */
export async function dropAfterFlush(ex: Exchange): Promise<void> {
  await new Promise<void>((resolve) =>
    ex.res.socket ? ex.res.socket.write('', () => resolve()) : resolve(),
  );
  ex.serverClosed.value = true;
  ex.res.socket?.destroy();
  ex.res.destroy();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

interface AbortWaiter {
  n: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Starts a mock whose replies are scripted: `handle` answers each recorded request, taking its
 * reply from `nextReply()` (the first queued one, else `defaultReply`) once the request passed the
 * checks it makes.
 */
export async function startScriptedMock<Reply extends { kind: string }>(
  defaultReply: Reply,
  handle: (ex: Exchange, nextReply: () => Reply) => Promise<void>,
  options: MockServerOptions,
): Promise<ScriptedMock<Reply>> {
  const queue: Reply[] = [];
  const nextReply = (body: JsonBody): Reply => {
    const fallback = mock.defaultReply;
    return queue.shift() ?? (isReplyFunction(fallback) ? fallback(body) : fallback);
  };
  const server = await startMockServer((ex) => handle(ex, () => nextReply(ex.record.body)), options);
  const mock: ScriptedMock<Reply> = {
    url: server.url,
    requests: server.requests,
    defaultReply,
    enqueue(...replies) {
      queue.push(...replies);
    },
    waitForAbort: (n, timeoutMs) => server.waitForAbort(n, timeoutMs),
    reset() {
      queue.length = 0;
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
  return mock;
}

function isReplyFunction<Reply>(
  value: Reply | ((body: JsonBody) => Reply),
): value is (body: JsonBody) => Reply {
  return typeof value === 'function';
}

/**
 * Starts the server. `handle` answers recorded requests (every request is recorded, its JSON body
 * parsed, unless `options.unrecorded` took it); a thrown error becomes a 500 with `failureBody`.
 */
export async function startMockServer(
  handle: (ex: Exchange) => Promise<void>,
  options: MockServerOptions,
): Promise<MockServer> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<AbortWaiter>();
  let closing = false;

  const settleWaiters = (): void => {
    for (const w of waiters) {
      if (requests[w.n - 1]?.aborted) {
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve();
      }
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    if (options.unrecorded?.(req, res, url.pathname)) return;
    const run = async (): Promise<void> => {
      const raw = await readBody(req);
      let body: JsonBody = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // keep the raw string
      }
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: { ...req.headers },
        body,
        receivedAt: Date.now(),
        aborted: false,
      };
      requests.push(record);
      const serverClosed = { value: false };
      const markAborted = (): void => {
        if (record.aborted || serverClosed.value || closing) return;
        record.aborted = true;
        settleWaiters();
      };
      res.on('close', () => {
        if (!res.writableFinished) markAborted();
      });
      // The client may have gone while the body was read.
      if (req.socket.destroyed) markAborted();
      await handle({ req, res, record, serverClosed });
    };
    run().catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, options.failureBody(`mock upstream failure: ${String(err)}`));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitForAbort(n: number, timeoutMs = 5000): Promise<void> {
      if (requests[n - 1]?.aborted) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter: AbortWaiter = {
          n,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`mock upstream: request #${n} was not aborted within ${timeoutMs} ms`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error(`mock upstream closed before request #${w.n} was aborted`));
      }
      waiters.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

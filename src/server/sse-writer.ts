/**
 * Server-sent events out: `event:` then `data:`, LF only. The events of one tick (all those one
 * upstream read produced) leave in one write, not one chunk and syscall each: end the stream with
 * `endEventStream` so that none stays behind.
 */
import type { ServerResponse } from 'node:http';

/**
 * Events written in this tick and not yet handed to the socket, kept on the response itself (a
 * WeakMap entry set and deleted per event churns its backing store).
 */
const PENDING = Symbol('pending events');
type Pending = ServerResponse & { [PENDING]?: string | undefined };

/** Event streams open in this process (a gauge read at scrape time). */
let openStreams = 0;

export function openEventStreamCount(): number {
  return openStreams;
}

export function openEventStream(
  res: ServerResponse,
  headers: Record<string, string | number | string[] | undefined>,
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...headers,
  });
  openStreams++;
  res.once('close', () => openStreams--);
  // The client sees the stream open at once: with the first events, or alone if none came this tick.
  process.nextTick(flushHeadersIfIdle, res);
}

/** Writes one event already serialised as JSON. */
export function writeEventData(res: ServerResponse, type: string, data: string): void {
  if (res.writableEnded || res.destroyed) return;
  const event = `event: ${type}\ndata: ${data}\n\n`;
  const target = res as Pending;
  const queued = target[PENDING];
  if (queued === undefined) {
    target[PENDING] = event;
    process.nextTick(flush, res);
  } else {
    target[PENDING] = queued + event;
  }
}

/** Sends what is pending and ends the response. */
export function endEventStream(res: ServerResponse): void {
  flush(res);
  res.end();
}

function flush(res: ServerResponse): void {
  const target = res as Pending;
  const events = target[PENDING];
  if (events === undefined) return;
  target[PENDING] = undefined;
  if (!res.writableEnded && !res.destroyed) res.write(events);
}

function flushHeadersIfIdle(res: ServerResponse): void {
  if (!res.headersSent && (res as Pending)[PENDING] === undefined && !res.destroyed) res.flushHeaders();
}

/**
 * Server-sent events out: `event:` then `data:`, LF only. The events of one tick (all those one
 * upstream read produced) leave in one write, not one chunk and syscall each: end the stream with
 * `endEventStream` so that none stays behind.
 */
import type { ServerResponse } from 'node:http';

/** Events written in this tick and not yet handed to the socket. */
const pending = new WeakMap<ServerResponse, string>();

export function openEventStream(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...headers,
  });
  // The client sees the stream open at once: with the first events, or alone if none came this tick.
  process.nextTick(flushHeadersIfIdle, res);
}

/** Writes one event already serialised as JSON. */
export function writeEventData(res: ServerResponse, type: string, data: string): void {
  if (res.writableEnded || res.destroyed) return;
  const event = `event: ${type}\ndata: ${data}\n\n`;
  const queued = pending.get(res);
  if (queued === undefined) {
    pending.set(res, event);
    process.nextTick(flush, res);
  } else {
    pending.set(res, queued + event);
  }
}

/** Sends what is pending and ends the response. */
export function endEventStream(res: ServerResponse): void {
  flush(res);
  res.end();
}

function flush(res: ServerResponse): void {
  const events = pending.get(res);
  if (events === undefined) return;
  pending.delete(res);
  if (!res.writableEnded && !res.destroyed) res.write(events);
}

function flushHeadersIfIdle(res: ServerResponse): void {
  if (!res.headersSent && !pending.has(res) && !res.destroyed) res.flushHeaders();
}

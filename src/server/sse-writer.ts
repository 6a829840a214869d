/** Server-sent events out: each event in one write, `event:` then `data:`, LF only. */
import type { ServerResponse } from 'node:http';
import type { ResponseEvent } from '../engine/events.js';

export function openEventStream(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...headers,
  });
  // Headers go out now so the client sees the stream open before the first event.
  res.flushHeaders();
}

export function writeEvent(res: ServerResponse, event: ResponseEvent): void {
  if (res.writableEnded || res.destroyed) return;
  res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}

/** Server-sent events out: each event in one write, `event:` then `data:`, LF only. */
import type { ServerResponse } from 'node:http';

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

/** Writes one event already serialised as JSON. */
export function writeEventData(res: ServerResponse, type: string, data: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.write(`event: ${type}\ndata: ${data}\n\n`);
}

/**
 * A static server on 127.0.0.1 (ephemeral port) for media URLs the gateway fetches: each path
 * answers with its bytes and content type, or redirects. Counts requests per path, so tests can
 * show what was fetched and what was not.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type MediaRoute =
  | { body: Buffer | string; contentType: string }
  | { redirect: string; status?: number };

export interface MediaServer {
  /** e.g. http://127.0.0.1:12345 */
  url: string;
  port: number;
  /** Requests so far, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startMediaServer(routes: Record<string, MediaRoute>): Promise<MediaServer> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (!route) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    if ('redirect' in route)
      return void res.writeHead(route.status ?? 302, { location: route.redirect }).end();
    res.writeHead(200, { 'content-type': route.contentType }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A fake web on 127.0.0.1 (ephemeral port): a SearXNG JSON API at `/search` whose results point at
 * pages this same server serves under `/pages/`, plus the ways a search service and a page go
 * wrong. Queries pick the failure: `garbage` answers HTML, `badshape` JSON of another shape,
 * `slow` answers after `slowMs`, `broken` a 502. Records every request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWeb {
  /** e.g. http://127.0.0.1:12345 — the SearXNG root and the pages' origin. */
  url: string;
  /** `METHOD path?query` of each request, in order. */
  requests: string[];
  close(): Promise<void>;
}

export const K7_TITLE = 'K7 robot mower: error codes';
export const K7_FACT = 'Error E42 means the lidar dome is dirty or obstructed';

const K7_PAGE = `<!doctype html><html><head><title>${K7_TITLE}</title></head><body>
<nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
<article><h1>${K7_TITLE}</h1>
<p>The K7 shows a code on its display when it stops. This page lists what each code means and what to do about it.</p>
<p>${K7_FACT}. Wipe the dome with a dry cloth and restart the mower; if the code comes back, check the dome for cracks.</p>
<p>Error E17 means a wheel motor drew too much current, usually because grass is wound around the axle.</p>
<p>Error E03 means the battery is below five per cent; the mower drives back to its dock by itself.</p>
</article><footer>© Example Robotics</footer></body></html>`;

export async function startFakeWeb(options: { slowMs?: number } = {}): Promise<FakeWeb> {
  const requests: string[] = [];
  let origin = '';
  const results = (query: string) => [
    {
      url: `${origin}/pages/k7.html`,
      title: K7_TITLE,
      content: `${K7_FACT}. Wipe the dome…`,
      engine: 'fake',
    },
    {
      url: `${origin}/pages/notes.txt`,
      title: 'Owner notes',
      content: `Notes about ${query}.`,
      engine: 'fake',
    },
    {
      url: 'https://forum.example.org/t/e42',
      title: 'Forum: E42 again',
      content: 'Mine says E42 too.',
      engine: 'fake',
    },
  ];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === '/search') {
      const q = url.searchParams.get('q') ?? '';
      if (url.searchParams.get('format') !== 'json') return void res.writeHead(403).end('json not enabled');
      if (q.includes('garbage'))
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>rate limited</html>');
      if (q.includes('badshape'))
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"answers":"none"}');
      if (q.includes('broken')) return void res.writeHead(502).end('bad gateway');
      const answer = () =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ query: q, number_of_results: 3, results: results(q) }));
      if (q.includes('slow')) {
        const timer = setTimeout(answer, options.slowMs ?? 5_000);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      return void answer();
    }
    if (url.pathname === '/pages/k7.html')
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(K7_PAGE);
    if (url.pathname === '/pages/notes.txt')
      return void res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end('Owner notes.\n\nE42 came back twice in May.');
    if (url.pathname === '/pages/photo.png')
      return void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(64));
    if (url.pathname === '/pages/huge.html')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${'x'.repeat(200_000)}</p>`);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

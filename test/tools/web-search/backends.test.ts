/**
 * Each search backend against a local server speaking its service's JSON: what it sends (path,
 * key, query, count, location, domains) and how it reads the answer; garbage, errors and silence
 * become SearchBackendErrors.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BraveBackend } from '../../../src/tools/web-search/backends/brave-backend.js';
import { ExaBackend } from '../../../src/tools/web-search/backends/exa-backend.js';
import { SearxngBackend } from '../../../src/tools/web-search/backends/searxng-backend.js';
import { TavilyBackend } from '../../../src/tools/web-search/backends/tavily-backend.js';
import { SearchBackendError, type SearchQuery } from '../../../src/tools/web-search/search-backend.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A server answering every request with `answer` (a status and body); returns what it saw. */
async function serve(answer: { status?: number; body: string; delayMs?: number }) {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text === '' ? undefined : JSON.parse(text),
    });
    const send = () =>
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(answer.body);
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const query = (extra: Partial<SearchQuery> = {}): SearchQuery => ({
  query: 'k7 e42',
  count: 5,
  location: { type: 'approximate', country: 'de', city: 'Berlin', region: null, timezone: 'Europe/Berlin' },
  allowedDomains: ['example.com'],
  signal: new AbortController().signal,
  ...extra,
});

describe('SearXNG', () => {
  it('asks /search?format=json under the root and reads results', async () => {
    const { url, seen } = await serve({
      body: JSON.stringify({
        results: [
          { url: 'https://a.example.com/1', title: 'One', content: 'first' },
          { title: 'no url' },
          { url: 'https://b.example.com/2' },
        ],
      }),
    });
    const hits = await new SearxngBackend(`${url}/searx`, 1000).search(query());
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/searx/search' });
    expect(seen[0]!.query.get('q')).toBe('k7 e42');
    expect(seen[0]!.query.get('format')).toBe('json');
    expect(hits).toEqual([
      { url: 'https://a.example.com/1', title: 'One', snippet: 'first' },
      { url: 'https://b.example.com/2', title: 'https://b.example.com/2', snippet: '' },
    ]);
  });
});

describe('Brave', () => {
  it('sends the key, count and location, and reads web.results', async () => {
    const { url, seen } = await serve({
      body: JSON.stringify({
        web: { results: [{ url: 'https://example.com/x', title: 'X', description: 'about x' }] },
      }),
    });
    const hits = await new BraveBackend('brave-key', 1000, url).search(query({ count: 50 }));
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/res/v1/web/search' });
    expect(seen[0]!.headers['x-subscription-token']).toBe('brave-key');
    expect(seen[0]!.headers['x-loc-city']).toBe('Berlin');
    expect(seen[0]!.query.get('count')).toBe('20');
    expect(seen[0]!.query.get('country')).toBe('DE');
    expect(hits).toEqual([{ url: 'https://example.com/x', title: 'X', snippet: 'about x' }]);
  });

  it('reads an answer without a web section as no results', async () => {
    const { url } = await serve({ body: JSON.stringify({ type: 'search', query: { original: 'x' } }) });
    expect(await new BraveBackend('k', 1000, url).search(query())).toEqual([]);
  });
});

describe('Tavily', () => {
  it('posts the query with a bearer key and domains', async () => {
    const { url, seen } = await serve({
      body: JSON.stringify({
        results: [{ url: 'https://example.com/t', title: 'T', content: 'tavily text', score: 0.9 }],
      }),
    });
    const hits = await new TavilyBackend('tvly-key', 1000, url).search(query());
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/search',
      body: { query: 'k7 e42', max_results: 5, include_domains: ['example.com'] },
    });
    expect(seen[0]!.headers.authorization).toBe('Bearer tvly-key');
    expect(hits).toEqual([{ url: 'https://example.com/t', title: 'T', snippet: 'tavily text' }]);
  });
});

describe('Exa', () => {
  it('posts with x-api-key, highlights, domains and the country', async () => {
    const { url, seen } = await serve({
      body: JSON.stringify({
        results: [{ url: 'https://example.com/e', title: 'E', highlights: ['one', 'two'] }],
      }),
    });
    const hits = await new ExaBackend('exa-key', 1000, url).search(query());
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/search',
      body: {
        query: 'k7 e42',
        numResults: 5,
        contents: { highlights: true },
        includeDomains: ['example.com'],
        userLocation: 'DE',
      },
    });
    expect(seen[0]!.headers['x-api-key']).toBe('exa-key');
    expect(hits).toEqual([{ url: 'https://example.com/e', title: 'E', snippet: 'one … two' }]);
  });
});

describe('failures', () => {
  const backends = (url: string) => [
    new SearxngBackend(url, 300),
    new BraveBackend('k', 300, url),
    new TavilyBackend('k', 300, url),
    new ExaBackend('k', 300, url),
  ];

  it.each([
    ['not JSON', { body: '<html>busy</html>' }, /other than JSON/],
    ['another shape', { body: '{"items": []}' }, /unexpected shape/],
    ['an error status', { status: 429, body: '{"error": "quota"}' }, /HTTP 429/],
    ['silence', { body: '{}', delayMs: 2_000 }, /did not answer within/],
  ])('%s is a SearchBackendError', async (_case, answer, message) => {
    const { url } = await serve(answer);
    for (const backend of backends(url)) {
      // Brave reads `{}` (no web section) as no results, and `{"items": []}` too.
      if (backend.name === 'brave' && /shape/.test(String(message))) continue;
      const error = await backend.search(query()).catch((e: unknown) => e);
      expect(error, backend.name).toBeInstanceOf(SearchBackendError);
      expect((error as Error).message, backend.name).toMatch(message);
      expect((error as Error).message).toContain(backend.name);
    }
  });

  it('a service that is down is a SearchBackendError', async () => {
    const { url } = await serve({ body: '{}' });
    await close?.();
    close = undefined;
    const error = await new SearxngBackend(url, 300).search(query()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SearchBackendError);
    expect((error as Error).message).toMatch(/could not be reached/);
  });
});

/**
 * The SSRF guard against real servers on 127.0.0.1. Host names resolve through an injected lookup
 * (no DNS): `evil.test` maps to whatever address a case needs, `media.test` to 127.0.0.1 and is
 * the allowed host, so the allowed cases reach the local servers while everything else is refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchLimits, GuardedFetcher } from '../../src/net/guarded-fetcher.js';
import { OutboundError } from '../../src/net/outbound-error.js';

const LIMITS: FetchLimits = { maxBytes: 1024, timeoutMs: 2_000, contentTypes: ['image/*', 'text/plain'] };

let server: Server;
let port: number;
/** Connections the server accepted: a refused fetch must not add any. */
let connections = 0;
let hosts: Record<string, string> = {};

const lookup = async (hostname: string) => {
  const address = hosts[hostname];
  if (address === undefined)
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address, family: address.includes(':') ? 6 : 4 }];
};

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const to = url.searchParams.get('to');
  switch (url.pathname) {
    case '/image':
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('PNGDATA'));
      return;
    case '/redirect':
      res.writeHead(302, { location: to ?? '/image' }).end();
      return;
    case '/loop':
      res.writeHead(301, { location: '/loop' }).end();
      return;
    case '/big':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '5000' }).end(Buffer.alloc(5000));
      return;
    case '/chunked-big': {
      res.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(256);
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent > 100) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(chunk);
        sent++;
      }, 1);
      return;
    }
    case '/slow':
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write('x');
      // never ends: the fetch's total timeout must
      return;
    case '/html':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html></html>');
      return;
    case '/text':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('hello');
      return;
    case '/missing':
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no');
      return;
    default:
      res.writeHead(500).end();
  }
}

beforeAll(async () => {
  server = createServer(handle);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function fetcher(allow: string[] = ['media.test']) {
  hosts = { 'media.test': '127.0.0.1' };
  return new GuardedFetcher({ allow, lookup });
}

async function refusedWith(promise: Promise<unknown>, reason: OutboundError['reason']): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundError);
  expect((error as OutboundError).reason).toBe(reason);
  return (error as OutboundError).message;
}

describe('GuardedFetcher: allowed fetches', () => {
  it('fetches from an allowed host, with the media type and bytes', async () => {
    const f = fetcher();
    const got = await f.fetch(`http://media.test:${port}/image`, LIMITS);
    expect(got).toEqual({
      url: `http://media.test:${port}/image`,
      mediaType: 'image/png',
      bytes: Buffer.from('PNGDATA'),
    });
    await f.close();
  });

  it('follows redirects within allowed hosts', async () => {
    const f = fetcher();
    const got = await f.fetch(`http://media.test:${port}/redirect?to=/text`, LIMITS);
    expect(got.url).toBe(`http://media.test:${port}/text`);
    expect(got.mediaType).toBe('text/plain');
    expect(got.bytes.toString()).toBe('hello');
    await f.close();
  });

  it('allows by CIDR: any host resolving into the range', async () => {
    const f = new GuardedFetcher({ allow: ['127.0.0.0/8'], lookup });
    hosts = { 'anything.test': '127.0.0.1' };
    expect((await f.fetch(`http://anything.test:${port}/image`, LIMITS)).mediaType).toBe('image/png');
    expect((await f.fetch(`http://127.0.0.1:${port}/image`, LIMITS)).mediaType).toBe('image/png');
    await f.close();
  });

  it('allows an IP address entry for the literal and for names resolving to it', async () => {
    const f = new GuardedFetcher({ allow: ['127.0.0.1'], lookup });
    hosts = { 'other.test': '127.0.0.1' };
    expect((await f.fetch(`http://127.0.0.1:${port}/image`, LIMITS)).bytes.length).toBe(7);
    expect((await f.fetch(`http://other.test:${port}/image`, LIMITS)).bytes.length).toBe(7);
    await f.close();
  });

  it('matches allowed hosts case-insensitively and with a trailing dot', async () => {
    const f = fetcher(['Media.Test']);
    hosts['media.test.'] = '127.0.0.1';
    expect((await f.fetch(`http://MEDIA.test.:${port}/image`, LIMITS)).bytes.length).toBe(7);
    await f.close();
  });
});

describe('GuardedFetcher: blocked addresses', () => {
  // Every range the guard refuses, reached through a name that resolves into it.
  const blocked: Array<[string, string]> = [
    ['loopback', '127.0.0.1'],
    ['loopback (other)', '127.255.0.7'],
    ['private 10/8', '10.1.2.3'],
    ['private 172.16/12', '172.31.255.254'],
    ['private 192.168/16', '192.168.1.1'],
    ['link-local', '169.254.10.10'],
    ['metadata', '169.254.169.254'],
    ['CGNAT', '100.64.0.1'],
    ['CGNAT (top)', '100.127.255.255'],
    ['this network', '0.0.0.0'],
    ['this network (other)', '0.1.2.3'],
    ['multicast', '224.0.0.251'],
    ['reserved', '240.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['IPv6 loopback', '::1'],
    ['IPv6 unspecified', '::'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 ULA', 'fc00::1'],
    ['IPv6 ULA fd', 'fd12:3456::1'],
    ['IPv6 metadata', 'fd00:ec2::254'],
    ['IPv6 multicast', 'ff02::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped metadata', '::ffff:a9fe:a9fe'],
    ['IPv4-compatible private', '::10.0.0.1'],
    ['NAT64 loopback', '64:ff9b::7f00:1'],
    ['NAT64 private', '64:ff9b::192.168.0.1'],
    ['local-use NAT64', '64:ff9b:1::8.8.8.8'],
    ['6to4 private', '2002:c0a8:0101::1'],
  ];
  it.each(blocked)('refuses %s (%s) resolved from a name, before connecting', async (_name, address) => {
    const f = fetcher();
    hosts['evil.test'] = address;
    const before = connections;
    const message = await refusedWith(f.fetch(`http://evil.test:${port}/image`, LIMITS), 'blocked_address');
    expect(message).toContain(address);
    expect(connections).toBe(before);
    await f.close();
  });

  it('cannot be rebound: each connection resolves once, and dials only what that answer allowed', async () => {
    // DNS rebinding needs a check on one answer and a connection on another. Here every connection
    // makes exactly one lookup, whose addresses are both checked and dialled.
    let calls = 0;
    const answers = ['127.0.0.1', '10.0.0.8', '::ffff:127.0.0.1'];
    const rebinding = async () => {
      const address = answers[calls++ % answers.length]!;
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    };
    const before = connections;
    for (let i = 0; i < answers.length; i++) {
      const f = new GuardedFetcher({ lookup: rebinding });
      await refusedWith(f.fetch(`http://rebind.test:${port}/image`, LIMITS), 'blocked_address');
      expect(calls).toBe(i + 1);
      await f.close();
    }
    // Redirect hops resolve again, each checked: an allowed host that redirects to a rebinding name.
    const f = fetcher();
    hosts['rebind.test'] = '127.0.0.1';
    await refusedWith(
      f.fetch(
        `http://media.test:${port}/redirect?to=${encodeURIComponent(`http://rebind.test:${port}/image`)}`,
        LIMITS,
      ),
      'blocked_address',
    );
    expect(connections).toBe(before + 1);
    await f.close();
  });

  it('refuses a name when any of its addresses is blocked', async () => {
    const f = new GuardedFetcher({
      lookup: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
    });
    await refusedWith(f.fetch('http://mixed.test/image', LIMITS), 'blocked_address');
    await f.close();
  });

  const literals = [
    'http://127.0.0.1:PORT/image',
    'http://2130706433:PORT/image',
    'http://0177.0.0.1:PORT/image',
    'http://0x7f.0.0.1:PORT/image',
    'http://0x7f000001:PORT/image',
    'http://127.1:PORT/image',
    'http://017700000001:PORT/image',
    'http://[::1]:PORT/image',
    'http://[::ffff:127.0.0.1]:PORT/image',
    'http://[64:ff9b::127.0.0.1]:PORT/image',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://0.0.0.0:PORT/image',
  ];
  it.each(literals)('refuses the IP literal %s', async (template) => {
    const f = fetcher();
    const before = connections;
    await refusedWith(f.fetch(template.replace('PORT', String(port)), LIMITS), 'blocked_address');
    expect(connections).toBe(before);
    await f.close();
  });

  it('refuses localhost (it resolves to loopback)', async () => {
    const f = fetcher();
    hosts.localhost = '127.0.0.1';
    await refusedWith(f.fetch(`http://localhost:${port}/image`, LIMITS), 'blocked_address');
    await f.close();
  });

  it('re-checks every redirect hop: allowed host → blocked name', async () => {
    const f = fetcher();
    hosts['evil.test'] = '127.0.0.1';
    const before = connections;
    await refusedWith(
      f.fetch(`http://media.test:${port}/redirect?to=http://evil.test:${port}/image`, LIMITS),
      'blocked_address',
    );
    // Only the allowed first hop connected.
    expect(connections).toBe(before + 1);
    await f.close();
  });

  it.each([
    [`http://127.0.0.1:PORT/image`],
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://[::1]:PORT/image'],
  ])('re-checks every redirect hop: allowed host → %s', async (to) => {
    const f = fetcher();
    const location = encodeURIComponent(to.replace('PORT', String(port)));
    await refusedWith(
      f.fetch(`http://media.test:${port}/redirect?to=${location}`, LIMITS),
      'blocked_address',
    );
    await f.close();
  });
});

describe('GuardedFetcher: schemes, redirects and limits', () => {
  it.each(['gs://bucket/a.png', 'file:///etc/passwd', 'ftp://media.test/a.png', 'data:image/png;base64,AA'])(
    'refuses the scheme of %s',
    async (url) => {
      const f = fetcher();
      await refusedWith(f.fetch(url, LIMITS), 'bad_scheme');
      await f.close();
    },
  );

  it('refuses a redirect to another scheme', async () => {
    const f = fetcher();
    await refusedWith(
      f.fetch(`http://media.test:${port}/redirect?to=file:///etc/passwd`, LIMITS),
      'bad_scheme',
    );
    await f.close();
  });

  it('refuses URLs with credentials and garbage', async () => {
    const f = fetcher();
    await refusedWith(f.fetch(`http://u:p@media.test:${port}/image`, LIMITS), 'bad_url');
    await refusedWith(f.fetch('not a url', LIMITS), 'bad_url');
    await f.close();
  });

  it('stops after 5 redirects', async () => {
    const f = fetcher();
    await refusedWith(f.fetch(`http://media.test:${port}/loop`, LIMITS), 'too_many_redirects');
    await f.close();
  });

  it('follows exactly maxRedirects hops', async () => {
    const f = fetcher();
    let url = `http://media.test:${port}/image`;
    for (let i = 0; i < 2; i++) url = `http://media.test:${port}/redirect?to=${encodeURIComponent(url)}`;
    expect((await f.fetch(url, { ...LIMITS, maxRedirects: 2 })).mediaType).toBe('image/png');
    await refusedWith(f.fetch(url, { ...LIMITS, maxRedirects: 1 }), 'too_many_redirects');
    await f.close();
  });

  it('refuses a declared body above maxBytes', async () => {
    const f = fetcher();
    await refusedWith(f.fetch(`http://media.test:${port}/big`, LIMITS), 'too_large');
    await f.close();
  });

  it('aborts a streamed body once it passes maxBytes', async () => {
    const f = fetcher();
    const message = await refusedWith(f.fetch(`http://media.test:${port}/chunked-big`, LIMITS), 'too_large');
    expect(message).toContain('1024 bytes');
    await f.close();
  });

  it('times out as a whole', async () => {
    const f = fetcher();
    const started = Date.now();
    await refusedWith(f.fetch(`http://media.test:${port}/slow`, { ...LIMITS, timeoutMs: 150 }), 'timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
    await f.close();
  });

  it('stops when the caller aborts', async () => {
    const f = fetcher();
    const controller = new AbortController();
    const pending = f.fetch(`http://media.test:${port}/slow`, { ...LIMITS, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await refusedWith(pending, 'aborted');
    await f.close();
  });

  it('takes only the allowed content types', async () => {
    const f = fetcher();
    const message = await refusedWith(f.fetch(`http://media.test:${port}/html`, LIMITS), 'bad_content_type');
    expect(message).toContain("'text/html'");
    expect((await f.fetch(`http://media.test:${port}/text`, LIMITS)).mediaType).toBe('text/plain');
    await refusedWith(
      f.fetch(`http://media.test:${port}/text`, { ...LIMITS, contentTypes: ['application/pdf'] }),
      'bad_content_type',
    );
    await f.close();
  });

  it('refuses a non-2xx status', async () => {
    const f = fetcher();
    const error = await f.fetch(`http://media.test:${port}/missing`, LIMITS).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'bad_status', status: 404 });
    await f.close();
  });

  it('reports an unknown host as unreachable', async () => {
    const f = fetcher();
    await refusedWith(f.fetch('http://nowhere.test/image', LIMITS), 'unreachable');
    await f.close();
  });
});

/** The pieces of the SSRF guard on their own: ranges, the allow list, the connector without the fetcher. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedConnector } from '../../src/net/guarded-connector.js';
import { blockedRange, parseIPv6 } from '../../src/net/ip-ranges.js';
import { allowEntryProblem, normalizeHost, parseAllowList } from '../../src/net/outbound-allow.js';
import { OutboundError } from '../../src/net/outbound-error.js';

describe('blockedRange', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:0808:0808::1',
  ])('lets the public address %s through', (address) => {
    expect(blockedRange(address)).toBeUndefined();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['fd00:ec2::254', 'unique local'],
    ['fe80::1%eth0', 'link-local'],
  ])('names the range of %s', (address, name) => {
    expect(blockedRange(address)).toContain(name);
  });

  it('treats what is not an IP address as blocked', () => {
    expect(blockedRange('evil.test')).toBeDefined();
  });

  it('parses IPv6 with compression and a dotted quad', () => {
    expect(Array.from(parseIPv6('::ffff:1.2.3.4'))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4,
    ]);
    expect(Array.from(parseIPv6('2001:db8::1')).slice(0, 4)).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(parseIPv6('2001:db8::1')[15]).toBe(1);
  });
});

describe('allow list', () => {
  it('validates entries', () => {
    expect(allowEntryProblem('media.internal')).toBeUndefined();
    expect(allowEntryProblem('10.0.0.0/8')).toBeUndefined();
    expect(allowEntryProblem('fd00::/8')).toBeUndefined();
    expect(allowEntryProblem('::1')).toBeUndefined();
    expect(allowEntryProblem('10.0.0.0/33')).toContain('prefix');
    expect(allowEntryProblem('host.test/8')).toContain('CIDR');
    expect(allowEntryProblem('http://host.test')).toBeDefined();
    expect(allowEntryProblem('host.test:8080')).toBeDefined();
    expect(allowEntryProblem('a b')).toBeDefined();
  });

  it('normalizes hosts as URLs do', () => {
    expect(normalizeHost('0177.0.0.1')).toBe('127.0.0.1');
    expect(normalizeHost('[::1]')).toBe('::1');
    expect(normalizeHost('Example.COM.')).toBe('example.com');
  });

  it('matches hosts, addresses and ranges', () => {
    const allow = parseAllowList(['minio.internal', '10.1.0.0/16', '::1', ' ']);
    expect(allow.empty).toBe(false);
    expect(allow.allowsHost('MINIO.internal')).toBe(true);
    expect(allow.allowsHost('other.internal')).toBe(false);
    expect(allow.allowsAddress('10.1.2.3')).toBe(true);
    expect(allow.allowsAddress('10.2.0.1')).toBe(false);
    expect(allow.allowsAddress('::1')).toBe(true);
    expect(allow.allowsHost('::1')).toBe(true);
    expect(parseAllowList([]).empty).toBe(true);
    expect(() => parseAllowList(['10.0.0.0/40'])).toThrow(/prefix/);
  });
});

describe('guardedConnector', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const lookup = async () => [{ address: '127.0.0.1', family: 4 }];

  it('refuses at connect time, on its own, an IP literal and a resolved name', async () => {
    const agent = new Agent({ connect: guardedConnector(parseAllowList([]), lookup, 1_000) });
    for (const origin of [`http://127.0.0.1:${port}`, `http://rebind.test:${port}`]) {
      const error = await agent.request({ origin, path: '/', method: 'GET' }).catch((e: unknown) => e);
      const refusal = error instanceof OutboundError ? error : (error as { cause?: unknown }).cause;
      expect(refusal).toBeInstanceOf(OutboundError);
      expect((refusal as OutboundError).reason).toBe('blocked_address');
    }
    await agent.close();
  });

  it('connects where the allow list says so', async () => {
    const agent = new Agent({ connect: guardedConnector(parseAllowList(['rebind.test']), lookup, 1_000) });
    const response = await agent.request({ origin: `http://rebind.test:${port}`, path: '/', method: 'GET' });
    expect(await response.body.text()).toBe('ok');
    await agent.close();
  });
});

/**
 * Which IP addresses an outbound fetch must never reach: everything that is not the public
 * internet (loopback, private, link-local, CGNAT, multicast, reserved, cloud metadata), including
 * IPv6 forms that carry such an IPv4 address inside (mapped, compatible, NAT64, 6to4).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

interface Range {
  network: string;
  prefix: number;
  name: string;
}

const V4_RANGES: readonly Range[] = [
  { network: '0.0.0.0', prefix: 8, name: 'this-network (0.0.0.0/8)' },
  { network: '10.0.0.0', prefix: 8, name: 'private (10.0.0.0/8)' },
  { network: '100.64.0.0', prefix: 10, name: 'carrier-grade NAT (100.64.0.0/10)' },
  { network: '127.0.0.0', prefix: 8, name: 'loopback (127.0.0.0/8)' },
  // 169.254.169.254 is the cloud metadata endpoint (AWS, GCP, Azure) inside this range.
  { network: '169.254.0.0', prefix: 16, name: 'link-local (169.254.0.0/16)' },
  { network: '172.16.0.0', prefix: 12, name: 'private (172.16.0.0/12)' },
  { network: '192.0.0.0', prefix: 24, name: 'IETF protocol assignments (192.0.0.0/24)' },
  { network: '192.0.2.0', prefix: 24, name: 'documentation (192.0.2.0/24)' },
  { network: '192.168.0.0', prefix: 16, name: 'private (192.168.0.0/16)' },
  { network: '198.18.0.0', prefix: 15, name: 'benchmarking (198.18.0.0/15)' },
  { network: '198.51.100.0', prefix: 24, name: 'documentation (198.51.100.0/24)' },
  { network: '203.0.113.0', prefix: 24, name: 'documentation (203.0.113.0/24)' },
  { network: '224.0.0.0', prefix: 4, name: 'multicast (224.0.0.0/4)' },
  // Includes the limited broadcast address 255.255.255.255.
  { network: '240.0.0.0', prefix: 4, name: 'reserved or broadcast (240.0.0.0/4)' },
];

const V6_RANGES: readonly Range[] = [
  { network: '::', prefix: 128, name: 'unspecified (::)' },
  { network: '::1', prefix: 128, name: 'loopback (::1)' },
  { network: '100::', prefix: 64, name: 'discard (100::/64)' },
  // Local-use NAT64 (RFC 8215): translated by a gateway inside the network, so never public.
  { network: '64:ff9b:1::', prefix: 48, name: 'local-use NAT64 (64:ff9b:1::/48)' },
  { network: '2001:db8::', prefix: 32, name: 'documentation (2001:db8::/32)' },
  // fd00:ec2::254 (the AWS metadata endpoint over IPv6) is inside this range.
  { network: 'fc00::', prefix: 7, name: 'unique local (fc00::/7)' },
  { network: 'fe80::', prefix: 10, name: 'link-local (fe80::/10)' },
  { network: 'fec0::', prefix: 10, name: 'site-local (fec0::/10)' },
  { network: 'ff00::', prefix: 8, name: 'multicast (ff00::/8)' },
];

const blocked = new BlockList();
for (const range of V4_RANGES) blocked.addSubnet(range.network, range.prefix, 'ipv4');
for (const range of V6_RANGES) blocked.addSubnet(range.network, range.prefix, 'ipv6');

/**
 * The name of the non-public range `address` falls in, or undefined for a public address. An
 * address that is not an IP literal at all counts as blocked: callers check resolved addresses.
 */
export function blockedRange(address: string): string | undefined {
  if (isIPv4(address)) return findRange(address, 'ipv4');
  if (!isIPv6(address)) return 'not an IP address';
  const bytes = parseIPv6(address);
  const embedded = embeddedIPv4(bytes);
  if (embedded !== undefined) {
    const inner = findRange(embedded.address, 'ipv4');
    if (inner !== undefined) return `${inner} inside ${embedded.form}`;
  }
  return findRange(address, 'ipv6');
}

function findRange(address: string, family: 'ipv4' | 'ipv6'): string | undefined {
  // BlockList matches IPv4-mapped IPv6 (::ffff:a.b.c.d) against the IPv4 rules by itself.
  if (!blocked.check(address, family)) return undefined;
  const ranges = family === 'ipv4' ? V4_RANGES : V6_RANGES;
  for (const range of ranges) {
    const one = new BlockList();
    one.addSubnet(range.network, range.prefix, family);
    if (one.check(address, family)) return range.name;
  }
  return family === 'ipv4' ? 'IPv4-mapped non-public address' : 'non-public IPv6 range';
}

/**
 * The IPv4 address an IPv6 one stands for, in the forms a host or a translator routes onward to
 * that IPv4 address: mapped (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96), 6to4
 * (2002::/16).
 */
function embeddedIPv4(bytes: Uint8Array): { address: string; form: string } | undefined {
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  const v4 = (at: number) => Array.from(bytes.subarray(at, at + 4)).join('.');
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff)
    return { address: v4(12), form: 'IPv4-mapped IPv6' };
  if (zeros(0, 12)) return { address: v4(12), form: 'IPv4-compatible IPv6' };
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12))
    return { address: v4(12), form: 'NAT64 (64:ff9b::/96)' };
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return { address: v4(2), form: '6to4 (2002::/16)' };
  return undefined;
}

/** 16 bytes of a valid IPv6 literal (with `::` and a trailing dotted quad allowed; no zone). */
export function parseIPv6(address: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const words: number[] = [];
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const gap = text.indexOf('::');
  if (gap >= 0) {
    const head = parse(text.slice(0, gap));
    const tail = parse(text.slice(gap + 2));
    words.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else words.push(...parse(text));
  for (const [i, word] of words.entries()) {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  }
  return bytes;
}

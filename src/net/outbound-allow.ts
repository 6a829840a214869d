/**
 * The exceptions to the SSRF guard an operator configured (`RGW_OUTBOUND_ALLOW`, `outbound.allow`):
 * host names, IP addresses and CIDR ranges. An allowed host name is trusted whatever it resolves
 * to (an internal object store, say); an allowed address or range lets any host that resolves
 * into it through.
 */
import { BlockList, isIP } from 'node:net';

export interface AllowList {
  /** `hostname` as in a URL (IPv6 without brackets). */
  allowsHost(hostname: string): boolean;
  allowsAddress(address: string): boolean;
  readonly empty: boolean;
}

/** Why `entry` is not a host, an IP address or a CIDR range; undefined when it is one. */
export function allowEntryProblem(entry: string): string | undefined {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const network = entry.slice(0, slash);
    const family = isIP(network);
    const prefix = Number(entry.slice(slash + 1));
    if (family === 0) return `'${entry}': a CIDR range needs an IP address before the '/'`;
    if (!/^\d{1,3}$/.test(entry.slice(slash + 1)) || prefix > (family === 4 ? 32 : 128))
      return `'${entry}': the prefix length must be 0–${family === 4 ? 32 : 128}`;
    return undefined;
  }
  return normalizeHost(entry) === undefined ? `'${entry}' is not a host name or IP address` : undefined;
}

export function parseAllowList(entries: readonly string[]): AllowList {
  const hosts = new Set<string>();
  const ranges = new BlockList();
  let count = 0;
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const problem = allowEntryProblem(entry);
    if (problem !== undefined) throw new Error(`Invalid outbound allow entry ${problem}.`);
    count++;
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const network = entry.slice(0, slash);
      ranges.addSubnet(network, Number(entry.slice(slash + 1)), isIP(network) === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const host = normalizeHost(entry)!;
    hosts.add(host);
    const family = isIP(host);
    if (family !== 0) ranges.addAddress(host, family === 4 ? 'ipv4' : 'ipv6');
  }
  return {
    empty: count === 0,
    allowsHost: (hostname) => {
      const host = normalizeHost(hostname);
      return host !== undefined && hosts.has(host);
    },
    allowsAddress: (address) => {
      const family = isIP(address);
      return family !== 0 && ranges.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/**
 * A host the way URLs spell it: lower case, no trailing dot, IPv4 in dotted decimal (the URL
 * parser turns `0177.0.0.1` or `2130706433` into `127.0.0.1`), IPv6 compressed, no brackets.
 */
export function normalizeHost(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const v6 = isIP(bare) === 6;
  // A port, path or credentials would be silently dropped by the URL parser: refuse them.
  if (v6 ? bare.includes('%') : /[/?#@:\\\s]/.test(bare)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${v6 ? `[${bare}]` : bare}/`).hostname;
  } catch {
    return undefined;
  }
  if (hostname === '') return undefined;
  if (hostname.startsWith('[')) return hostname.slice(1, -1);
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}

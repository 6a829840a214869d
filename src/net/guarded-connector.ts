/**
 * The undici connector behind every outbound fetch: the address check happens here, on the
 * address the socket is about to reach, not on the URL. A host name is resolved once, through the
 * guard's lookup, and every address it returned is checked before any is dialled (so a name that
 * mixes a public and a private address cannot be raced into the private one); an IP literal is
 * checked before dialling; and the connected socket's peer is checked again, so nothing that
 * bypasses the lookup reaches a blocked address either.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { buildConnector } from 'undici';
import { blockedRange } from './ip-ranges.js';
import type { AllowList } from './outbound-allow.js';
import { OutboundError } from './outbound-error.js';

/** Resolves a host name to all its addresses (tests map names to addresses of their choosing). */
export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemLookup: Lookup = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** Why the guard refuses `address` for `hostname`; undefined when it may be reached. */
export function refusal(allow: AllowList, hostname: string, address: string): OutboundError | undefined {
  if (allow.allowsHost(hostname) || allow.allowsAddress(address)) return undefined;
  const range = blockedRange(address);
  if (range === undefined) return undefined;
  const shown = hostname === address ? address : `${hostname} (${address})`;
  return new OutboundError(
    'blocked_address',
    `${shown} is a ${range} address, which the gateway does not fetch from.`,
  );
}

export function guardedConnector(
  allow: AllowList,
  lookup: Lookup,
  connectTimeoutMs: number,
): buildConnector.connector {
  const guardedLookup = ((hostname: string, options: { all?: boolean; family?: number }, callback) => {
    lookup(hostname).then(
      (found) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const addresses = found.filter((a) => wanted === undefined || a.family === wanted);
        if (addresses.length === 0) {
          callback(new OutboundError('unreachable', `${hostname} did not resolve to an address.`), '', 0);
          return;
        }
        for (const { address } of addresses) {
          const refused = refusal(allow, hostname, address);
          if (refused) return callback(refused, '', 0);
        }
        if (options.all) (callback as AllCallback)(null, addresses as LookupAddress[]);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  }) as LookupFunction;

  const base = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup });
  return (options, callback) => {
    const { hostname } = options;
    if (isIP(hostname) !== 0) {
      const refused = refusal(allow, hostname, hostname);
      if (refused) return callback(refused, null);
    }
    base(options, (error, socket) => {
      if (error) return callback(error, null);
      const peer = (socket as Socket).remoteAddress;
      const refused =
        peer === undefined
          ? new OutboundError('unreachable', `The connection to ${hostname} has no peer address.`)
          : refusal(allow, hostname, peer);
      if (refused) {
        socket!.destroy();
        return callback(refused, null);
      }
      callback(null, socket!);
    });
  };
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

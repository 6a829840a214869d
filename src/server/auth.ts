/**
 * Bearer authentication. Static keys are kept only as SHA-256 digests and compared in constant
 * time; with no keys configured the gateway serves loopback callers only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors.js';

export interface Principal {
  tenantId: string;
  keyId: string;
}

export class Authenticator {
  private readonly digests: Buffer[];

  constructor(staticKeys: readonly string[]) {
    this.digests = staticKeys.map(digest);
  }

  get open(): boolean {
    return this.digests.length === 0;
  }

  authenticate(authorization: string | undefined, remoteAddress: string | undefined): Principal {
    const key = bearerOf(authorization);
    if (key === undefined) {
      throw new GatewayError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        { type: 'invalid_request_error' },
      );
    }
    if (this.open) {
      if (!isLoopback(remoteAddress)) {
        throw new GatewayError(
          401,
          'This gateway has no API keys configured and only serves requests from this machine. Set RGW_API_KEYS to serve other hosts.',
          { type: 'invalid_request_error', code: 'invalid_api_key' },
        );
      }
      return { tenantId: 'default', keyId: 'loopback' };
    }
    const candidate = digest(key);
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(candidate, this.digests[i]!)) return { tenantId: 'default', keyId: `static-${i}` };
    }
    throw new GatewayError(401, `Incorrect API key provided: ${redact(key)}.`, {
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  }
}

function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S.*)$/i.exec(header.trim());
  return match?.[1]?.trim() || undefined;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function redact(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}`;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

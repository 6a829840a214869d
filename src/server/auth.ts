/**
 * Bearer authentication. Keys are only ever compared as SHA-256 digests: static keys from the
 * config (tenant `default`) in constant time, managed keys (`rgw keys create`) by digest lookup,
 * each with its own tenant. With no key of either kind the gateway serves loopback callers only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { ApiKeyRepository } from '../store/types.js';

export interface Principal {
  tenantId: string;
  keyId: string;
}

export class Authenticator {
  private readonly digests: Buffer[];

  constructor(
    staticKeys: readonly string[],
    private readonly managedKeys: ApiKeyRepository,
  ) {
    this.digests = staticKeys.map(digest);
  }

  /** No keys of any kind: loopback callers only. */
  async isOpen(): Promise<boolean> {
    return this.digests.length === 0 && !(await this.managedKeys.hasActiveKeys());
  }

  async authenticate(
    authorization: string | undefined,
    remoteAddress: string | undefined,
  ): Promise<Principal> {
    const key = bearerOf(authorization);
    if (key === undefined) {
      throw new GatewayError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        { type: 'invalid_request_error' },
      );
    }
    const candidate = digest(key);
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(candidate, this.digests[i]!)) return { tenantId: 'default', keyId: `static-${i}` };
    }
    const managed = await this.managedKeys.findActiveByHash(candidate.toString('hex'));
    if (managed) return { tenantId: managed.tenant_id, keyId: managed.id };
    if (await this.isOpen()) {
      if (isLoopback(remoteAddress)) return { tenantId: 'default', keyId: 'loopback' };
      throw new GatewayError(
        401,
        'This gateway has no API keys configured and only serves requests from this machine. Set RGW_API_KEYS or create keys with `rgw keys create` to serve other hosts.',
        { type: 'invalid_request_error', code: 'invalid_api_key' },
      );
    }
    throw new GatewayError(401, `Incorrect API key provided: ${redact(key)}.`, {
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  }
}

export function hashKey(key: string): string {
  return digest(key).toString('hex');
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

/**
 * Bearer authentication. Keys are only ever compared as SHA-256 digests: static keys from the
 * config (tenant `default`) in constant time, managed keys (`rgw keys create`) by digest lookup,
 * each with its own tenant. With no key of either kind the gateway serves loopback callers only
 * (and hashes nothing). Managed keys are read through the repository's short cache: one created or
 * revoked by another process takes effect within a second (see sqlite-api-keys.ts).
 */
import * as crypto from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyRepository, KeyLimits } from '../store/types.js';

export interface Principal {
  tenantId: string;
  keyId: string;
  /** A managed key's own limits (see limits/limiter.ts). */
  limits?: KeyLimits;
  /** Models a managed key may name; null: any. */
  models?: readonly string[] | null;
  /** Whether the key also reaches the admin API. */
  admin?: boolean;
}

const LOOPBACK: Principal = Object.freeze({ tenantId: 'default', keyId: 'loopback' });

export class Authenticator {
  private readonly digests: Buffer[];
  private readonly staticPrincipals: Principal[];

  constructor(
    staticKeys: readonly string[],
    private readonly managedKeys: ApiKeyRepository,
  ) {
    this.digests = staticKeys.map(digest);
    this.staticPrincipals = staticKeys.map((_, i) =>
      Object.freeze({ tenantId: 'default', keyId: `static-${i}` }),
    );
  }

  /** No keys of any kind: loopback callers only. */
  async isOpen(): Promise<boolean> {
    return this.digests.length === 0 && !(await this.managedKeys.hasActiveKeys());
  }

  /**
   * The caller's principal, or a 401 GatewayError (thrown, or rejected when the answer needed the
   * managed keys). A static key is recognised without a promise.
   */
  authenticate(
    authorization: string | undefined,
    remoteAddress: string | undefined,
  ): Principal | Promise<Principal> {
    const key = bearerOf(authorization);
    if (key === undefined) {
      throw new GatewayError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        { type: 'invalid_request_error' },
      );
    }
    if (this.digests.length === 0) return this.withoutStaticKeys(key, remoteAddress);
    const candidate = digest(key);
    for (let i = 0; i < this.digests.length; i++) {
      if (crypto.timingSafeEqual(candidate, this.digests[i]!)) return this.staticPrincipals[i]!;
    }
    return this.managed(candidate, key);
  }

  private async withoutStaticKeys(key: string, remoteAddress: string | undefined): Promise<Principal> {
    if (await this.managedKeys.hasActiveKeys()) return this.managed(digest(key), key);
    if (isLoopback(remoteAddress)) return LOOPBACK;
    throw new GatewayError(
      401,
      'This gateway has no API keys configured and only serves requests from this machine. Set RGW_API_KEYS or create keys with `rgw keys create` to serve other hosts.',
      { type: 'invalid_request_error', code: 'invalid_api_key' },
    );
  }

  private async managed(candidate: Buffer, key: string): Promise<Principal> {
    const managed = await this.managedKeys.findActiveByHash(candidate.toString('hex'));
    if (managed && !isExpired(managed)) return principalOf(managed);
    throw new GatewayError(401, `Incorrect API key provided: ${redact(key)}.`, {
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  }
}

/** One frozen principal per key record: the cache hands out the same record for a second. */
const principals = new WeakMap<ApiKeyRecord, Principal>();

function principalOf(record: ApiKeyRecord): Principal {
  let principal = principals.get(record);
  if (principal === undefined) {
    // Only what admission needs: the digest stays out of what travels with a request.
    const { rpm, tpm, max_concurrent, budget_usd, budget_period } = record;
    principal = Object.freeze({
      tenantId: record.tenant_id,
      keyId: record.id,
      limits: Object.freeze({ rpm, tpm, max_concurrent, budget_usd, budget_period }),
      models: record.models,
      admin: record.admin,
    });
    principals.set(record, principal);
  }
  return principal;
}

function isExpired(record: ApiKeyRecord): boolean {
  return record.expires_at != null && record.expires_at * 1000 <= Date.now();
}

export function hashKey(key: string): string {
  return digest(key).toString('hex');
}

function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S.*)$/i.exec(header.trim());
  return match?.[1]?.trim() || undefined;
}

// The one-shot crypto.hash (Node ≥ 20.12) costs a third of a Hash object for a key-sized input.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer })
  .hash;

function digest(key: string): Buffer {
  return oneShotHash
    ? oneShotHash('sha256', key, 'buffer')
    : crypto.createHash('sha256').update(key).digest();
}

function redact(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}`;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** `keys create|list|update|revoke`: managed API keys, each with its own tenant and limits, stored hashed. */
import { randomBytes } from 'node:crypto';
import { newId } from '../ids.js';
import { hashKey } from '../server/auth.js';
import type { ApiKeyPatch, ApiKeyRecord, Store } from '../store/types.js';

/** What `keys create` and `keys update` take; absent = unchanged (create: none). */
export interface KeyOptions {
  name?: string;
  rpm?: number | null;
  tpm?: number | null;
  maxConcurrent?: number | null;
  budget?: number | null;
  budgetPeriod?: 'day' | 'month' | null;
  /** Unix seconds. */
  expires?: number | null;
  models?: string[] | null;
}

export async function createKey(
  store: Store,
  options: KeyOptions & { tenant: string; admin?: boolean },
): Promise<{ id: string; key: string; tenant: string; record: ApiKeyRecord }> {
  const key = `rgw-${randomBytes(24).toString('base64url')}`;
  const id = newId('key');
  const record: ApiKeyRecord = {
    id,
    tenant_id: options.tenant,
    name: options.name ?? 'key',
    key_hash: hashKey(key),
    preview: `${key.slice(0, 8)}…${key.slice(-4)}`,
    created_at: Math.floor(Date.now() / 1000),
    revoked_at: null,
    rpm: options.rpm ?? null,
    tpm: options.tpm ?? null,
    max_concurrent: options.maxConcurrent ?? null,
    budget_usd: options.budget ?? null,
    budget_period: options.budget != null ? (options.budgetPeriod ?? 'month') : null,
    expires_at: options.expires ?? null,
    models: options.models ?? null,
    admin: options.admin === true,
  };
  await store.apiKeys.create(record);
  return { id, key, tenant: options.tenant, record };
}

export function keyPatch(options: KeyOptions): ApiKeyPatch {
  const patch: ApiKeyPatch = {};
  if (options.name !== undefined) patch.name = options.name;
  if (options.rpm !== undefined) patch.rpm = options.rpm;
  if (options.tpm !== undefined) patch.tpm = options.tpm;
  if (options.maxConcurrent !== undefined) patch.max_concurrent = options.maxConcurrent;
  if (options.budget !== undefined) patch.budget_usd = options.budget;
  if (options.budgetPeriod !== undefined) patch.budget_period = options.budgetPeriod;
  else if (options.budget != null) patch.budget_period = 'month';
  if (options.expires !== undefined) patch.expires_at = options.expires;
  if (options.models !== undefined) patch.models = options.models;
  return patch;
}

export async function updateKey(
  store: Store,
  id: string,
  options: KeyOptions,
): Promise<ApiKeyRecord | undefined> {
  const current = await store.apiKeys.get(id);
  const patch = keyPatch(options);
  // A budget set on a key without a period gets the default one, not the old (null) period.
  if (patch.budget_usd != null && patch.budget_period === undefined && current?.budget_period == null)
    patch.budget_period = 'month';
  return store.apiKeys.update(id, patch);
}

/** A key as the admin API and `keys list` show it: everything but the hash. */
export function publicKey(record: ApiKeyRecord): Omit<ApiKeyRecord, 'key_hash'> {
  const { key_hash: _hash, ...rest } = record;
  return rest;
}

export async function listKeys(store: Store): Promise<string[]> {
  const keys = await store.apiKeys.list();
  return keys.map((k) => {
    const limits = [
      k.rpm != null ? `rpm=${k.rpm}` : '',
      k.tpm != null ? `tpm=${k.tpm}` : '',
      k.max_concurrent != null ? `concurrent=${k.max_concurrent}` : '',
      k.budget_usd != null ? `budget=$${k.budget_usd}/${k.budget_period ?? 'month'}` : '',
      k.models != null ? `models=${k.models.join(',')}` : '',
      k.admin ? 'admin' : '',
      k.expires_at != null ? `expires=${new Date(k.expires_at * 1000).toISOString()}` : '',
    ].filter((part) => part !== '');
    return (
      `${k.id}  tenant=${k.tenant_id}  name=${k.name}  ${k.preview}  created=${new Date(k.created_at * 1000).toISOString()}` +
      (limits.length > 0 ? `  ${limits.join('  ')}` : '') +
      (k.revoked_at != null ? `  revoked=${new Date(k.revoked_at * 1000).toISOString()}` : '')
    );
  });
}

export async function revokeKey(store: Store, id: string): Promise<boolean> {
  return store.apiKeys.revoke(id, Math.floor(Date.now() / 1000));
}

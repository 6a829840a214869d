/** `keys create|list|update|revoke`: managed API keys, each with its own tenant and limits, stored hashed. */
import { createApiKey, updateApiKey } from '../admin/api-keys.js';
import type { ApiKeyPatch, ApiKeyRecord, Store } from '../store/types.js';

/** What `keys create` and `keys update` take; absent = unchanged (create: none), null = cleared. */
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

function patchOf(options: KeyOptions): ApiKeyPatch {
  const patch: ApiKeyPatch = {};
  if (options.name !== undefined) patch.name = options.name;
  if (options.rpm !== undefined) patch.rpm = options.rpm;
  if (options.tpm !== undefined) patch.tpm = options.tpm;
  if (options.maxConcurrent !== undefined) patch.max_concurrent = options.maxConcurrent;
  if (options.budget !== undefined) patch.budget_usd = options.budget;
  if (options.budgetPeriod !== undefined) patch.budget_period = options.budgetPeriod;
  if (options.expires !== undefined) patch.expires_at = options.expires;
  if (options.models !== undefined) patch.models = options.models;
  return patch;
}

export async function createKey(
  store: Store,
  options: KeyOptions & { tenant: string; admin?: boolean },
): Promise<{ id: string; key: string; tenant: string; record: ApiKeyRecord }> {
  const { key, record } = await createApiKey(store.apiKeys, {
    ...patchOf(options),
    tenant_id: options.tenant,
    ...(options.admin !== undefined ? { admin: options.admin } : {}),
  });
  return { id: record.id, key, tenant: record.tenant_id, record };
}

export function updateKey(store: Store, id: string, options: KeyOptions): Promise<ApiKeyRecord | undefined> {
  return updateApiKey(store.apiKeys, id, patchOf(options));
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

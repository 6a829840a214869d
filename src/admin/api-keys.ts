/** Managed API keys: made once (only a digest is stored), changed, listed without their digest. */
import { randomBytes } from 'node:crypto';
import { newId } from '../ids.js';
import { hashKey } from '../server/auth.js';
import type { ApiKeyPatch, ApiKeyRecord, ApiKeyRepository } from '../store/types.js';

/** What a key is made with; absent = none. */
export type NewKey = ApiKeyPatch & { tenant_id: string; admin?: boolean };

export async function createApiKey(
  keys: ApiKeyRepository,
  spec: NewKey,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = `rgw-${randomBytes(24).toString('base64url')}`;
  const budget = spec.budget_usd ?? null;
  const record: ApiKeyRecord = {
    id: newId('key'),
    tenant_id: spec.tenant_id,
    name: spec.name ?? 'key',
    key_hash: hashKey(key),
    preview: `${key.slice(0, 8)}…${key.slice(-4)}`,
    created_at: Math.floor(Date.now() / 1000),
    revoked_at: null,
    rpm: spec.rpm ?? null,
    tpm: spec.tpm ?? null,
    max_concurrent: spec.max_concurrent ?? null,
    budget_usd: budget,
    budget_period: budget !== null ? (spec.budget_period ?? 'month') : null,
    expires_at: spec.expires_at ?? null,
    models: spec.models ?? null,
    admin: spec.admin === true,
  };
  await keys.create(record);
  return { key, record };
}

/** Changes an active key; a budget set without a period gets `month` when the key had none. */
export async function updateApiKey(
  keys: ApiKeyRepository,
  id: string,
  patch: ApiKeyPatch,
): Promise<ApiKeyRecord | undefined> {
  const current = await keys.get(id);
  if (current === undefined) return undefined;
  const next = { ...patch };
  if (next.budget_usd != null && next.budget_period === undefined && current.budget_period == null)
    next.budget_period = 'month';
  return keys.update(id, next);
}

/** A key as listings show it: everything but the digest. */
export function publicKey(record: ApiKeyRecord): Omit<ApiKeyRecord, 'key_hash'> {
  const { key_hash: _digest, ...shown } = record;
  return shown;
}

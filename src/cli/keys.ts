/** `keys create|list|revoke`: managed API keys, each with its own tenant, stored hashed. */
import { randomBytes } from 'node:crypto';
import { newId } from '../ids.js';
import { hashKey } from '../server/auth.js';
import type { Store } from '../store/types.js';

export async function createKey(
  store: Store,
  options: { tenant: string; name: string },
): Promise<{ id: string; key: string; tenant: string }> {
  const key = `rgw-${randomBytes(24).toString('base64url')}`;
  const id = newId('key');
  await store.apiKeys.create({
    id,
    tenant_id: options.tenant,
    name: options.name,
    key_hash: hashKey(key),
    preview: `${key.slice(0, 8)}…${key.slice(-4)}`,
    created_at: Math.floor(Date.now() / 1000),
    revoked_at: null,
  });
  return { id, key, tenant: options.tenant };
}

export async function listKeys(store: Store): Promise<string[]> {
  const keys = await store.apiKeys.list();
  return keys.map(
    (k) =>
      `${k.id}  tenant=${k.tenant_id}  name=${k.name}  ${k.preview}  created=${new Date(k.created_at * 1000).toISOString()}` +
      (k.revoked_at != null ? `  revoked=${new Date(k.revoked_at * 1000).toISOString()}` : ''),
  );
}

export async function revokeKey(store: Store, id: string): Promise<boolean> {
  return store.apiKeys.revoke(id, Math.floor(Date.now() / 1000));
}

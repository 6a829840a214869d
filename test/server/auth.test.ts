/** Authentication: static keys without a promise, managed keys through the short cache, open mode. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import { Authenticator } from '../../src/server/auth.js';
import { KEY_CACHE_TTL_MS } from '../../src/store/sqlite/sqlite-api-keys.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rgw-auth-'));
  store = new SqliteStore(join(dir, 'gateway.db'));
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const bearer = (key: string) => `Bearer ${key}`;

describe('Authenticator', () => {
  it('recognises a static key synchronously and refuses others', async () => {
    const auth = new Authenticator(['k1', 'k2'], store.apiKeys);
    expect(auth.authenticate(bearer('k2'), '10.0.0.1')).toEqual({ tenantId: 'default', keyId: 'static-1' });
    await expect(
      Promise.resolve().then(() => auth.authenticate(bearer('nope'), '127.0.0.1')),
    ).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    expect(() => auth.authenticate(undefined, '127.0.0.1')).toThrow("You didn't provide an API key");
  });

  it('serves loopback callers only when no key exists, without looking any key up', async () => {
    const lookUp = vi.spyOn(store.apiKeys, 'findActiveByHash');
    const auth = new Authenticator([], store.apiKeys);
    expect(await auth.authenticate(bearer('anything'), '127.0.0.1')).toEqual({
      tenantId: 'default',
      keyId: 'loopback',
    });
    await expect(auth.authenticate(bearer('anything'), '10.0.0.1')).rejects.toMatchObject({ status: 401 });
    expect(lookUp).not.toHaveBeenCalled();
  });

  it('sees keys created or revoked in this process at once', async () => {
    const auth = new Authenticator([], store.apiKeys);
    expect(await auth.authenticate(bearer('x'), '127.0.0.1')).toMatchObject({ keyId: 'loopback' });
    const created = await createKey(store, { tenant: 'acme', name: 'a' });
    expect(await auth.authenticate(bearer(created.key), '10.0.0.1')).toEqual({
      tenantId: 'acme',
      keyId: created.id,
      limits: { rpm: null, tpm: null, max_concurrent: null, budget_usd: null, budget_period: null },
      models: null,
      admin: false,
    });
    await expect(auth.authenticate(bearer('x'), '127.0.0.1')).rejects.toMatchObject({ status: 401 });
    await store.apiKeys.revoke(created.id, 1);
    await expect(auth.authenticate(bearer(created.key), '10.0.0.1')).rejects.toMatchObject({ status: 401 });
  });

  it('sees keys changed by another process within the cache lifetime', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = new Authenticator([], store.apiKeys);
    expect(await auth.authenticate(bearer('x'), '127.0.0.1')).toMatchObject({ keyId: 'loopback' });
    // Another process (the CLI) on the same file.
    const cli = new SqliteStore(join(dir, 'gateway.db'));
    const created = await createKey(cli, { tenant: 'acme', name: 'a' });
    await cli.close();
    // Within the cache lifetime the gateway may still answer as before…
    expect(await auth.authenticate(bearer('x'), '127.0.0.1')).toMatchObject({ keyId: 'loopback' });
    // …and not after it.
    vi.advanceTimersByTime(KEY_CACHE_TTL_MS + 1);
    await expect(auth.authenticate(bearer('x'), '127.0.0.1')).rejects.toMatchObject({ status: 401 });
    expect(await auth.authenticate(bearer(created.key), '10.0.0.1')).toMatchObject({ tenantId: 'acme' });
  });
});

/**
 * API keys in PostgreSQL, kept as SHA-256 digests. Cached for KEY_CACHE_TTL_MS as in SQLite (a
 * round trip per request would cost more than the rest of authentication): keys created or
 * revoked through another instance or the CLI take effect within that time.
 */
import type pg from 'pg';
import { KEY_CACHE_TTL_MS } from '../sqlite/sqlite-api-keys.js';
import type { ApiKeyRecord, ApiKeyRepository } from '../types.js';
import { changes, first, rows } from './pg-database.js';

const MAX_CACHED_HASHES = 1000;
const COLUMNS = 'id, tenant_id, name, key_hash, preview, created_at, revoked_at';

interface Cached<T> {
  value: T;
  until: number;
}

export class PgApiKeys implements ApiKeyRepository {
  private anyActive: Cached<boolean> | undefined;
  private readonly byHash = new Map<string, Cached<ApiKeyRecord | undefined>>();

  constructor(private readonly pool: pg.Pool) {}

  async create(record: ApiKeyRecord): Promise<void> {
    await this.pool.query(`INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      record.id,
      record.tenant_id,
      record.name,
      record.key_hash,
      record.preview,
      record.created_at,
      record.revoked_at,
    ]);
    this.forget();
  }

  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now();
    const cached = this.byHash.get(keyHash);
    if (cached !== undefined && cached.until > now) return cached.value;
    const record = await first<ApiKeyRecord>(
      this.pool,
      `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
    if (this.byHash.size >= MAX_CACHED_HASHES) this.byHash.clear();
    this.byHash.set(keyHash, { value: record, until: now + KEY_CACHE_TTL_MS });
    return record;
  }

  list(): Promise<ApiKeyRecord[]> {
    return rows<ApiKeyRecord>(this.pool, `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const revoked =
      (await changes(this.pool, 'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        at,
        id,
      ])) > 0;
    this.forget();
    return revoked;
  }

  async hasActiveKeys(): Promise<boolean> {
    const now = Date.now();
    if (this.anyActive !== undefined && this.anyActive.until > now) return this.anyActive.value;
    const row = await first<{ any: boolean }>(
      this.pool,
      'SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL) AS any',
    );
    const value = row?.any === true;
    this.anyActive = { value, until: now + KEY_CACHE_TTL_MS };
    return value;
  }

  private forget(): void {
    this.anyActive = undefined;
    this.byHash.clear();
  }
}

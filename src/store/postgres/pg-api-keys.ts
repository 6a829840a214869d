/**
 * API keys in PostgreSQL, kept as SHA-256 digests. Cached for KEY_CACHE_TTL_MS as in SQLite (a
 * round trip per request would cost more than the rest of authentication): keys created or
 * revoked through another instance or the CLI take effect within that time.
 */
import type pg from 'pg';
import { KEY_CACHE_TTL_MS } from '../sqlite/sqlite-api-keys.js';
import type { ApiKeyPatch, ApiKeyRecord, ApiKeyRepository } from '../types.js';
import { changes, first, rows } from './pg-database.js';

const MAX_CACHED_HASHES = 1000;
const COLUMNS =
  'id, tenant_id, name, key_hash, preview, created_at, revoked_at, rpm, tpm, max_concurrent, budget_usd, budget_period, expires_at, models, admin';

interface Cached<T> {
  value: T;
  until: number;
}

export class PgApiKeys implements ApiKeyRepository {
  private anyActive: Cached<boolean> | undefined;
  private readonly byHash = new Map<string, Cached<ApiKeyRecord | undefined>>();

  constructor(private readonly pool: pg.Pool) {}

  async create(record: ApiKeyRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO api_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        record.id,
        record.tenant_id,
        record.name,
        record.key_hash,
        record.preview,
        record.created_at,
        record.revoked_at,
        record.rpm,
        record.tpm,
        record.max_concurrent,
        record.budget_usd,
        record.budget_period,
        record.expires_at,
        record.models === null ? null : JSON.stringify(record.models),
        record.admin,
      ],
    );
    this.forget();
  }

  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now();
    const cached = this.byHash.get(keyHash);
    if (cached !== undefined && cached.until > now) return cached.value;
    const record = fromRow(
      await first<KeyRow>(
        this.pool,
        `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
        [keyHash],
      ),
    );
    if (this.byHash.size >= MAX_CACHED_HASHES) this.byHash.clear();
    this.byHash.set(keyHash, { value: record, until: now + KEY_CACHE_TTL_MS });
    return record;
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    return fromRow(await first<KeyRow>(this.pool, `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]));
  }

  async list(): Promise<ApiKeyRecord[]> {
    const all = await rows<KeyRow>(this.pool, `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
    return all.map((row) => fromRow(row)!);
  }

  async update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
    const current = await this.get(id);
    if (current === undefined || current.revoked_at != null) return undefined;
    const next: ApiKeyRecord = { ...current, ...patch };
    await this.pool.query(
      `UPDATE api_keys SET name = $2, rpm = $3, tpm = $4, max_concurrent = $5, budget_usd = $6,
         budget_period = $7, expires_at = $8, models = $9
       WHERE id = $1 AND revoked_at IS NULL`,
      [
        id,
        next.name,
        next.rpm,
        next.tpm,
        next.max_concurrent,
        next.budget_usd,
        next.budget_period,
        next.expires_at,
        next.models === null ? null : JSON.stringify(next.models),
      ],
    );
    this.forget();
    return next;
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

/** JSONB `models` comes back parsed; a key made before limits existed has nulls. */
type KeyRow = ApiKeyRecord;

function fromRow(row: KeyRow | undefined): ApiKeyRecord | undefined {
  if (row === undefined) return undefined;
  return { ...row, budget_period: row.budget_period ?? null, models: row.models ?? null };
}

/**
 * API keys in SQLite, kept as SHA-256 digests.
 *
 * Every authenticated request asks whether any key is active and looks its key up, so both answers
 * are cached for KEY_CACHE_TTL_MS: two SQLite queries per request would cost more than the rest of
 * authentication. Keys created or revoked through this repository take effect at once; keys created
 * or revoked by another process (the `rgw keys` CLI) within KEY_CACHE_TTL_MS.
 */
import type { ApiKeyPatch, ApiKeyRecord, ApiKeyRepository } from '../types.js';
import type { SqliteDatabase } from './open-database.js';

export const KEY_CACHE_TTL_MS = 1000;
/** Distinct key hashes remembered at once (unknown keys included); past it the cache starts over. */
const MAX_CACHED_HASHES = 1000;

interface Cached<T> {
  value: T;
  until: number;
}

export class SqliteApiKeys implements ApiKeyRepository {
  private readonly statements;
  private anyActive: Cached<boolean> | undefined;
  private readonly byHash = new Map<string, Cached<ApiKeyRecord | undefined>>();

  constructor(db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO api_keys (id, tenant_id, name, key_hash, preview, created_at, revoked_at,
           rpm, tpm, max_concurrent, budget_usd, budget_period, expires_at, models, admin)
         VALUES (@id, @tenant_id, @name, @key_hash, @preview, @created_at, @revoked_at,
           @rpm, @tpm, @max_concurrent, @budget_usd, @budget_period, @expires_at, @models, @admin)`,
      ),
      get: db.prepare('SELECT * FROM api_keys WHERE id = ?'),
      update: db.prepare(
        `UPDATE api_keys SET name = @name, rpm = @rpm, tpm = @tpm, max_concurrent = @max_concurrent,
           budget_usd = @budget_usd, budget_period = @budget_period, expires_at = @expires_at,
           models = @models
         WHERE id = @id AND revoked_at IS NULL`,
      ),
      byHash: db.prepare('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL'),
      list: db.prepare('SELECT * FROM api_keys ORDER BY created_at, id'),
      revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      anyActive: db.prepare('SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL) AS any'),
    };
  }

  async create(record: ApiKeyRecord): Promise<void> {
    this.statements.insert.run(toRow(record));
    this.forget();
  }

  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now();
    const cached = this.byHash.get(keyHash);
    if (cached !== undefined && cached.until > now) return cached.value;
    const record = fromRow(this.statements.byHash.get(keyHash) as KeyRow | undefined);
    if (this.byHash.size >= MAX_CACHED_HASHES) this.byHash.clear();
    this.byHash.set(keyHash, { value: record, until: now + KEY_CACHE_TTL_MS });
    return record;
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    return fromRow(this.statements.get.get(id) as KeyRow | undefined);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (this.statements.list.all() as KeyRow[]).map((row) => fromRow(row)!);
  }

  async update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
    const current = await this.get(id);
    if (current === undefined || current.revoked_at != null) return undefined;
    const next: ApiKeyRecord = { ...current, ...patch };
    this.statements.update.run(toRow(next));
    this.forget();
    return next;
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const revoked = this.statements.revoke.run(at, id).changes > 0;
    this.forget();
    return revoked;
  }

  async hasActiveKeys(): Promise<boolean> {
    const now = Date.now();
    if (this.anyActive !== undefined && this.anyActive.until > now) return this.anyActive.value;
    const value = (this.statements.anyActive.get() as { any: number }).any === 1;
    this.anyActive = { value, until: now + KEY_CACHE_TTL_MS };
    return value;
  }

  private forget(): void {
    this.anyActive = undefined;
    this.byHash.clear();
  }
}

/** The row as SQLite holds it: the model list as JSON, the admin flag as 0/1. */
type KeyRow = Omit<ApiKeyRecord, 'models' | 'admin'> & { models: string | null; admin: number };

function toRow(record: ApiKeyRecord): KeyRow {
  return {
    ...record,
    models: record.models === null ? null : JSON.stringify(record.models),
    admin: record.admin ? 1 : 0,
  };
}

function fromRow(row: KeyRow | undefined): ApiKeyRecord | undefined {
  if (row === undefined) return undefined;
  return {
    ...row,
    budget_period: row.budget_period ?? null,
    models: row.models === null ? null : (JSON.parse(row.models) as string[]),
    admin: row.admin === 1,
  };
}

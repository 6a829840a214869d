/** API keys in SQLite, kept as SHA-256 digests. */
import type { ApiKeyRecord, ApiKeyRepository } from '../types.js';
import type { SqliteDatabase } from './open-database.js';

export class SqliteApiKeys implements ApiKeyRepository {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO api_keys (id, tenant_id, name, key_hash, preview, created_at, revoked_at)
         VALUES (@id, @tenant_id, @name, @key_hash, @preview, @created_at, @revoked_at)`,
      ),
      byHash: db.prepare('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL'),
      list: db.prepare('SELECT * FROM api_keys ORDER BY created_at, id'),
      revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      anyActive: db.prepare('SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL) AS any'),
    };
  }

  async create(record: ApiKeyRecord): Promise<void> {
    this.statements.insert.run(record);
  }

  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return this.statements.byHash.get(keyHash) as ApiKeyRecord | undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.statements.list.all() as ApiKeyRecord[];
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return this.statements.revoke.run(at, id).changes > 0;
  }

  async hasActiveKeys(): Promise<boolean> {
    return (this.statements.anyActive.get() as { any: number }).any === 1;
  }
}

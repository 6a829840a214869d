/** Uploaded files' metadata in SQLite (their content is in the file store, see src/files/). */
import type { FileListQuery, FileRecord, FileRepository, Page } from '../types.js';
import type { ChunkIndex } from './chunk-index.js';
import { keysetPage } from './keyset-page.js';
import type { SqliteDatabase } from './open-database.js';

const COLUMNS = 'id, filename, purpose, bytes, created_at, expires_at, sha256, media_type';

export class SqliteFiles implements FileRepository {
  private readonly statements;
  private readonly deleteTx;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly chunks: ChunkIndex,
  ) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO files (tenant_id, ${COLUMNS}) VALUES (?, @id, @filename, @purpose, @bytes, @created_at, @expires_at, @sha256, @media_type)`,
      ),
      get: db.prepare(
        `SELECT ${COLUMNS} FROM files WHERE id = ? AND tenant_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
      ),
      delete: db.prepare(`DELETE FROM files WHERE id = ? AND tenant_id = ? RETURNING ${COLUMNS}`),
      detach: db.prepare('DELETE FROM vector_store_files WHERE file_id = ? AND tenant_id = ?'),
      countByContent: db.prepare('SELECT COUNT(*) AS n FROM files WHERE sha256 = ?'),
      expired: db.prepare(
        'SELECT tenant_id, id FROM files WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?',
      ),
    };
    this.deleteTx = db.transaction((tenantId: string, id: string) => {
      const row = this.statements.delete.get(id, tenantId) as FileRecord | undefined;
      if (!row) return undefined;
      // File ids are unique across tenants: its chunks are this tenant's.
      this.chunks.removeFileEverywhere(id);
      this.statements.detach.run(id, tenantId);
      return row;
    });
  }

  async create(tenantId: string, record: FileRecord): Promise<void> {
    this.statements.insert.run(tenantId, record);
  }

  async get(tenantId: string, id: string, now: number): Promise<FileRecord | undefined> {
    return this.statements.get.get(id, tenantId, now) as FileRecord | undefined;
  }

  async list(tenantId: string, query: FileListQuery, now: number): Promise<Page<FileRecord>> {
    const ascending = query.order === 'asc';
    const conditions = ['tenant_id = ?', '(expires_at IS NULL OR expires_at > ?)'];
    const params: unknown[] = [tenantId, now];
    if (query.purpose !== undefined) {
      conditions.push('purpose = ?');
      params.push(query.purpose);
    }
    // Ids begin with their creation time, so id order is creation order.
    if (query.after !== undefined) {
      conditions.push(ascending ? 'id > ?' : 'id < ?');
      params.push(query.after);
    }
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM files WHERE ${conditions.join(' AND ')}
         ORDER BY id ${ascending ? 'ASC' : 'DESC'} LIMIT ?`,
      )
      .all(...params, query.limit + 1) as FileRecord[];
    return keysetPage(rows, query.limit, (row) => row.id);
  }

  async delete(tenantId: string, id: string): Promise<FileRecord | undefined> {
    return this.deleteTx(tenantId, id);
  }

  async countByContent(sha256: string): Promise<number> {
    return (this.statements.countByContent.get(sha256) as { n: number }).n;
  }

  async expired(now: number, limit: number): Promise<Array<{ tenantId: string; id: string }>> {
    return (this.statements.expired.all(now, limit) as Array<{ tenant_id: string; id: string }>).map(
      (row) => ({ tenantId: row.tenant_id, id: row.id }),
    );
  }
}

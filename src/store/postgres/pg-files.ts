/** Uploaded files' metadata in PostgreSQL (their content is in the file store, see src/files/). */
import type pg from 'pg';
import { keysetPage } from '../sqlite/keyset-page.js';
import type { FileListQuery, FileRecord, FileRepository, Page } from '../types.js';
import { first, inTransaction, rows } from './pg-database.js';

const COLUMNS = 'id, filename, purpose, bytes, created_at, expires_at, sha256, media_type';

export class PgFiles implements FileRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(tenantId: string, r: FileRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO files (tenant_id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [tenantId, r.id, r.filename, r.purpose, r.bytes, r.created_at, r.expires_at, r.sha256, r.media_type],
    );
  }

  get(tenantId: string, id: string, now: number): Promise<FileRecord | undefined> {
    return first<FileRecord>(
      this.pool,
      `SELECT ${COLUMNS} FROM files WHERE id = $1 AND tenant_id = $2 AND (expires_at IS NULL OR expires_at > $3)`,
      [id, tenantId, now],
    );
  }

  async list(tenantId: string, query: FileListQuery, now: number): Promise<Page<FileRecord>> {
    const ascending = query.order === 'asc';
    const conditions = ['tenant_id = $1', '(expires_at IS NULL OR expires_at > $2)'];
    const params: unknown[] = [tenantId, now];
    if (query.purpose !== undefined) {
      params.push(query.purpose);
      conditions.push(`purpose = $${params.length}`);
    }
    // Ids begin with their creation time, so id order is creation order.
    if (query.after !== undefined) {
      params.push(query.after);
      conditions.push(`id ${ascending ? '>' : '<'} $${params.length}`);
    }
    params.push(query.limit + 1);
    const found = await rows<FileRecord>(
      this.pool,
      `SELECT ${COLUMNS} FROM files WHERE ${conditions.join(' AND ')}
       ORDER BY id ${ascending ? 'ASC' : 'DESC'} LIMIT $${params.length}`,
      params,
    );
    return keysetPage(found, query.limit, (row) => row.id);
  }

  delete(tenantId: string, id: string): Promise<FileRecord | undefined> {
    return inTransaction(this.pool, async (client) => {
      const row = await first<FileRecord>(
        client,
        `DELETE FROM files WHERE id = $1 AND tenant_id = $2 RETURNING ${COLUMNS}`,
        [id, tenantId],
      );
      if (!row) return undefined;
      // File ids are unique across tenants: its chunks (and, by cascade, vectors) are this tenant's.
      await client.query(
        'UPDATE vector_stores SET index_version = index_version + 1 WHERE id IN (SELECT vector_store_id FROM vector_store_files WHERE file_id = $1)',
        [id],
      );
      await client.query('DELETE FROM chunks WHERE file_id = $1', [id]);
      await client.query('DELETE FROM vector_store_files WHERE file_id = $1 AND tenant_id = $2', [
        id,
        tenantId,
      ]);
      return row;
    });
  }

  async countByContent(sha256: string): Promise<number> {
    return (
      (await first<{ n: number }>(this.pool, 'SELECT COUNT(*) AS n FROM files WHERE sha256 = $1', [sha256]))
        ?.n ?? 0
    );
  }

  async expired(now: number, limit: number): Promise<Array<{ tenantId: string; id: string }>> {
    const found = await rows<{ tenant_id: string; id: string }>(
      this.pool,
      'SELECT tenant_id, id FROM files WHERE expires_at IS NOT NULL AND expires_at <= $1 LIMIT $2',
      [now, limit],
    );
    return found.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
  }
}

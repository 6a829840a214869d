/** Vector stores, their attachments, batches and chunk index in SQLite. */
import type { Attributes } from '../../protocol/attribute-filter.js';
import type {
  ChunkHit,
  ChunkSearchScope,
  FileBatchRecord,
  FileBatchSummary,
  FileCounts,
  IngestionOutcome,
  IngestionTask,
  Page,
  PageQuery,
  VectorStoreFileQuery,
  VectorStoreFileRecord,
  VectorStorePatch,
  VectorStoreRecord,
  VectorStoreRepository,
  VectorStoreSummary,
} from '../types.js';
import type { ChunkIndex } from './chunk-index.js';
import { keysetPage } from './keyset-page.js';
import type { SqliteDatabase } from './open-database.js';
import { SqliteChunkSearch } from './sqlite-chunk-search.js';
import { SqliteVectorStoreFiles } from './sqlite-vector-store-files.js';

interface StoreRow {
  id: string;
  name: string;
  description: string | null;
  created_at: number;
  last_active_at: number | null;
  metadata: string | null;
  expires_after: string | null;
}

const COLUMNS = 'id, name, description, created_at, last_active_at, metadata, expires_after';

export class SqliteVectorStores implements VectorStoreRepository {
  private readonly statements;
  private readonly files: SqliteVectorStoreFiles;
  private readonly search: SqliteChunkSearch;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly index: ChunkIndex,
  ) {
    this.files = new SqliteVectorStoreFiles(db, index);
    this.search = new SqliteChunkSearch(db);
    this.statements = {
      insert: db.prepare(`INSERT INTO vector_stores (tenant_id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      get: db.prepare(`SELECT ${COLUMNS} FROM vector_stores WHERE id = ? AND tenant_id = ?`),
      counts: db.prepare(
        `SELECT status, COUNT(*) AS n, SUM(usage_bytes) AS bytes FROM vector_store_files
         WHERE vector_store_id = ? GROUP BY status`,
      ),
      batchCounts: db.prepare(
        'SELECT status, COUNT(*) AS n, 0 AS bytes FROM vector_store_files WHERE batch_id = ? GROUP BY status',
      ),
      delete: db.prepare('DELETE FROM vector_stores WHERE id = ? AND tenant_id = ?'),
      deleteFiles: db.prepare('DELETE FROM vector_store_files WHERE vector_store_id = ?'),
      deleteBatches: db.prepare('DELETE FROM vector_store_file_batches WHERE vector_store_id = ?'),
      touch: db.prepare('UPDATE vector_stores SET last_active_at = ? WHERE id = ? AND tenant_id = ?'),
      getBatch: db.prepare(
        'SELECT id, vector_store_id, created_at, cancelled FROM vector_store_file_batches WHERE id = ? AND vector_store_id = ? AND tenant_id = ?',
      ),
      cancelBatch: db.prepare('UPDATE vector_store_file_batches SET cancelled = 1 WHERE id = ?'),
      cancelBatchFiles: db.prepare(
        "UPDATE vector_store_files SET status = 'cancelled', claim = NULL WHERE batch_id = ? AND status = 'in_progress'",
      ),
    };
  }

  async create(
    tenantId: string,
    record: VectorStoreRecord,
    files: readonly VectorStoreFileRecord[],
  ): Promise<void> {
    this.db.transaction(() => {
      this.statements.insert.run(
        tenantId,
        record.id,
        record.name,
        record.description,
        record.created_at,
        record.last_active_at,
        record.metadata === null ? null : JSON.stringify(record.metadata),
        record.expires_after === null ? null : JSON.stringify(record.expires_after),
      );
      this.index.createStore(record.id);
      this.files.attachInTransaction(tenantId, files);
    })();
  }

  async get(tenantId: string, id: string): Promise<VectorStoreSummary | undefined> {
    const row = this.statements.get.get(id, tenantId) as StoreRow | undefined;
    return row ? this.summary(row) : undefined;
  }

  async list(tenantId: string, page: PageQuery): Promise<Page<VectorStoreSummary>> {
    const ascending = page.order === 'asc';
    const conditions = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    // Ids begin with their creation time, so id order is creation order.
    if (page.after !== undefined) {
      conditions.push(ascending ? 'id > ?' : 'id < ?');
      params.push(page.after);
    }
    if (page.before !== undefined) {
      conditions.push(ascending ? 'id < ?' : 'id > ?');
      params.push(page.before);
    }
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM vector_stores WHERE ${conditions.join(' AND ')}
         ORDER BY id ${ascending ? 'ASC' : 'DESC'} LIMIT ?`,
      )
      .all(...params, page.limit + 1) as StoreRow[];
    const result = keysetPage(rows, page.limit, (row) => row.id);
    return { ...result, data: result.data.map((row) => this.summary(row)) };
  }

  async update(
    tenantId: string,
    id: string,
    patch: VectorStorePatch,
  ): Promise<VectorStoreSummary | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (patch.name !== undefined) {
      sets.push('name = ?');
      params.push(patch.name);
    }
    if (patch.metadata !== undefined) {
      sets.push('metadata = ?');
      params.push(patch.metadata === null ? null : JSON.stringify(patch.metadata));
    }
    if (patch.expires_after !== undefined) {
      sets.push('expires_after = ?');
      params.push(patch.expires_after === null ? null : JSON.stringify(patch.expires_after));
    }
    if (sets.length > 0) {
      this.db
        .prepare(`UPDATE vector_stores SET ${sets.join(', ')} WHERE id = ? AND tenant_id = ?`)
        .run(...params, id, tenantId);
    }
    return this.get(tenantId, id);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.statements.delete.run(id, tenantId).changes === 0) return false;
      this.index.dropStore(id);
      this.statements.deleteFiles.run(id);
      this.statements.deleteBatches.run(id);
      return true;
    })();
  }

  async touch(tenantId: string, ids: readonly string[], at: number): Promise<void> {
    for (const id of ids) this.statements.touch.run(at, id, tenantId);
  }

  async attach(
    tenantId: string,
    storeId: string,
    files: readonly VectorStoreFileRecord[],
    batch?: FileBatchRecord,
  ): Promise<boolean> {
    return this.db.transaction(() => {
      if (!this.statements.get.get(storeId, tenantId)) return false;
      this.files.attachInTransaction(tenantId, files, batch);
      return true;
    })();
  }

  async getFile(
    tenantId: string,
    storeId: string,
    fileId: string,
  ): Promise<VectorStoreFileRecord | undefined> {
    return this.files.get(tenantId, storeId, fileId);
  }

  async listFiles(
    tenantId: string,
    storeId: string,
    query: VectorStoreFileQuery,
  ): Promise<Page<VectorStoreFileRecord> | undefined> {
    if (!this.statements.get.get(storeId, tenantId)) return undefined;
    if (query.batchId !== undefined && !this.statements.getBatch.get(query.batchId, storeId, tenantId)) {
      return undefined;
    }
    return this.files.list(storeId, query);
  }

  async updateAttributes(
    tenantId: string,
    storeId: string,
    fileId: string,
    attributes: Attributes | null,
  ): Promise<VectorStoreFileRecord | undefined> {
    return this.files.updateAttributes(tenantId, storeId, fileId, attributes);
  }

  async detach(tenantId: string, storeId: string, fileId: string): Promise<boolean> {
    return this.files.detach(tenantId, storeId, fileId);
  }

  async fileChunks(tenantId: string, storeId: string, fileId: string): Promise<string[] | undefined> {
    if (!this.files.get(tenantId, storeId, fileId)) return undefined;
    return this.files.chunks(tenantId, storeId, fileId);
  }

  async getBatch(tenantId: string, storeId: string, batchId: string): Promise<FileBatchSummary | undefined> {
    const row = this.statements.getBatch.get(batchId, storeId, tenantId) as
      | { id: string; vector_store_id: string; created_at: number; cancelled: number }
      | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      vector_store_id: row.vector_store_id,
      created_at: row.created_at,
      cancelled: row.cancelled === 1,
      file_counts: this.counts(this.statements.batchCounts, row.id).counts,
    };
  }

  async cancelBatch(
    tenantId: string,
    storeId: string,
    batchId: string,
  ): Promise<FileBatchSummary | undefined> {
    const cancelled = this.db.transaction(() => {
      if (!this.statements.getBatch.get(batchId, storeId, tenantId)) return false;
      this.statements.cancelBatch.run(batchId);
      this.statements.cancelBatchFiles.run(batchId);
      return true;
    })();
    return cancelled ? this.getBatch(tenantId, storeId, batchId) : undefined;
  }

  async claimIngestion(): Promise<IngestionTask | undefined> {
    return this.files.claim();
  }

  async releaseClaims(): Promise<number> {
    return this.files.releaseClaims();
  }

  async finishIngestion(task: IngestionTask, outcome: IngestionOutcome): Promise<boolean> {
    return this.files.finish(task, outcome);
  }

  async searchText(scope: ChunkSearchScope, terms: readonly string[]): Promise<ChunkHit[]> {
    return this.search.text(scope, terms);
  }

  async searchVector(scope: ChunkSearchScope, vector: Float32Array, model: string): Promise<ChunkHit[]> {
    return this.search.vector(scope, vector, model);
  }

  private summary(row: StoreRow): VectorStoreSummary {
    const { counts, bytes } = this.counts(this.statements.counts, row.id);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      created_at: row.created_at,
      last_active_at: row.last_active_at,
      metadata: row.metadata === null ? null : JSON.parse(row.metadata),
      expires_after: row.expires_after === null ? null : JSON.parse(row.expires_after),
      file_counts: counts,
      usage_bytes: bytes,
    };
  }

  private counts(
    statement: { all(id: string): unknown[] },
    id: string,
  ): { counts: FileCounts; bytes: number } {
    const counts: FileCounts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    let bytes = 0;
    for (const row of statement.all(id) as Array<{ status: keyof FileCounts; n: number; bytes: number }>) {
      counts[row.status] = row.n;
      counts.total += row.n;
      bytes += row.bytes ?? 0;
    }
    return { counts, bytes };
  }
}

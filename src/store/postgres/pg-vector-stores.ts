/** Vector stores, their attachments, batches and chunk index in PostgreSQL. */
import type pg from 'pg';
import type { Attributes } from '../../protocol/attribute-filter.js';
import { keysetPage } from '../sqlite/keyset-page.js';
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
import { PgChunkSearch } from './pg-chunk-search.js';
import { changes, type Db, first, inTransaction, rows } from './pg-database.js';
import type { PgInstances } from './pg-instances.js';
import { PgVectorStoreFiles } from './pg-vector-store-files.js';

interface StoreRow {
  id: string;
  name: string;
  description: string | null;
  created_at: number;
  last_active_at: number | null;
  metadata: string | null;
  expires_after: string | null;
}

interface BatchRow {
  id: string;
  vector_store_id: string;
  created_at: number;
  cancelled: boolean;
}

const COLUMNS = 'id, name, description, created_at, last_active_at, metadata, expires_after';

export class PgVectorStores implements VectorStoreRepository {
  private readonly files: PgVectorStoreFiles;
  private readonly search: PgChunkSearch;

  constructor(
    private readonly pool: pg.Pool,
    instances: PgInstances,
  ) {
    this.files = new PgVectorStoreFiles(pool, instances);
    this.search = new PgChunkSearch(pool);
  }

  async create(
    tenantId: string,
    record: VectorStoreRecord,
    files: readonly VectorStoreFileRecord[],
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO vector_stores (tenant_id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          tenantId,
          record.id,
          record.name,
          record.description,
          record.created_at,
          record.last_active_at,
          record.metadata === null ? null : JSON.stringify(record.metadata),
          record.expires_after === null ? null : JSON.stringify(record.expires_after),
        ],
      );
      await this.files.attachInTransaction(client, tenantId, files);
    });
  }

  async get(tenantId: string, id: string): Promise<VectorStoreSummary | undefined> {
    const row = await this.row(this.pool, tenantId, id);
    return row ? this.summary(row) : undefined;
  }

  async list(tenantId: string, page: PageQuery): Promise<Page<VectorStoreSummary>> {
    const ascending = page.order === 'asc';
    const conditions = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    // Ids begin with their creation time, so id order is creation order.
    for (const [cursor, forward] of [
      [page.after, true],
      [page.before, false],
    ] as const) {
      if (cursor === undefined) continue;
      params.push(cursor);
      conditions.push(`id ${ascending === forward ? '>' : '<'} $${params.length}`);
    }
    params.push(page.limit + 1);
    const found = await rows<StoreRow>(
      this.pool,
      `SELECT ${COLUMNS} FROM vector_stores WHERE ${conditions.join(' AND ')}
       ORDER BY id ${ascending ? 'ASC' : 'DESC'} LIMIT $${params.length}`,
      params,
    );
    const result = keysetPage(found, page.limit, (row) => row.id);
    return { ...result, data: await Promise.all(result.data.map((row) => this.summary(row))) };
  }

  async update(
    tenantId: string,
    id: string,
    patch: VectorStorePatch,
  ): Promise<VectorStoreSummary | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.metadata !== undefined)
      set('metadata', patch.metadata === null ? null : JSON.stringify(patch.metadata));
    if (patch.expires_after !== undefined) {
      set('expires_after', patch.expires_after === null ? null : JSON.stringify(patch.expires_after));
    }
    if (sets.length > 0) {
      await this.pool.query(
        `UPDATE vector_stores SET ${sets.join(', ')} WHERE id = $${params.length + 1} AND tenant_id = $${params.length + 2}`,
        [...params, id, tenantId],
      );
    }
    return this.get(tenantId, id);
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      if (
        (await changes(client, 'DELETE FROM vector_stores WHERE id = $1 AND tenant_id = $2', [
          id,
          tenantId,
        ])) === 0
      )
        return false;
      await client.query('DELETE FROM chunks WHERE vector_store_id = $1', [id]);
      await client.query('DELETE FROM vector_store_files WHERE vector_store_id = $1', [id]);
      await client.query('DELETE FROM vector_store_file_batches WHERE vector_store_id = $1', [id]);
      return true;
    });
  }

  async touch(tenantId: string, ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      'UPDATE vector_stores SET last_active_at = $1 WHERE id = ANY ($2::text[]) AND tenant_id = $3',
      [at, ids, tenantId],
    );
  }

  attach(
    tenantId: string,
    storeId: string,
    files: readonly VectorStoreFileRecord[],
    batch?: FileBatchRecord,
  ): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      // Locked, so that a delete of the store waits for (or comes before) the attachments.
      if (
        !(await first(client, 'SELECT 1 FROM vector_stores WHERE id = $1 AND tenant_id = $2 FOR UPDATE', [
          storeId,
          tenantId,
        ]))
      ) {
        return false;
      }
      await this.files.attachInTransaction(client, tenantId, files, batch);
      return true;
    });
  }

  getFile(tenantId: string, storeId: string, fileId: string): Promise<VectorStoreFileRecord | undefined> {
    return this.files.get(tenantId, storeId, fileId);
  }

  async listFiles(
    tenantId: string,
    storeId: string,
    query: VectorStoreFileQuery,
  ): Promise<Page<VectorStoreFileRecord> | undefined> {
    if (!(await this.row(this.pool, tenantId, storeId))) return undefined;
    if (query.batchId !== undefined && !(await this.batchRow(tenantId, storeId, query.batchId)))
      return undefined;
    return this.files.list(storeId, query);
  }

  updateAttributes(
    tenantId: string,
    storeId: string,
    fileId: string,
    attributes: Attributes | null,
  ): Promise<VectorStoreFileRecord | undefined> {
    return this.files.updateAttributes(tenantId, storeId, fileId, attributes);
  }

  detach(tenantId: string, storeId: string, fileId: string): Promise<boolean> {
    return this.files.detach(tenantId, storeId, fileId);
  }

  async fileChunks(tenantId: string, storeId: string, fileId: string): Promise<string[] | undefined> {
    if (!(await this.files.get(tenantId, storeId, fileId))) return undefined;
    return this.files.chunks(tenantId, storeId, fileId);
  }

  async getBatch(tenantId: string, storeId: string, batchId: string): Promise<FileBatchSummary | undefined> {
    const row = await this.batchRow(tenantId, storeId, batchId);
    if (!row) return undefined;
    const counts = await this.counts('batch_id', row.id);
    return { ...row, file_counts: counts.counts };
  }

  async cancelBatch(
    tenantId: string,
    storeId: string,
    batchId: string,
  ): Promise<FileBatchSummary | undefined> {
    const cancelled = await inTransaction(this.pool, async (client) => {
      const done = await changes(
        client,
        'UPDATE vector_store_file_batches SET cancelled = true WHERE id = $1 AND vector_store_id = $2 AND tenant_id = $3',
        [batchId, storeId, tenantId],
      );
      if (done === 0) return false;
      await client.query(
        "UPDATE vector_store_files SET status = 'cancelled', claim = NULL WHERE batch_id = $1 AND status = 'in_progress'",
        [batchId],
      );
      return true;
    });
    return cancelled ? this.getBatch(tenantId, storeId, batchId) : undefined;
  }

  claimIngestion(): Promise<IngestionTask | undefined> {
    return this.files.claim();
  }

  releaseClaims(): Promise<number> {
    return this.files.releaseClaims();
  }

  finishIngestion(task: IngestionTask, outcome: IngestionOutcome): Promise<boolean> {
    return this.files.finish(task, outcome);
  }

  searchText(scope: ChunkSearchScope, terms: readonly string[]): Promise<ChunkHit[]> {
    return this.search.text(scope, terms);
  }

  searchVector(scope: ChunkSearchScope, vector: Float32Array, model: string): Promise<ChunkHit[]> {
    return this.search.vector(scope, vector, model);
  }

  private row(db: Db, tenantId: string, id: string): Promise<StoreRow | undefined> {
    return first<StoreRow>(db, `SELECT ${COLUMNS} FROM vector_stores WHERE id = $1 AND tenant_id = $2`, [
      id,
      tenantId,
    ]);
  }

  private batchRow(tenantId: string, storeId: string, batchId: string): Promise<BatchRow | undefined> {
    return first<BatchRow>(
      this.pool,
      'SELECT id, vector_store_id, created_at, cancelled FROM vector_store_file_batches WHERE id = $1 AND vector_store_id = $2 AND tenant_id = $3',
      [batchId, storeId, tenantId],
    );
  }

  private async summary(row: StoreRow): Promise<VectorStoreSummary> {
    const { counts, bytes } = await this.counts('vector_store_id', row.id);
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

  private async counts(
    column: 'vector_store_id' | 'batch_id',
    id: string,
  ): Promise<{ counts: FileCounts; bytes: number }> {
    const counts: FileCounts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    let bytes = 0;
    const found = await rows<{ status: keyof FileCounts; n: number; bytes: number | null }>(
      this.pool,
      `SELECT status, COUNT(*) AS n, SUM(usage_bytes) AS bytes FROM vector_store_files WHERE ${column} = $1 GROUP BY status`,
      [id],
    );
    for (const row of found) {
      counts[row.status] = row.n;
      counts.total += row.n;
      if (column === 'vector_store_id') bytes += row.bytes ?? 0;
    }
    return { counts, bytes };
  }
}

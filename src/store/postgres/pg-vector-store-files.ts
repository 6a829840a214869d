/**
 * Vector store attachments in PostgreSQL, and the ingestion queue they form: an attachment
 * `in_progress` without a claim waits to be indexed; a claim (taken with SKIP LOCKED, so
 * instances never take the same one) marks the one being indexed, so that a re-attached,
 * detached or cancelled file is recognised when its indexing finishes.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Attributes } from '../../protocol/attribute-filter.js';
import { keysetPage } from '../sqlite/keyset-page.js';
import type {
  FileBatchRecord,
  IngestionOutcome,
  IngestionTask,
  Page,
  VectorStoreFileQuery,
  VectorStoreFileRecord,
} from '../types.js';
import { addChunks, bumpIndex } from './pg-chunk-index.js';
import { changes, type Db, first, inTransaction, rows } from './pg-database.js';
import type { PgInstances } from './pg-instances.js';

interface FileRow {
  seq: number;
  vector_store_id: string;
  file_id: string;
  created_at: number;
  status: VectorStoreFileRecord['status'];
  attributes: string | null;
  chunking: string;
  usage_bytes: number;
  last_error: string | null;
  batch_id: string | null;
}

const COLUMNS =
  'seq, vector_store_id, file_id, created_at, status, attributes, chunking, usage_bytes, last_error, batch_id';

function toFileRecord(row: FileRow): VectorStoreFileRecord {
  return {
    vector_store_id: row.vector_store_id,
    file_id: row.file_id,
    created_at: row.created_at,
    status: row.status,
    attributes: row.attributes === null ? null : JSON.parse(row.attributes),
    chunking: JSON.parse(row.chunking),
    usage_bytes: row.usage_bytes,
    last_error: row.last_error === null ? null : JSON.parse(row.last_error),
    batch_id: row.batch_id,
  };
}

export class PgVectorStoreFiles {
  constructor(
    private readonly pool: pg.Pool,
    private readonly instances: PgInstances,
  ) {}

  async attachInTransaction(
    client: pg.PoolClient,
    tenantId: string,
    files: readonly VectorStoreFileRecord[],
    batch?: FileBatchRecord,
  ): Promise<void> {
    if (batch) {
      await client.query(
        'INSERT INTO vector_store_file_batches (id, vector_store_id, tenant_id, created_at, cancelled) VALUES ($1, $2, $3, $4, false)',
        [batch.id, batch.vector_store_id, tenantId, batch.created_at],
      );
    }
    if (files.length > 0) await bumpIndex(client, [...new Set(files.map((file) => file.vector_store_id))]);
    for (const file of files) {
      await client.query('DELETE FROM chunks WHERE vector_store_id = $1 AND file_id = $2', [
        file.vector_store_id,
        file.file_id,
      ]);
      await client.query(
        `INSERT INTO vector_store_files
           (vector_store_id, file_id, tenant_id, created_at, status, attributes, chunking, usage_bytes, last_error, batch_id, claim)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL, $8, NULL)
         ON CONFLICT (vector_store_id, file_id) DO UPDATE SET
           created_at = excluded.created_at, status = excluded.status, attributes = excluded.attributes,
           chunking = excluded.chunking, usage_bytes = 0, last_error = NULL,
           batch_id = excluded.batch_id, claim = NULL`,
        [
          file.vector_store_id,
          file.file_id,
          tenantId,
          file.created_at,
          file.status,
          file.attributes === null ? null : JSON.stringify(file.attributes),
          JSON.stringify(file.chunking),
          file.batch_id,
        ],
      );
    }
  }

  async get(
    tenantId: string,
    storeId: string,
    fileId: string,
    db: Db = this.pool,
  ): Promise<VectorStoreFileRecord | undefined> {
    const row = await first<FileRow>(
      db,
      `SELECT ${COLUMNS} FROM vector_store_files WHERE vector_store_id = $1 AND file_id = $2 AND tenant_id = $3`,
      [storeId, fileId, tenantId],
    );
    return row ? toFileRecord(row) : undefined;
  }

  async list(storeId: string, query: VectorStoreFileQuery): Promise<Page<VectorStoreFileRecord>> {
    const ascending = query.order === 'asc';
    const conditions = ['vector_store_id = $1'];
    const params: unknown[] = [storeId];
    if (query.filter !== undefined) {
      params.push(query.filter);
      conditions.push(`status = $${params.length}`);
    }
    if (query.batchId !== undefined) {
      params.push(query.batchId);
      conditions.push(`batch_id = $${params.length}`);
    }
    for (const [cursor, forward] of [
      [query.after, true],
      [query.before, false],
    ] as const) {
      if (cursor === undefined) continue;
      const seq = (
        await first<{ seq: number }>(
          this.pool,
          'SELECT seq FROM vector_store_files WHERE vector_store_id = $1 AND file_id = $2',
          [storeId, cursor],
        )
      )?.seq;
      if (seq === undefined) continue;
      params.push(seq);
      conditions.push(`seq ${ascending === forward ? '>' : '<'} $${params.length}`);
    }
    params.push(query.limit + 1);
    const found = await rows<FileRow>(
      this.pool,
      `SELECT ${COLUMNS} FROM vector_store_files WHERE ${conditions.join(' AND ')}
       ORDER BY seq ${ascending ? 'ASC' : 'DESC'} LIMIT $${params.length}`,
      params,
    );
    const page = keysetPage(found, query.limit, (row) => row.file_id);
    return { ...page, data: page.data.map(toFileRecord) };
  }

  async updateAttributes(
    tenantId: string,
    storeId: string,
    fileId: string,
    attributes: Attributes | null,
  ): Promise<VectorStoreFileRecord | undefined> {
    const row = await first<FileRow>(
      this.pool,
      `UPDATE vector_store_files SET attributes = $1 WHERE vector_store_id = $2 AND file_id = $3 AND tenant_id = $4 RETURNING ${COLUMNS}`,
      [attributes === null ? null : JSON.stringify(attributes), storeId, fileId, tenantId],
    );
    return row ? toFileRecord(row) : undefined;
  }

  detach(tenantId: string, storeId: string, fileId: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const detached = await changes(
        client,
        'DELETE FROM vector_store_files WHERE vector_store_id = $1 AND file_id = $2 AND tenant_id = $3',
        [storeId, fileId, tenantId],
      );
      if (detached === 0) return false;
      await bumpIndex(client, [storeId]);
      await client.query('DELETE FROM chunks WHERE vector_store_id = $1 AND file_id = $2', [storeId, fileId]);
      return true;
    });
  }

  async chunks(tenantId: string, storeId: string, fileId: string): Promise<string[]> {
    const found = await rows<{ text: string }>(
      this.pool,
      `SELECT c.text FROM chunks c JOIN vector_store_files vf
         ON vf.vector_store_id = c.vector_store_id AND vf.file_id = c.file_id
       WHERE c.vector_store_id = $1 AND c.file_id = $2 AND vf.tenant_id = $3 ORDER BY c.position`,
      [storeId, fileId, tenantId],
    );
    return found.map((row) => row.text);
  }

  async claim(): Promise<IngestionTask | undefined> {
    await this.instances.start();
    // The claiming instance first: claims of instances that are gone can be told apart.
    const claim = `${this.instances.id}:${randomBytes(12).toString('hex')}`;
    const row = await first<{
      tenant_id: string;
      vector_store_id: string;
      file_id: string;
      chunking: string;
    }>(
      this.pool,
      `UPDATE vector_store_files SET claim = $1 WHERE seq =
         (SELECT seq FROM vector_store_files WHERE status = 'in_progress' AND claim IS NULL
           ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING tenant_id, vector_store_id, file_id, chunking`,
      [claim],
    );
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id,
      vectorStoreId: row.vector_store_id,
      fileId: row.file_id,
      chunking: JSON.parse(row.chunking),
      claim,
    };
  }

  /** Claims of instances that are gone (other instances' are still being indexed). */
  async releaseClaims(): Promise<number> {
    await this.instances.start();
    return changes(
      this.pool,
      `UPDATE vector_store_files SET claim = NULL
        WHERE status = 'in_progress' AND claim IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = split_part(claim, ':', 1)
                           AND i.seen_at > now() - $1 * interval '1 millisecond')`,
      [this.instances.leaseMs],
    );
  }

  finish(task: IngestionTask, outcome: IngestionOutcome): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const row = await first<{ seq: number }>(
        client,
        "SELECT seq FROM vector_store_files WHERE vector_store_id = $1 AND file_id = $2 AND claim = $3 AND status = 'in_progress' FOR UPDATE",
        [task.vectorStoreId, task.fileId, task.claim],
      );
      if (!row) return false;
      await bumpIndex(client, [task.vectorStoreId]);
      await client.query('DELETE FROM chunks WHERE vector_store_id = $1 AND file_id = $2', [
        task.vectorStoreId,
        task.fileId,
      ]);
      if (!outcome.ok) {
        await client.query(
          "UPDATE vector_store_files SET status = 'failed', usage_bytes = 0, last_error = $1, claim = NULL WHERE seq = $2",
          [JSON.stringify(outcome.error), row.seq],
        );
        return true;
      }
      await addChunks(client, task.vectorStoreId, task.fileId, outcome.chunks, outcome.embeddingModel);
      await client.query(
        "UPDATE vector_store_files SET status = 'completed', usage_bytes = $1, last_error = NULL, claim = NULL WHERE seq = $2",
        [outcome.usageBytes, row.seq],
      );
      return true;
    });
  }
}

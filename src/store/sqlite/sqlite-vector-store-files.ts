/**
 * Vector store attachments in SQLite, and the ingestion queue they form: an attachment
 * `in_progress` without a claim waits to be indexed; a claim marks the one being indexed, so that
 * a re-attached, detached or cancelled file is recognised when its indexing finishes.
 */
import { randomBytes } from 'node:crypto';
import type { Attributes } from '../../protocol/attribute-filter.js';
import type {
  FileBatchRecord,
  IngestionOutcome,
  IngestionTask,
  Page,
  VectorStoreFileQuery,
  VectorStoreFileRecord,
} from '../types.js';
import type { ChunkIndex } from './chunk-index.js';
import { keysetPage } from './keyset-page.js';
import type { SqliteDatabase } from './open-database.js';

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

export function toFileRecord(row: FileRow): VectorStoreFileRecord {
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

export class SqliteVectorStoreFiles {
  private readonly statements;
  readonly attachInTransaction: (
    tenantId: string,
    files: readonly VectorStoreFileRecord[],
    batch?: FileBatchRecord,
  ) => void;
  private readonly finishTx;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly index: ChunkIndex,
  ) {
    this.statements = {
      upsert: db.prepare(
        `INSERT INTO vector_store_files
           (vector_store_id, file_id, tenant_id, created_at, status, attributes, chunking, usage_bytes, last_error, batch_id, claim)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, NULL)
         ON CONFLICT (vector_store_id, file_id) DO UPDATE SET
           created_at = excluded.created_at, status = excluded.status, attributes = excluded.attributes,
           chunking = excluded.chunking, usage_bytes = 0, last_error = NULL,
           batch_id = excluded.batch_id, claim = NULL`,
      ),
      insertBatch: db.prepare(
        'INSERT INTO vector_store_file_batches (id, vector_store_id, tenant_id, created_at, cancelled) VALUES (?, ?, ?, ?, 0)',
      ),
      get: db.prepare(
        `SELECT ${COLUMNS} FROM vector_store_files WHERE vector_store_id = ? AND file_id = ? AND tenant_id = ?`,
      ),
      seqOf: db.prepare('SELECT seq FROM vector_store_files WHERE vector_store_id = ? AND file_id = ?'),
      setAttributes: db.prepare(
        'UPDATE vector_store_files SET attributes = ? WHERE vector_store_id = ? AND file_id = ? AND tenant_id = ?',
      ),
      detach: db.prepare(
        'DELETE FROM vector_store_files WHERE vector_store_id = ? AND file_id = ? AND tenant_id = ?',
      ),
      chunks: db.prepare(
        `SELECT c.text FROM chunks c JOIN vector_store_files vf
           ON vf.vector_store_id = c.vector_store_id AND vf.file_id = c.file_id
         WHERE c.vector_store_id = ? AND c.file_id = ? AND vf.tenant_id = ? ORDER BY c.position`,
      ),
      claim: db.prepare(
        `UPDATE vector_store_files SET claim = ? WHERE seq =
           (SELECT seq FROM vector_store_files WHERE status = 'in_progress' AND claim IS NULL ORDER BY seq LIMIT 1)
         RETURNING tenant_id, vector_store_id, file_id, chunking`,
      ),
      release: db.prepare(
        "UPDATE vector_store_files SET claim = NULL WHERE status = 'in_progress' AND claim IS NOT NULL",
      ),
      claimed: db.prepare(
        "SELECT seq FROM vector_store_files WHERE vector_store_id = ? AND file_id = ? AND claim = ? AND status = 'in_progress'",
      ),
      complete: db.prepare(
        "UPDATE vector_store_files SET status = 'completed', usage_bytes = ?, last_error = NULL, claim = NULL WHERE seq = ?",
      ),
      fail: db.prepare(
        "UPDATE vector_store_files SET status = 'failed', usage_bytes = 0, last_error = ?, claim = NULL WHERE seq = ?",
      ),
    };
    this.attachInTransaction = (tenantId, files, batch) => {
      if (batch) {
        this.statements.insertBatch.run(batch.id, batch.vector_store_id, tenantId, batch.created_at);
      }
      for (const file of files) {
        this.index.removeFile(file.vector_store_id, file.file_id);
        this.statements.upsert.run(
          file.vector_store_id,
          file.file_id,
          tenantId,
          file.created_at,
          file.status,
          file.attributes === null ? null : JSON.stringify(file.attributes),
          JSON.stringify(file.chunking),
          file.batch_id,
        );
      }
    };
    this.finishTx = db.transaction((task: IngestionTask, outcome: IngestionOutcome): boolean => {
      const row = this.statements.claimed.get(task.vectorStoreId, task.fileId, task.claim) as
        | { seq: number }
        | undefined;
      if (!row) return false;
      this.index.removeFile(task.vectorStoreId, task.fileId);
      if (!outcome.ok) {
        this.statements.fail.run(JSON.stringify(outcome.error), row.seq);
        return true;
      }
      this.index.add(task.vectorStoreId, task.fileId, outcome.chunks, outcome.embeddingModel);
      this.statements.complete.run(outcome.usageBytes, row.seq);
      return true;
    });
  }

  get(tenantId: string, storeId: string, fileId: string): VectorStoreFileRecord | undefined {
    const row = this.statements.get.get(storeId, fileId, tenantId) as FileRow | undefined;
    return row ? toFileRecord(row) : undefined;
  }

  list(storeId: string, query: VectorStoreFileQuery): Page<VectorStoreFileRecord> {
    const ascending = query.order === 'asc';
    const conditions = ['vector_store_id = ?'];
    const params: unknown[] = [storeId];
    if (query.filter !== undefined) {
      conditions.push('status = ?');
      params.push(query.filter);
    }
    if (query.batchId !== undefined) {
      conditions.push('batch_id = ?');
      params.push(query.batchId);
    }
    for (const [cursor, forward] of [
      [query.after, true],
      [query.before, false],
    ] as const) {
      if (cursor === undefined) continue;
      const seq = (this.statements.seqOf.get(storeId, cursor) as { seq: number } | undefined)?.seq;
      if (seq === undefined) continue;
      conditions.push(ascending === forward ? 'seq > ?' : 'seq < ?');
      params.push(seq);
    }
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM vector_store_files WHERE ${conditions.join(' AND ')}
         ORDER BY seq ${ascending ? 'ASC' : 'DESC'} LIMIT ?`,
      )
      .all(...params, query.limit + 1) as FileRow[];
    const page = keysetPage(rows, query.limit, (row) => row.file_id);
    return { ...page, data: page.data.map(toFileRecord) };
  }

  updateAttributes(
    tenantId: string,
    storeId: string,
    fileId: string,
    attributes: Attributes | null,
  ): VectorStoreFileRecord | undefined {
    const json = attributes === null ? null : JSON.stringify(attributes);
    if (this.statements.setAttributes.run(json, storeId, fileId, tenantId).changes === 0) return undefined;
    return this.get(tenantId, storeId, fileId);
  }

  detach(tenantId: string, storeId: string, fileId: string): boolean {
    return this.db.transaction(() => {
      if (this.statements.detach.run(storeId, fileId, tenantId).changes === 0) return false;
      this.index.removeFile(storeId, fileId);
      return true;
    })();
  }

  chunks(tenantId: string, storeId: string, fileId: string): string[] {
    return (this.statements.chunks.all(storeId, fileId, tenantId) as Array<{ text: string }>).map(
      (row) => row.text,
    );
  }

  claim(): IngestionTask | undefined {
    const claim = randomBytes(12).toString('hex');
    const row = this.statements.claim.get(claim) as
      | { tenant_id: string; vector_store_id: string; file_id: string; chunking: string }
      | undefined;
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id,
      vectorStoreId: row.vector_store_id,
      fileId: row.file_id,
      chunking: JSON.parse(row.chunking),
      claim,
    };
  }

  releaseClaims(): number {
    return this.statements.release.run().changes;
  }

  finish(task: IngestionTask, outcome: IngestionOutcome): boolean {
    return this.finishTx(task, outcome);
  }
}

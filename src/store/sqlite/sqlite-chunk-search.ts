/**
 * Chunk retrieval in SQLite: BM25 through FTS5, and exact cosine similarity over the stored
 * embeddings (`vec_distance_cosine`, see vector-functions.ts). Both only see indexed (`completed`)
 * attachments of the tenant's listed stores that pass the attribute filter, inside the query, so
 * that a filter never leaves fewer results than there are matches.
 */
import type { ChunkHit, ChunkSearchScope } from '../types.js';
import type { SqliteDatabase } from './open-database.js';
import { attributeCondition } from './sqlite-attribute-filter.js';

interface HitRow {
  chunkId: number;
  vectorStoreId: string;
  fileId: string;
  filename: string;
  attributes: string | null;
  text: string;
  raw: number;
}

const SELECTED = `c.id AS chunkId, c.vector_store_id AS vectorStoreId, c.file_id AS fileId,
  f.filename AS filename, vf.attributes AS attributes, c.text AS text`;

const JOINS = `JOIN vector_store_files vf ON vf.vector_store_id = c.vector_store_id AND vf.file_id = c.file_id
  JOIN files f ON f.id = c.file_id`;

export class SqliteChunkSearch {
  constructor(private readonly db: SqliteDatabase) {}

  text(scope: ChunkSearchScope, terms: readonly string[]): ChunkHit[] {
    if (terms.length === 0 || scope.vectorStoreIds.length === 0) return [];
    const match = terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
    const where = this.scopeCondition(scope);
    const rows = this.db
      .prepare(
        `SELECT ${SELECTED}, -bm25(chunks_fts) AS raw
         FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid ${JOINS}
         WHERE chunks_fts MATCH ? AND ${where.sql}
         ORDER BY bm25(chunks_fts) LIMIT ?`,
      )
      .all(match, ...where.params, scope.limit) as HitRow[];
    return rows.map(toHit);
  }

  vector(scope: ChunkSearchScope, vector: Float32Array, model: string): ChunkHit[] {
    if (scope.vectorStoreIds.length === 0) return [];
    const where = this.scopeCondition(scope);
    const bytes = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const rows = this.db
      .prepare(
        `SELECT ${SELECTED}, 1 - vec_distance_cosine(v.embedding, ?) AS raw
         FROM chunk_vectors v JOIN chunks c ON c.id = v.chunk_id ${JOINS}
         WHERE v.model = ? AND ${where.sql}
         ORDER BY raw DESC LIMIT ?`,
      )
      .all(bytes, model, ...where.params, scope.limit) as HitRow[];
    return rows.map(toHit);
  }

  private scopeCondition(scope: ChunkSearchScope): { sql: string; params: unknown[] } {
    const stores = scope.vectorStoreIds.map(() => '?').join(', ');
    const parts = [`c.vector_store_id IN (${stores})`, 'vf.tenant_id = ?', "vf.status = 'completed'"];
    const params: unknown[] = [...scope.vectorStoreIds, scope.tenantId];
    if (scope.filter) {
      const filter = attributeCondition(scope.filter, 'vf.attributes');
      parts.push(filter.sql);
      params.push(...filter.params);
    }
    return { sql: parts.join(' AND '), params };
  }
}

function toHit(row: HitRow): ChunkHit {
  return { ...row, attributes: row.attributes === null ? null : JSON.parse(row.attributes) };
}

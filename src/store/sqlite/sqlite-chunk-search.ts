/**
 * Chunk retrieval in SQLite: BM25 through FTS5, and exact cosine similarity over the stored
 * embeddings (a cached matrix scan, vector-cache.ts; with an attribute filter, in SQL through
 * `vec_distance_cosine`, see vector-functions.ts).
 *
 * Speed comes from never touching what cannot be in the answer. Each store has its own FTS5
 * table (chunk-index.ts), so BM25 only scores that store's chunks; without an attribute filter
 * the top rows come from the index (or the vectors table) alone, and only they are joined to their
 * text and file. With a filter the join happens before the limit (a filter must never leave fewer
 * results than there are matches). Only indexed chunks exist — an attachment's chunks are written
 * with its `completed` status and dropped when it is attached again — so no status check is
 * needed; the stores are checked to be the tenant's first. Several stores: each ranks its own
 * chunks (with its own statistics) and the best raw scores win.
 */
import type { ChunkHit, ChunkSearchScope } from '../types.js';
import { ftsTable } from './chunk-index.js';
import type { SqliteDatabase } from './open-database.js';
import { attributeCondition } from './sqlite-attribute-filter.js';
import { nearest, VectorCache } from './vector-cache.js';

interface HitRow {
  chunkId: number;
  vectorStoreId: string;
  fileId: string;
  filename: string;
  attributes: string | null;
  text: string;
  raw: number;
}

const DETAILS = `c.id AS chunkId, c.vector_store_id AS vectorStoreId, c.file_id AS fileId,
  f.filename AS filename, vf.attributes AS attributes, c.text AS text`;

const JOINS = `JOIN vector_store_files vf ON vf.vector_store_id = c.vector_store_id AND vf.file_id = c.file_id
  JOIN files f ON f.id = c.file_id`;

export class SqliteChunkSearch {
  private readonly vectors = new VectorCache();
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = {
      version: db.prepare('SELECT index_version AS v FROM vector_stores WHERE id = ?'),
      vectors: db.prepare(
        'SELECT chunk_id AS id, embedding FROM chunk_vectors WHERE vector_store_id = ? AND model = ?',
      ),
    };
  }

  text(scope: ChunkSearchScope, terms: readonly string[]): ChunkHit[] {
    const stores = this.tenantStores(scope);
    if (terms.length === 0 || stores.length === 0) return [];
    const match = terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
    const filter = scope.filter ? attributeCondition(scope.filter, 'vf.attributes') : undefined;
    const ranked: Array<{ id: number; raw: number }> = [];
    const hits: ChunkHit[] = [];
    for (const store of stores) {
      const table = ftsTable(store);
      if (!table) continue;
      if (!filter) {
        ranked.push(
          ...(this.db
            .prepare(
              `SELECT rowid AS id, -bm25(${table}) AS raw FROM ${table} WHERE ${table} MATCH ? ORDER BY bm25(${table}) LIMIT ?`,
            )
            .all(match, scope.limit) as Array<{ id: number; raw: number }>),
        );
        continue;
      }
      const rows = this.db
        .prepare(
          `SELECT ${DETAILS}, -bm25(${table}) AS raw
           FROM ${table} JOIN chunks c ON c.id = ${table}.rowid ${JOINS}
           WHERE ${table} MATCH ? AND ${filter.sql}
           ORDER BY bm25(${table}) LIMIT ?`,
        )
        .all(match, ...filter.params, scope.limit) as HitRow[];
      hits.push(...rows.map(toHit));
    }
    if (!filter) return this.details(ranked.sort((a, b) => b.raw - a.raw).slice(0, scope.limit));
    return hits.sort((a, b) => b.raw - a.raw).slice(0, scope.limit);
  }

  vector(scope: ChunkSearchScope, vector: Float32Array, model: string): ChunkHit[] {
    const stores = this.tenantStores(scope);
    if (stores.length === 0) return [];
    const inStores = `v.vector_store_id IN (${stores.map(() => '?').join(', ')})`;
    if (!scope.filter) {
      const ranked: Array<{ id: number; raw: number }> = [];
      for (const store of stores) {
        const version = (this.statements.version.get(store) as { v: number } | undefined)?.v ?? 0;
        const matrix = this.vectors.get(
          `${store} ${model}`,
          version,
          () => this.statements.vectors.all(store, model) as Array<{ id: number; embedding: Buffer }>,
        );
        ranked.push(...nearest(matrix, vector, scope.limit));
      }
      return this.details(ranked.sort((a, b) => b.raw - a.raw).slice(0, scope.limit));
    }
    const filter = attributeCondition(scope.filter, 'vf.attributes');
    const rows = this.db
      .prepare(
        `SELECT ${DETAILS}, 1 - vec_distance_cosine(v.embedding, ?) AS raw
         FROM chunk_vectors v JOIN chunks c ON c.id = v.chunk_id ${JOINS}
         WHERE ${inStores} AND v.model = ? AND ${filter.sql}
         ORDER BY raw DESC LIMIT ?`,
      )
      .all(
        Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
        ...stores,
        model,
        ...filter.params,
        scope.limit,
      ) as HitRow[];
    return rows.map(toHit);
  }

  /** The listed stores that are the tenant's. */
  private tenantStores(scope: ChunkSearchScope): string[] {
    if (scope.vectorStoreIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT id FROM vector_stores WHERE tenant_id = ? AND id IN (${scope.vectorStoreIds.map(() => '?').join(', ')})`,
      )
      .all(scope.tenantId, ...scope.vectorStoreIds) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }

  /** Text, file and attributes of ranked chunk ids, in rank order. */
  private details(ranked: ReadonlyArray<{ id: number; raw: number }>): ChunkHit[] {
    if (ranked.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT ${DETAILS} FROM chunks c ${JOINS} WHERE c.id IN (${ranked.map(() => '?').join(', ')})`)
      .all(...ranked.map((r) => r.id)) as Array<Omit<HitRow, 'raw'>>;
    const byId = new Map(rows.map((row) => [row.chunkId, row]));
    const hits: ChunkHit[] = [];
    for (const { id, raw } of ranked) {
      const row = byId.get(id);
      if (row) hits.push(toHit({ ...row, raw }));
    }
    return hits;
  }
}

function toHit(row: HitRow): ChunkHit {
  return { ...row, attributes: row.attributes === null ? null : JSON.parse(row.attributes) };
}

/**
 * Chunk retrieval in PostgreSQL: full-text rank (`ts_rank_cd` over the chunks' tsvector, GIN
 * indexed) and exact cosine similarity over the stored embeddings (normalised real[]; a dot
 * product computed in SQL, no extension needed). Only indexed chunks exist (an attachment's
 * chunks are written with its `completed` status), so no status check; the stores are checked to
 * be the tenant's first. Attribute filters join before the limit.
 */
import type pg from 'pg';
import type { ChunkHit, ChunkSearchScope } from '../types.js';
import { pgAttributeCondition } from './pg-attribute-filter.js';
import { normalised } from './pg-chunk-index.js';
import { rows } from './pg-database.js';

interface HitRow {
  chunkId: number;
  vectorStoreId: string;
  fileId: string;
  filename: string;
  attributes: string | null;
  text: string;
  raw: number;
}

const DETAILS = `c.id AS "chunkId", c.vector_store_id AS "vectorStoreId", c.file_id AS "fileId",
  f.filename AS filename, vf.attributes AS attributes, c.text AS text`;

const JOINS = `JOIN vector_store_files vf ON vf.vector_store_id = c.vector_store_id AND vf.file_id = c.file_id
  JOIN files f ON f.id = c.file_id`;

export class PgChunkSearch {
  constructor(private readonly pool: pg.Pool) {}

  async text(scope: ChunkSearchScope, terms: readonly string[]): Promise<ChunkHit[]> {
    const stores = await this.tenantStores(scope);
    if (terms.length === 0 || stores.length === 0) return [];
    const params: unknown[] = [stores, ...terms];
    // Any of the words, each stemmed as the text was (stop words drop out), OR-ed together.
    const query = terms.map((_, i) => `plainto_tsquery('english', $${i + 2})`).join(' || ');
    const filter = scope.filter
      ? ` AND ${pgAttributeCondition(scope.filter, 'vf.attributes::jsonb', params)}`
      : '';
    params.push(scope.limit);
    const found = await rows<HitRow>(
      this.pool,
      `WITH q AS (SELECT ${query} AS q)
       SELECT ${DETAILS}, ts_rank_cd(c.tsv, q.q) AS raw
         FROM q, chunks c ${JOINS}
        WHERE c.vector_store_id = ANY ($1::text[]) AND c.tsv @@ q.q${filter}
        ORDER BY raw DESC, c.id LIMIT $${params.length}`,
      params,
    );
    return found.map(toHit);
  }

  async vector(scope: ChunkSearchScope, vector: Float32Array, model: string): Promise<ChunkHit[]> {
    const stores = await this.tenantStores(scope);
    if (stores.length === 0) return [];
    const params: unknown[] = [stores, model, normalised(vector)];
    const filter = scope.filter
      ? ` AND ${pgAttributeCondition(scope.filter, 'vf.attributes::jsonb', params)}`
      : '';
    params.push(scope.limit);
    // The ranking reads chunk_vectors alone; only the best rows are joined to text and file.
    const join = filter ? `JOIN chunks c ON c.id = v.chunk_id ${JOINS}` : '';
    const found = await rows<{ id: number; raw: number }>(
      this.pool,
      `SELECT v.chunk_id AS id,
              (SELECT SUM(a * b) FROM unnest(v.embedding, $3::real[]) AS t (a, b)) AS raw
         FROM chunk_vectors v ${join}
        WHERE v.vector_store_id = ANY ($1::text[]) AND v.model = $2
          AND cardinality(v.embedding) = cardinality($3::real[])${filter}
        ORDER BY raw DESC, v.chunk_id LIMIT $${params.length}`,
      params,
    );
    return this.details(found);
  }

  /** The listed stores that are the tenant's. */
  private async tenantStores(scope: ChunkSearchScope): Promise<string[]> {
    if (scope.vectorStoreIds.length === 0) return [];
    const found = await rows<{ id: string }>(
      this.pool,
      'SELECT id FROM vector_stores WHERE tenant_id = $1 AND id = ANY ($2::text[])',
      [scope.tenantId, scope.vectorStoreIds],
    );
    return found.map((row) => row.id);
  }

  /** Text, file and attributes of ranked chunk ids, in rank order. */
  private async details(ranked: ReadonlyArray<{ id: number; raw: number }>): Promise<ChunkHit[]> {
    if (ranked.length === 0) return [];
    const found = await rows<Omit<HitRow, 'raw'>>(
      this.pool,
      `SELECT ${DETAILS} FROM chunks c ${JOINS} WHERE c.id = ANY ($1::bigint[])`,
      [ranked.map((r) => r.id)],
    );
    const byId = new Map(found.map((row) => [row.chunkId, row]));
    return ranked.flatMap(({ id, raw }) => {
      const row = byId.get(id);
      return row ? [toHit({ ...row, raw })] : [];
    });
  }
}

function toHit(row: HitRow): ChunkHit {
  return { ...row, attributes: row.attributes === null ? null : JSON.parse(row.attributes) };
}

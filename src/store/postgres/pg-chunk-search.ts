/**
 * Chunk retrieval in PostgreSQL: full-text rank (`ts_rank_cd` over the chunks' tsvector, GIN
 * indexed) and exact cosine similarity over the stored embeddings (real[], no extension needed),
 * scored in this process from a matrix cached per store version. Only indexed chunks exist (an attachment's
 * chunks are written with its `completed` status), so no status check; the stores are checked to
 * be the tenant's first. Attribute filters join before the limit.
 */
import type pg from 'pg';
import { nearest, VectorCache, type VectorMatrix } from '../sqlite/vector-cache.js';
import type { ChunkHit, ChunkSearchScope } from '../types.js';
import { pgAttributeCondition } from './pg-attribute-filter.js';
import { first, rows } from './pg-database.js';

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
  private readonly vectors = new VectorCache();

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
    if (scope.filter) {
      // Only the rows the filter lets through are read and scored (filters select few).
      const params: unknown[] = [stores, model];
      const filter = pgAttributeCondition(scope.filter, 'vf.attributes::jsonb', params);
      const candidates = await rows<{ id: number; embedding: number[] }>(
        this.pool,
        `SELECT v.chunk_id AS id, v.embedding FROM chunk_vectors v JOIN chunks c ON c.id = v.chunk_id ${JOINS}
          WHERE v.vector_store_id = ANY ($1::text[]) AND v.model = $2 AND ${filter}`,
        params,
      );
      return this.details(nearest(toMatrix(candidates, 0), vector, scope.limit));
    }
    const ranked: Array<{ id: number; raw: number }> = [];
    for (const store of stores) ranked.push(...nearest(await this.matrix(store, model), vector, scope.limit));
    return this.details(ranked.sort((a, b) => b.raw - a.raw).slice(0, scope.limit));
  }

  /**
   * The store's embeddings as a cached matrix, loaded again when its index_version moved (a
   * write by any instance bumps it). Scoring in SQL over real[] took ~0.6 s for 1,000 × 384
   * (bench/store/); a matrix scan takes milliseconds.
   */
  private async matrix(store: string, model: string): Promise<VectorMatrix> {
    const key = `${store} ${model}`;
    const version =
      (
        await first<{ v: number }>(this.pool, 'SELECT index_version AS v FROM vector_stores WHERE id = $1', [
          store,
        ])
      )?.v ?? 0;
    const cached = this.vectors.peek(key, version);
    if (cached) return cached;
    // The binary array format (array_send) is read ~50× faster than real[] as text.
    const found = await rows<{ id: number; bin: Buffer }>(
      this.pool,
      'SELECT chunk_id AS id, array_send(embedding) AS bin FROM chunk_vectors WHERE vector_store_id = $1 AND model = $2',
      [store, model],
    );
    return this.vectors.get(key, version, () =>
      found.map((row) => ({ id: row.id, embedding: fromArraySend(row.bin) })),
    );
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

/** real[] rows as the cache's entries (float32 bytes). */
function toEntries(
  found: ReadonlyArray<{ id: number; embedding: number[] }>,
): Array<{ id: number; embedding: Buffer }> {
  return found.map((row) => {
    const floats = Float32Array.from(row.embedding);
    return { id: row.id, embedding: Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength) };
  });
}

function toMatrix(found: ReadonlyArray<{ id: number; embedding: number[] }>, version: number): VectorMatrix {
  return new VectorCache().get('candidates', version, () => toEntries(found));
}

/**
 * A one-dimensional real[] in PostgreSQL's binary array format (ndim, has-nulls flag, element
 * type, then length and lower bound: 20 bytes; then each element as a 4-byte length and a
 * big-endian float4) as little-endian float32 bytes.
 */
function fromArraySend(bin: Buffer): Buffer {
  if (bin.length < 20 || bin.readInt32BE(0) !== 1) return Buffer.alloc(0);
  const count = bin.readInt32BE(12);
  const out = Buffer.allocUnsafe(count * 4);
  for (let i = 0; i < count; i++) out.writeFloatLE(bin.readFloatBE(20 + i * 8 + 4), i * 4);
  return out;
}

/**
 * Writes of chunks and their embeddings. The tsvector is a generated column (pg maintains it);
 * embeddings are stored scaled to length 1 so that a search scores by dot product alone.
 */
import type pg from 'pg';
import type { ChunkInput } from '../types.js';

export async function addChunks(
  client: pg.PoolClient,
  storeId: string,
  fileId: string,
  chunks: readonly ChunkInput[],
  embeddingModel: string | undefined,
): Promise<void> {
  if (chunks.length === 0) return;
  const ids = await client.query<{ id: number }>(
    `INSERT INTO chunks (vector_store_id, file_id, position, text, tokens)
     SELECT $1, $2, t.ord - 1, t.text, t.tokens FROM unnest($3::text[], $4::int[]) WITH ORDINALITY AS t (text, tokens, ord)
     ORDER BY t.ord RETURNING id`,
    [storeId, fileId, chunks.map((chunk) => chunk.text), chunks.map((chunk) => chunk.tokens)],
  );
  if (embeddingModel === undefined) return;
  const embedded = chunks.flatMap((chunk, i) =>
    chunk.embedding ? [{ id: ids.rows[i]!.id, vector: normalised(chunk.embedding) }] : [],
  );
  for (const { id, vector } of embedded) {
    await client.query(
      'INSERT INTO chunk_vectors (chunk_id, vector_store_id, model, embedding) VALUES ($1, $2, $3, $4::real[])',
      [id, storeId, embeddingModel, vector],
    );
  }
}

/** Marks the stores' chunks changed: cached embedding matrices of an older version are reloaded. */
export async function bumpIndex(client: pg.PoolClient, storeIds: readonly string[]): Promise<void> {
  await client.query(
    'UPDATE vector_stores SET index_version = index_version + 1 WHERE id = ANY ($1::text[])',
    [storeIds],
  );
}

export function normalised(vector: Float32Array): number[] {
  let norm = 0;
  for (const x of vector) norm += x * x;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Array.from(vector, (x) => x * scale);
}

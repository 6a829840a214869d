/** A vector store of `size` random normalised embeddings, written straight into PostgreSQL. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export async function seedVectors(url: string, size: number, dims: number): Promise<string> {
  const storeId = `vs_${randomBytes(24).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO vector_stores (id, tenant_id, name, created_at) VALUES ($1, 'bench', 'bench', 0)`,
      [storeId],
    );
    await client.query(
      `INSERT INTO files (id, tenant_id, filename, purpose, bytes, created_at, sha256, media_type)
       VALUES ($1, 'bench', 'bench.txt', 'assistants', 1, 0, 'x', 'text/plain')`,
      [`file-${storeId}`],
    );
    await client.query(
      `INSERT INTO vector_store_files (vector_store_id, file_id, tenant_id, created_at, status, chunking)
       VALUES ($1, $2, 'bench', 0, 'completed', '{}')`,
      [storeId, `file-${storeId}`],
    );
    await client.query(
      `WITH added AS (
         INSERT INTO chunks (vector_store_id, file_id, position, text, tokens)
         SELECT $1, $2, g, 'chunk ' || g, 2 FROM generate_series(1, $3) AS g RETURNING id
       )
       INSERT INTO chunk_vectors (chunk_id, vector_store_id, model, embedding)
       SELECT id, $1, 'bench-embedding', (SELECT array_agg(random()::real - 0.5) FROM generate_series(1, $4) WHERE id > 0)
         FROM added`,
      [storeId, `file-${storeId}`, size, dims],
    );
  } finally {
    await client.end();
  }
  return storeId;
}

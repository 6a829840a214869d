/**
 * The PostgreSQL connection pool and the two ways repositories use it: one query, or several in a
 * transaction on one pooled connection. 64-bit integers and numerics come back as numbers (the
 * repositories' values are unix seconds, counts and byte sizes, all far below 2^53).
 */
import pg from 'pg';

export type Db = pg.Pool | pg.PoolClient;

const NUMBER_TYPES = new Set([20, 1700]); // int8, numeric

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    NUMBER_TYPES.has(oid) && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types, application_name: 'responses-gateway' });
  // An idle connection the server dropped (a restart) must not crash the process; the pool
  // replaces it at the next query.
  pool.on('error', () => {});
  return pool;
}

export async function rows<R extends pg.QueryResultRow>(
  db: Db,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  return (await db.query<R>(sql, [...params])).rows;
}

export async function first<R extends pg.QueryResultRow>(
  db: Db,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R | undefined> {
  return (await db.query<R>(sql, [...params])).rows[0];
}

/** Rows changed by an INSERT/UPDATE/DELETE. */
export async function changes(db: Db, sql: string, params: readonly unknown[] = []): Promise<number> {
  return (await db.query(sql, [...params])).rowCount ?? 0;
}

/** Runs `work` in one transaction; rolled back when it throws. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** `$from, $from+1, …` for `count` values. */
export function placeholders(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}

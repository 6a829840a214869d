/**
 * Brings a PostgreSQL database's schema up to date (`rgw migrate`, or `serve --migrate`). Several
 * instances starting together take an advisory lock, so each step still runs once.
 */
import type pg from 'pg';
import { ConfigError } from '../../config/load-config.js';
import { PG_MIGRATIONS } from './migrations.js';
import { createPool, first, inTransaction } from './pg-database.js';

/** Any 64-bit number of our own: the advisory lock migrations hold. */
const MIGRATION_LOCK = 0x7267_776d;

export async function migrate(pool: pg.Pool): Promise<{ from: number; to: number }> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const from = await currentVersion(client);
    for (let version = from; version < PG_MIGRATIONS.length; version++) {
      await client.query(PG_MIGRATIONS[version]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
    }
    return { from, to: PG_MIGRATIONS.length };
  });
}

/** Migrates the database at `url` with a pool of its own. */
export async function migratePostgres(url: string): Promise<{ from: number; to: number }> {
  const pool = createPool(url, 1);
  try {
    return await migrate(pool);
  } finally {
    await pool.end();
  }
}

/** Refuses a schema older (or newer) than this build's, with what to do about it. */
export async function checkSchema(pool: pg.Pool): Promise<void> {
  const exists = await first<{ t: string | null }>(
    pool,
    "SELECT to_regclass('schema_migrations')::text AS t",
  );
  const version = exists?.t == null ? 0 : await currentVersion(pool);
  if (version < PG_MIGRATIONS.length) {
    throw new ConfigError(
      `The PostgreSQL schema is at version ${version}, this gateway needs ${PG_MIGRATIONS.length}: run \`rgw migrate\` (or start with --migrate).`,
    );
  }
  if (version > PG_MIGRATIONS.length) {
    throw new ConfigError(
      `The PostgreSQL schema (version ${version}) is newer than this gateway (${PG_MIGRATIONS.length}): upgrade the gateway.`,
    );
  }
}

async function currentVersion(db: pg.Pool | pg.PoolClient): Promise<number> {
  return (await first<{ v: number | null }>(db, 'SELECT MAX(version) AS v FROM schema_migrations'))?.v ?? 0;
}

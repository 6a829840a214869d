/**
 * A throw-away PostgreSQL server for tests: the one `.ci/run` started (`RGW_TEST_PG_URL`), or else
 * a cluster of this test file's own (initdb into a temp dir, pg_ctl on a free loopback port, fsync
 * off), stopped afterwards. Tests that need it skip, with this reason, only when no PostgreSQL
 * binaries are installed.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migratePostgres } from '../../src/store/postgres/pg-migrate.js';

export interface PgServer {
  /** URL of the server's `postgres` database. */
  url: string;
  /** A fresh, migrated database of its own. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const pgSkipReason: string | undefined =
  process.env.RGW_TEST_PG_URL !== undefined || binDir() !== undefined
    ? undefined
    : 'PostgreSQL binaries are not installed (/usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startCluster(): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = binDir();
  if (!bin) throw new Error(pgSkipReason);
  const dir = mkdtempSync(join(tmpdir(), 'rgw-pg-'));
  // initdb refuses to run as root: the cluster then belongs to Debian's `postgres` user.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asUser.length > 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
  const run = (command: string, args: string[]) => {
    const [file, ...rest] = [...asUser, join(bin, command), ...args];
    execFileSync(file!, rest, { stdio: 'pipe' });
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** @param existing a running server to use instead (default `RGW_TEST_PG_URL`). */
export async function startPgServer(existing = process.env.RGW_TEST_PG_URL): Promise<PgServer> {
  const shared = existing;
  const server = shared !== undefined ? { url: shared, stop: async () => {} } : await startCluster();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  // One migrated template per server; each database is a copy of it (faster than migrating each).
  const template = `rgw_template_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = withDatabase(server.url, template);
  await migratePostgres(templateUrl);
  const created = [template];
  let counter = 0;
  return {
    url: server.url,
    async createDatabase() {
      const name = `${template}_${++counter}`;
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      created.push(name);
      return withDatabase(server.url, name);
    },
    async stop() {
      if (shared !== undefined) {
        for (const name of created.reverse()) {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
        }
      }
      await admin.end();
      await server.stop();
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

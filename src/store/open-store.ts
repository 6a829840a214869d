/** Picks the store backend from `RGW_DB`: a file path is SQLite; postgres:// URLs are PostgreSQL. */
import type { LeaseOptions } from './postgres/pg-instances.js';
import { PgStore } from './postgres/pg-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//.test(location);

export function openStore(location: string, options: { lease?: LeaseOptions } = {}): Store {
  if (isPostgresUrl(location)) return new PgStore(location, options.lease ? { lease: options.lease } : {});
  return new SqliteStore(location);
}

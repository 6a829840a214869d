/** Picks the store backend from `RGW_DB`: a file path is SQLite; postgres:// URLs are PostgreSQL. */
import { ConfigError } from '../config/load-config.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export function openStore(location: string): Store {
  if (/^postgres(ql)?:\/\//.test(location)) {
    throw new ConfigError('PostgreSQL storage is not available yet; use a SQLite file path for RGW_DB.');
  }
  return new SqliteStore(location);
}

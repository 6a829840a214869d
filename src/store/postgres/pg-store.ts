/**
 * The PostgreSQL store: every repository over one pooled database that several gateway instances
 * share. Its schema is brought up to date by `rgw migrate` (or `serve --migrate`), never silently.
 */
import type pg from 'pg';
import { ConfigError } from '../../config/load-config.js';
import type { SettingsRepository, Store } from '../types.js';
import { PgApiKeys } from './pg-api-keys.js';
import { PgContainers } from './pg-containers.js';
import { PgConversations } from './pg-conversations.js';
import { createPool, first } from './pg-database.js';
import { PgEventLog } from './pg-event-log.js';
import { PgFiles } from './pg-files.js';
import { PgInstanceShare } from './pg-instance-share.js';
import { DEFAULT_LEASE, type LeaseOptions, PgInstances } from './pg-instances.js';
import { PgJobs } from './pg-jobs.js';
import { checkSchema, migrate } from './pg-migrate.js';
import { PgNotifications } from './pg-notifications.js';
import { PgResponses } from './pg-responses.js';
import { PgUsage } from './pg-usage.js';
import { PgVectorStores } from './pg-vector-stores.js';

export interface PgStoreOptions {
  lease?: LeaseOptions;
  /** Pooled connections, per process. */
  poolSize?: number;
}

export class PgStore implements Store {
  readonly shared = true;
  readonly responses: PgResponses;
  readonly conversations: PgConversations;
  readonly apiKeys: PgApiKeys;
  readonly usage: PgUsage;
  readonly share: PgInstanceShare;
  readonly jobs: PgJobs;
  readonly events: PgEventLog;
  readonly settings: SettingsRepository;
  readonly files: PgFiles;
  readonly vectorStores: PgVectorStores;
  readonly containers: PgContainers;
  readonly instances: PgInstances;
  private readonly pool: pg.Pool;
  private readonly notifications: PgNotifications;
  private closed = false;

  /** The server and database, without credentials, for messages. */
  private readonly where: string;

  constructor(url: string, options: PgStoreOptions = {}) {
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    if (!parsed) throw new ConfigError('RGW_DB is not a valid postgres:// URL.');
    this.where = `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
    this.pool = createPool(url, options.poolSize ?? 10);
    this.instances = new PgInstances(this.pool, options.lease ?? DEFAULT_LEASE);
    this.notifications = new PgNotifications(url);
    this.conversations = new PgConversations(this.pool);
    this.responses = new PgResponses(this.pool, this.conversations, this.instances);
    this.apiKeys = new PgApiKeys(this.pool);
    this.usage = new PgUsage(this.pool);
    this.share = new PgInstanceShare(this.pool, this.instances);
    this.events = new PgEventLog(this.pool, this.notifications);
    this.jobs = new PgJobs(this.pool, this.responses, this.events, this.instances);
    this.files = new PgFiles(this.pool);
    this.vectorStores = new PgVectorStores(this.pool, this.instances);
    this.containers = new PgContainers(this.pool);
    const pool = this.pool;
    this.settings = {
      get: async (key) =>
        (await first<{ value: string }>(pool, 'SELECT value FROM settings WHERE key = $1', [key]))?.value,
      setIfAbsent: async (key, value) => {
        // One statement that answers the stored value whether or not it inserted.
        const row = await first<{ value: string }>(
          pool,
          `WITH added AS (INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value)
           SELECT value FROM added UNION ALL SELECT value FROM settings WHERE key = $1 LIMIT 1`,
          [key, value],
        );
        return row?.value ?? value;
      },
    };
  }

  async prepare(options: { migrate: boolean }): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      throw new ConfigError(`Cannot reach PostgreSQL at ${this.where}: ${(error as Error).message}`);
    }
    if (options.migrate) await migrate(this.pool);
    else await checkSchema(this.pool);
    await this.instances.start();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.instances.stop();
    await this.notifications.close();
    await this.pool.end();
  }
}

/** The default store: one SQLite file (WAL) behind the repository interfaces. */
import type { SettingsRepository, Store } from '../types.js';
import { ChunkIndex } from './chunk-index.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteApiKeys } from './sqlite-api-keys.js';
import { SqliteContainers } from './sqlite-containers.js';
import { SqliteConversations } from './sqlite-conversations.js';
import { SqliteFiles } from './sqlite-files.js';
import { SqliteEventLog, SqliteJobs } from './sqlite-jobs.js';
import { SqliteResponses } from './sqlite-responses.js';
import { SqliteUsage } from './sqlite-usage.js';
import { SqliteVectorStores } from './sqlite-vector-stores.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WriteBatch } from './write-batch.js';

export class SqliteStore implements Store {
  readonly shared = false;
  readonly responses: SqliteResponses;
  readonly conversations: SqliteConversations;
  readonly apiKeys: SqliteApiKeys;
  readonly usage: SqliteUsage;
  readonly jobs: SqliteJobs;
  readonly events: SqliteEventLog;
  readonly settings: SettingsRepository;
  readonly files: SqliteFiles;
  readonly vectorStores: SqliteVectorStores;
  readonly containers: SqliteContainers;
  private readonly db: SqliteDatabase;
  private readonly checkpointer: WalCheckpointer | undefined;

  constructor(path: string) {
    this.db = openDatabase(path);
    this.checkpointer = path === ':memory:' ? undefined : new WalCheckpointer(path, this.db);
    const writes = new WriteBatch(this.db, () => this.checkpointer?.start());
    this.conversations = new SqliteConversations(this.db);
    this.responses = new SqliteResponses(this.db, this.conversations, writes);
    this.apiKeys = new SqliteApiKeys(this.db);
    this.usage = new SqliteUsage(this.db);
    this.events = new SqliteEventLog(this.db, writes);
    this.jobs = new SqliteJobs(this.db, this.responses, this.events);
    const chunks = new ChunkIndex(this.db);
    this.files = new SqliteFiles(this.db, chunks);
    this.vectorStores = new SqliteVectorStores(this.db, chunks);
    this.containers = new SqliteContainers(this.db);
    const get = this.db.prepare('SELECT value FROM settings WHERE key = ?');
    const insert = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
    );
    this.settings = {
      get: async (key) => (get.get(key) as { value: string } | undefined)?.value,
      setIfAbsent: async (key, value) => {
        insert.run(key, value);
        return (get.get(key) as { value: string }).value;
      },
    };
  }

  /** Migrated when opened (one process owns the file). */
  async prepare(): Promise<void> {}

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * pushes the WAL past `wal_autocheckpoint` pages: that request then copies the pages back into the
 * database file and waits for two fsyncs, with every other request on the event loop waiting too.
 * Instead, a worker thread with its own connection runs a PASSIVE checkpoint every
 * CHECKPOINT_INTERVAL_MS (it never blocks writers or readers; a page written many times in the
 * interval is copied once). The main connection keeps a high `wal_autocheckpoint` as a fallback,
 * should the worker fall behind or stop.
 *
 * Durability is unchanged: a transaction is committed once its frames are in the WAL file
 * (`synchronous = NORMAL`), so a committed response survives a process crash whether or not it was
 * checkpointed yet; checkpoints only move committed pages from the WAL into the database file.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './open-database.js';

export const CHECKPOINT_INTERVAL_MS = 100;
/** Pages (4 KiB) the WAL may reach before a commit on the main connection checkpoints by itself. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

// Plain CommonJS run with `eval`: no file to resolve, the same under tsx, vitest and dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try { checkpoint.get(); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly db: SqliteDatabase,
  ) {}

  /**
   * Starts the worker (once): called before the first group-committed write, so that a gateway
   * that stores nothing runs no worker (~10 MB) and keeps SQLite's own checkpoints.
   */
  start(): void {
    if (this.worker || !this.db.open) return;
    const { db, path } = this;
    db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        intervalMs: CHECKPOINT_INTERVAL_MS,
      },
      // A few MB are plenty for a loop that only runs one pragma.
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
    });
    // If the worker fails, the main connection checkpoints by itself again, as SQLite does by default.
    const worker = this.worker;
    worker.on('error', () => {
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    });
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    // Never what keeps the process alive.
    worker.unref();
  }

  /** Closes the worker's connection first, so that the main one is the last and removes the WAL. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    // Held until it has exited, or a caller awaiting this could see the process end first.
    worker.ref();
    worker.postMessage('close');
    await this.exited;
  }
}

/**
 * Group commit: writes asked for in the same turn of the event loop are committed together, in
 * one transaction at the next `setImmediate`, each in its own savepoint, so that one failing is
 * rolled back alone and only its caller sees the error. Under load one WAL commit (and its page
 * writes) then carries several responses and event batches instead of one each.
 *
 * A write's promise resolves once its transaction has committed, and nothing that waits on it
 * (the final event of a response, an HTTP answer) goes out before: a response a client was told
 * about survives a process crash as before (WAL, `synchronous = NORMAL`).
 */
import type { SqliteDatabase } from './open-database.js';

interface PendingWrite {
  write: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
  error?: unknown;
}

export class WriteBatch {
  private pending: PendingWrite[] = [];
  /** One write: a transaction of its own, or a savepoint inside the batch's transaction. */
  private readonly single: (write: () => void) => void;
  private readonly all: (batch: readonly PendingWrite[]) => void;

  /** @param beforeFirstWrite runs once, before the first write is queued. */
  constructor(
    db: SqliteDatabase,
    private beforeFirstWrite?: () => void,
  ) {
    this.single = db.transaction((write: () => void) => write());
    this.all = db.transaction((batch: readonly PendingWrite[]) => {
      for (const entry of batch) {
        try {
          this.single(entry.write);
        } catch (error) {
          entry.error = error;
        }
      }
    });
  }

  /** Runs `write` (synchronous statements) in the next group commit; resolves once committed. */
  run(write: () => void): Promise<void> {
    if (this.beforeFirstWrite) {
      const first = this.beforeFirstWrite;
      this.beforeFirstWrite = undefined;
      first();
    }
    return new Promise((resolve, reject) => {
      if (this.pending.push({ write, resolve, reject }) === 1) setImmediate(this.commit);
    });
  }

  private readonly commit = (): void => {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) {
      const entry = batch[0]!;
      try {
        this.single(entry.write);
      } catch (error) {
        return entry.reject(error);
      }
      return entry.resolve();
    }
    try {
      this.all(batch);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const entry of batch) {
      if (entry.error === undefined) entry.resolve();
      else entry.reject(entry.error);
    }
  };
}

/** The background job queue and the stream event log, in SQLite. */

import type { Statement } from 'better-sqlite3';
import type { EventLogRepository, Job, JobRepository, LoggedEvent, ResponseRecord } from '../types.js';
import type { SqliteDatabase } from './open-database.js';
import type { SqliteResponses } from './sqlite-responses.js';
import type { WriteBatch } from './write-batch.js';

interface JobRow {
  response_id: string;
  tenant_id: string;
  request: string;
  cancel_requested: number;
  key_id: string | null;
}

const ROWS_PER_INSERT = 32;

const toJob = (row: JobRow): Job => ({
  responseId: row.response_id,
  tenantId: row.tenant_id,
  request: row.request,
  cancelRequested: row.cancel_requested === 1,
  keyId: row.key_id,
});

export class SqliteEventLog implements EventLogRepository {
  private readonly statements;
  readonly appendInTransaction: (responseId: string, events: readonly LoggedEvent[]) => void;

  constructor(db: SqliteDatabase, writes: WriteBatch) {
    this.statements = {
      insert: db.prepare('INSERT OR IGNORE INTO response_events (response_id, seq, data) VALUES (?, ?, ?)'),
      after: db.prepare(
        'SELECT seq, data FROM response_events WHERE response_id = ? AND seq > ? ORDER BY seq',
      ),
      last: db.prepare('SELECT MAX(seq) AS seq FROM response_events WHERE response_id = ?'),
    };
    // Up to ROWS_PER_INSERT events per statement: one statement run instead of one per event.
    const inserts = new Map<number, Statement>([[1, this.statements.insert]]);
    const insertOf = (rows: number): Statement => {
      let statement = inserts.get(rows);
      if (!statement) {
        statement = db.prepare(
          `INSERT OR IGNORE INTO response_events (response_id, seq, data) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')}`,
        );
        inserts.set(rows, statement);
      }
      return statement;
    };
    this.appendInTransaction = (responseId, events) => {
      for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
        const rows = Math.min(ROWS_PER_INSERT, events.length - start);
        const values: unknown[] = new Array(rows * 3);
        for (let i = 0; i < rows; i++) {
          const event = events[start + i]!;
          values[i * 3] = responseId;
          values[i * 3 + 1] = event.seq;
          values[i * 3 + 2] = event.data;
        }
        insertOf(rows).run(values);
      }
    };
    // Batches of a stream's events go in the group commit with the other writes of the moment.
    this.append = (responseId, events) => writes.run(() => this.appendInTransaction(responseId, events));
  }

  append: (responseId: string, events: readonly LoggedEvent[]) => Promise<void>;

  async after(responseId: string, afterSeq: number): Promise<LoggedEvent[]> {
    return this.statements.after.all(responseId, afterSeq) as LoggedEvent[];
  }

  async lastSeq(responseId: string): Promise<number | undefined> {
    return (this.statements.last.get(responseId) as { seq: number | null }).seq ?? undefined;
  }
}

export class SqliteJobs implements JobRepository {
  private readonly statements;
  private readonly enqueueTx;
  private readonly takeInterruptedTx;

  constructor(
    private readonly db: SqliteDatabase,
    responses: SqliteResponses,
    events: SqliteEventLog,
  ) {
    this.statements = {
      insert: db.prepare(
        `INSERT INTO jobs (response_id, tenant_id, request, state, created_at, key_id) VALUES (?, ?, ?, 'queued', ?, ?)`,
      ),
      claim: db.prepare(
        `UPDATE jobs SET state = 'running'
          WHERE response_id = (SELECT response_id FROM jobs WHERE state = 'queued' ORDER BY created_at, rowid LIMIT 1)
          RETURNING response_id, tenant_id, request, cancel_requested, key_id`,
      ),
      finish: db.prepare(`UPDATE jobs SET state = 'done' WHERE response_id = ?`),
      state: db.prepare('SELECT state FROM jobs WHERE response_id = ? AND tenant_id = ?'),
      cancel: db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE response_id = ? AND tenant_id = ?'),
      countQueued: db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued'`),
      requeue: db.prepare(`UPDATE jobs SET state = 'queued' WHERE response_id = ? AND state = 'running'`),
      running: db.prepare(
        `SELECT response_id, tenant_id, request, cancel_requested, key_id FROM jobs WHERE state = 'running'`,
      ),
    };
    this.enqueueTx = db.transaction(
      (
        tenantId: string,
        record: ResponseRecord,
        request: string,
        opening: readonly LoggedEvent[],
        keyId: string | null,
      ) => {
        responses.saveInTransaction(tenantId, record, undefined);
        events.appendInTransaction(record.response.id, opening);
        this.statements.insert.run(record.response.id, tenantId, request, Date.now(), keyId);
      },
    );
    this.takeInterruptedTx = db.transaction(() => {
      const rows = this.statements.running.all() as JobRow[];
      for (const row of rows) this.statements.finish.run(row.response_id);
      return rows.map(toJob);
    });
  }

  async enqueue(
    tenantId: string,
    record: ResponseRecord,
    request: string,
    events: readonly LoggedEvent[],
    keyId?: string,
  ) {
    this.enqueueTx(tenantId, record, request, events, keyId ?? null);
  }

  async claim(): Promise<Job | undefined> {
    const row = this.statements.claim.get() as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  async countQueued(): Promise<number> {
    return (this.statements.countQueued.get() as { n: number }).n;
  }

  async requeue(responseId: string): Promise<void> {
    this.statements.requeue.run(responseId);
  }

  async finish(responseId: string): Promise<void> {
    this.statements.finish.run(responseId);
  }

  async requestCancel(
    tenantId: string,
    responseId: string,
  ): Promise<'queued' | 'running' | 'done' | undefined> {
    return this.db.transaction(() => {
      const row = this.statements.state.get(responseId, tenantId) as
        | { state: 'queued' | 'running' | 'done' }
        | undefined;
      if (!row) return undefined;
      this.statements.cancel.run(responseId, tenantId);
      if (row.state === 'queued') this.statements.finish.run(responseId);
      return row.state;
    })();
  }

  async cancelRequested(responseIds: readonly string[]): Promise<string[]> {
    if (responseIds.length === 0) return [];
    const placeholders = responseIds.map(() => '?').join(',');
    const rows = this.db
      .prepare(`SELECT response_id FROM jobs WHERE cancel_requested = 1 AND response_id IN (${placeholders})`)
      .all(...responseIds) as Array<{ response_id: string }>;
    return rows.map((row) => row.response_id);
  }

  async takeInterrupted(): Promise<Job[]> {
    return this.takeInterruptedTx();
  }
}

/**
 * The background job queue in PostgreSQL, shared by every instance. A claim takes the oldest
 * queued job with `FOR UPDATE SKIP LOCKED` (instances claiming at once never wait on, nor take,
 * the same row) and records the claiming instance as its owner; the owner's heartbeat is the
 * job's lease (pg-instances.ts). A job whose owner is gone is taken — marked done and returned for
 * the caller to fail — by exactly one instance: the UPDATE that takes it re-checks `running`
 * under the row lock, so a second sweeper finds it done.
 */
import type pg from 'pg';
import type { Job, JobRepository, LoggedEvent, ResponseRecord } from '../types.js';
import { changes, first, inTransaction, rows } from './pg-database.js';
import type { PgEventLog } from './pg-event-log.js';
import type { PgInstances } from './pg-instances.js';
import type { PgResponses } from './pg-responses.js';

interface JobRow {
  response_id: string;
  tenant_id: string;
  request: string;
  cancel_requested: boolean;
  key_id: string | null;
}

const JOB_COLUMNS = 'response_id, tenant_id, request, cancel_requested, key_id';

const toJob = (row: JobRow): Job => ({
  responseId: row.response_id,
  tenantId: row.tenant_id,
  request: row.request,
  cancelRequested: row.cancel_requested,
  keyId: row.key_id,
});

export class PgJobs implements JobRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly responses: PgResponses,
    private readonly events: PgEventLog,
    private readonly instances: PgInstances,
  ) {}

  async enqueue(
    tenantId: string,
    record: ResponseRecord,
    request: string,
    events: readonly LoggedEvent[],
    keyId?: string,
  ) {
    await inTransaction(this.pool, async (client) => {
      await this.responses.saveInTransaction(client, tenantId, record, undefined);
      await this.events.appendInTransaction(client, record.response.id, events);
      await client.query(
        `INSERT INTO jobs (response_id, tenant_id, request, state, created_at, key_id)
         VALUES ($1, $2, $3, 'queued', $4, $5)`,
        [record.response.id, tenantId, request, Date.now(), keyId ?? null],
      );
    });
  }

  async claim(): Promise<Job | undefined> {
    await this.instances.start();
    const row = await first<JobRow>(
      this.pool,
      `UPDATE jobs SET state = 'running', owner = $1
        WHERE response_id = (SELECT response_id FROM jobs WHERE state = 'queued'
                              ORDER BY queue_seq LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING ${JOB_COLUMNS}`,
      [this.instances.id],
    );
    return row ? toJob(row) : undefined;
  }

  async countQueued(): Promise<number> {
    const row = await first<{ n: number }>(
      this.pool,
      `SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued'`,
    );
    return row?.n ?? 0;
  }

  /** Handed back at shutdown: queued again for any instance, its owner cleared. */
  async requeue(responseId: string): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET state = 'queued', owner = NULL WHERE response_id = $1 AND state = 'running'`,
      [responseId],
    );
  }

  async finish(responseId: string): Promise<void> {
    await this.pool.query(`UPDATE jobs SET state = 'done' WHERE response_id = $1`, [responseId]);
  }

  async requestCancel(
    tenantId: string,
    responseId: string,
  ): Promise<'queued' | 'running' | 'done' | undefined> {
    return inTransaction(this.pool, async (client) => {
      const row = await first<{ state: 'queued' | 'running' | 'done' }>(
        client,
        'SELECT state FROM jobs WHERE response_id = $1 AND tenant_id = $2 FOR UPDATE',
        [responseId, tenantId],
      );
      if (!row) return undefined;
      await changes(
        client,
        `UPDATE jobs SET cancel_requested = true, state = CASE WHEN state = 'queued' THEN 'done' ELSE state END
          WHERE response_id = $1`,
        [responseId],
      );
      return row.state;
    });
  }

  async cancelRequested(responseIds: readonly string[]): Promise<string[]> {
    if (responseIds.length === 0) return [];
    const found = await rows<{ response_id: string }>(
      this.pool,
      'SELECT response_id FROM jobs WHERE cancel_requested AND response_id = ANY ($1::text[])',
      [responseIds],
    );
    return found.map((row) => row.response_id);
  }

  /** Running jobs of instances gone for longer than the lease (never this instance's own). */
  async takeInterrupted(): Promise<Job[]> {
    await this.instances.start();
    const found = await rows<JobRow>(
      this.pool,
      `UPDATE jobs j SET state = 'done'
        WHERE j.state = 'running' AND j.owner IS DISTINCT FROM $1
          AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = j.owner
                           AND i.seen_at > now() - $2 * interval '1 millisecond')
        RETURNING ${JOB_COLUMNS}`,
      [this.instances.id, this.instances.leaseMs],
    );
    await this.pool.query("DELETE FROM instances WHERE seen_at < now() - $1 * interval '1 millisecond'", [
      this.instances.leaseMs * 6,
    ]);
    return found.map(toJob);
  }
}

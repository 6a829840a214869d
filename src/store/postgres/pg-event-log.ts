/**
 * The stream event log in PostgreSQL. Each append notifies channel `rgw_events` with the
 * response id (delivered at commit), so that a follower on another instance reads the new events
 * at once instead of at its next poll.
 */
import type pg from 'pg';
import type { EventLogRepository, LoggedEvent } from '../types.js';
import { first, rows } from './pg-database.js';
import type { PgNotifications } from './pg-notifications.js';

export const EVENTS_CHANNEL = 'rgw_events';

export class PgEventLog implements EventLogRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly notifications: PgNotifications,
  ) {}

  async append(responseId: string, events: readonly LoggedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.appendInTransaction(this.pool, responseId, events);
  }

  /** One statement: the rows and the notification commit together. */
  async appendInTransaction(
    db: pg.Pool | pg.PoolClient,
    responseId: string,
    events: readonly LoggedEvent[],
  ): Promise<void> {
    await db.query(
      `WITH added AS (
         INSERT INTO response_events (response_id, seq, data)
         SELECT $1, t.seq, t.data FROM unnest($2::int[], $3::text[]) AS t (seq, data)
         ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT pg_notify('${EVENTS_CHANNEL}', $1) FROM (SELECT 1 FROM added LIMIT 1) AS any_added`,
      [responseId, events.map((event) => event.seq), events.map((event) => event.data)],
    );
  }

  after(responseId: string, afterSeq: number): Promise<LoggedEvent[]> {
    return rows<LoggedEvent>(
      this.pool,
      'SELECT seq, data FROM response_events WHERE response_id = $1 AND seq > $2 ORDER BY seq',
      [responseId, afterSeq],
    );
  }

  async lastSeq(responseId: string): Promise<number | undefined> {
    return (
      (
        await first<{ seq: number | null }>(
          this.pool,
          'SELECT MAX(seq) AS seq FROM response_events WHERE response_id = $1',
          [responseId],
        )
      )?.seq ?? undefined
    );
  }

  subscribe(responseId: string, onAppend: () => void): () => void {
    return this.notifications.on(EVENTS_CHANNEL, responseId, onAppend);
  }
}

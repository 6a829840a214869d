/**
 * What the instances share, in PostgreSQL: one round trip per exchange writes what this instance
 * used and runs and the circuits it opened, and reads what the others used since its last exchange,
 * run now and opened. Times are the database's clock, so instances on machines whose clocks differ
 * still agree on "since" (an opening travels as its age).
 */
import type pg from 'pg';
import type { ForeignShare, InstanceShareRepository, LocalShare } from '../types.js';
import type { PgInstances } from './pg-instances.js';

/** What a starting instance reads of the others' past: the minute its allowances cover. */
const WINDOW_MS = 60_000;
/** Rows written by others this long before the last exchange are read again (commits land late). */
const OVERLAP_MS = 5_000;
/** Usage older than this is of no bucket's concern any more (a minute's allowance refills). */
const KEEP_MS = 120_000;
/** An instance that has not said what it runs for this long runs nothing (it stopped or died). */
const ACTIVE_STALE_MS = 10_000;
/** Old rows are deleted every this many exchanges. */
const PRUNE_EVERY = 30;

interface Row {
  kind: 'u' | 'a' | 'o' | 'n';
  id: string;
  subject: string;
  requests: number;
  tokens: string;
  now_ms: string;
}

export class PgInstanceShare implements InstanceShareRepository {
  /** The database time of the last exchange; rows from others after it (minus the overlap) are new. */
  private since = 0;
  /** Rows of others already applied, by id, with their time (forgotten past the overlap). */
  private readonly seen = new Map<string, number>();
  private exchanges = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly instances: PgInstances,
  ) {}

  async exchange(mine: LocalShare): Promise<ForeignShare> {
    await this.instances.start();
    const me = this.instances.id;
    const used = mine.used.filter((u) => u.requests !== 0 || u.tokens !== 0);
    const active = [...mine.active];
    const result = await this.pool.query<Row>(
      `WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms),
       written AS (
         INSERT INTO rate_usage (instance_id, subject, at_ms, requests, tokens)
         SELECT $1, u.subject, now.ms, u.requests, u.tokens
           FROM unnest($2::text[], $3::int[], $4::bigint[]) AS u(subject, requests, tokens), now
       ),
       running AS (
         INSERT INTO rate_active (instance_id, subject, active, updated_ms)
         SELECT $1, a.subject, a.active, now.ms FROM unnest($5::text[], $6::int[]) AS a(subject, active), now
         ON CONFLICT (instance_id, subject) DO UPDATE SET active = EXCLUDED.active, updated_ms = EXCLUDED.updated_ms
       ),
       opened AS (
         INSERT INTO breaker_openings (target, instance_id, at_ms)
         SELECT o.target, $1, now.ms - o.age FROM unnest($8::text[], $9::bigint[]) AS o(target, age), now
         ON CONFLICT (target) DO UPDATE SET instance_id = EXCLUDED.instance_id, at_ms = EXCLUDED.at_ms
          WHERE breaker_openings.at_ms < EXCLUDED.at_ms
       )
       SELECT 'u' AS kind, id::text AS id, subject, requests, tokens::text AS tokens, at_ms::text AS now_ms
         FROM rate_usage, now
        WHERE instance_id <> $1 AND at_ms > (CASE WHEN $7::bigint = 0 THEN now.ms - ${WINDOW_MS} ELSE $7 END)
       UNION ALL
       SELECT 'a', '', subject, SUM(active)::int, '0', '0' FROM rate_active, now
        WHERE instance_id <> $1 AND updated_ms > now.ms - ${ACTIVE_STALE_MS} GROUP BY subject
       UNION ALL
       SELECT 'o', '', target, 0, '0', (now.ms - at_ms)::text FROM breaker_openings, now
        WHERE instance_id <> $1 AND at_ms > (CASE WHEN $7::bigint = 0 THEN now.ms - ${WINDOW_MS} ELSE $7 END)
       UNION ALL
       SELECT 'n', '', '', 0, '0', ms::text FROM now`,
      [
        me,
        used.map((u) => u.subject),
        used.map((u) => u.requests),
        used.map((u) => u.tokens),
        active.map(([subject]) => subject),
        active.map(([, count]) => count),
        this.since === 0 ? 0 : this.since - OVERLAP_MS,
        mine.opened.map((o) => o.target),
        mine.opened.map((o) => Math.max(0, Math.round(o.ageMs))),
      ],
    );
    const foreign: ForeignShare = { used: [], active: new Map(), opened: [] };
    let now = this.since;
    for (const row of result.rows) {
      if (row.kind === 'n') now = Number(row.now_ms);
      else if (row.kind === 'a') foreign.active.set(row.subject, row.requests);
      else if (row.kind === 'o') foreign.opened.push({ target: row.subject, ageMs: Number(row.now_ms) });
      else if (!this.seen.has(row.id)) {
        this.seen.set(row.id, Number(row.now_ms));
        foreign.used.push({ subject: row.subject, requests: row.requests, tokens: Number(row.tokens) });
      }
    }
    this.since = now;
    for (const [id, at] of this.seen) if (at < now - OVERLAP_MS) this.seen.delete(id);
    if (++this.exchanges % PRUNE_EVERY === 0) await this.prune(now);
    return foreign;
  }

  private async prune(now: number): Promise<void> {
    await this.pool.query('DELETE FROM rate_usage WHERE at_ms < $1', [now - KEEP_MS]);
    await this.pool.query('DELETE FROM rate_active WHERE updated_ms < $1', [now - KEEP_MS]);
    await this.pool.query('DELETE FROM breaker_openings WHERE at_ms < $1', [now - KEEP_MS]);
  }
}

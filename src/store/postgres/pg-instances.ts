/**
 * This gateway process as one of the instances sharing the database: a row it refreshes every
 * `heartbeatMs`. An instance not seen for `leaseMs` is gone (killed, frozen, cut off); its running
 * jobs and streams are then taken over by whichever instance sweeps first (see pg-jobs.ts).
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface LeaseOptions {
  /** How long an instance may go unseen before its work is taken over, ms. */
  leaseMs: number;
  /** How often it says it is alive, ms (a third of the lease or less). */
  heartbeatMs: number;
}

export const DEFAULT_LEASE: LeaseOptions = { leaseMs: 10_000, heartbeatMs: 2_000 };

export class PgInstances {
  readonly id = `inst_${randomBytes(12).toString('hex')}`;
  readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private started: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: LeaseOptions,
  ) {
    this.leaseMs = options.leaseMs;
  }

  /**
   * Registers the instance and starts heartbeating: once, before it claims work or answers a
   * stream (a failed first beat is tried again at the next call).
   */
  start(): Promise<void> {
    this.started ??= this.beat().then(
      () => {
        this.timer = setInterval(() => void this.beat().catch(() => {}), this.options.heartbeatMs);
        this.timer.unref();
      },
      (error: unknown) => {
        this.started = undefined;
        throw error;
      },
    );
    return this.started;
  }

  /** Stops heartbeating but stays registered, as a killed process would (tests). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.started) await this.pool.query('DELETE FROM instances WHERE id = $1', [this.id]).catch(() => {});
  }

  private async beat(): Promise<void> {
    await this.pool.query(
      'INSERT INTO instances (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET seen_at = now()',
      [this.id],
    );
  }
}

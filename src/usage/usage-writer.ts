/**
 * Usage rows leave the request path through a queue: a response only pushes its row, and a timer
 * appends what gathered in one transaction every FLUSH_MS (or sooner when BATCH rows wait).
 */
import type { Logger } from 'pino';
import type { UsageRepository, UsageRow } from '../store/types.js';

const FLUSH_MS = 200;
const BATCH = 500;

export class UsageWriter {
  private pending: UsageRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly usage: UsageRepository,
    private readonly logger: Logger,
  ) {}

  get queued(): number {
    return this.pending.length;
  }

  push(row: UsageRow): void {
    this.pending.push(row);
    if (this.pending.length >= BATCH) void this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what waits; resolves once it is stored (shutdown and tests wait for it). */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const rows = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (rows.length === 0) return;
      try {
        await this.usage.append(rows);
      } catch (error) {
        this.logger.error({ err: error, rows: rows.length }, 'could not store usage rows');
      }
    });
    return this.flushing;
  }
}

/**
 * Rate limits across the instances of one store: every `intervalMs` this instance tells the others
 * (through the store) what it used and runs, and charges what they used to its own allowances.
 * The hot path stays in memory; a limit holds across instances give or take what the others let
 * through in one interval. A failed exchange is told again with the next.
 */
import type { Logger } from 'pino';
import type { RateShareRepository } from '../store/types.js';
import type { Limiter } from './limiter.js';

export class RateSharing {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly limiter: Limiter,
    private readonly repository: RateShareRepository,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.exchange(), this.intervalMs);
    this.timer.unref();
  }

  /** One exchange now (the timer's; tests call it too); skipped while one is under way. */
  exchange(): Promise<void> {
    this.running ??= (async () => {
      const mine = this.limiter.takeShare();
      try {
        this.limiter.applyForeign(await this.repository.exchange(mine));
      } catch (error) {
        this.limiter.returnShare(mine.used);
        this.logger.warn({ err: error }, 'could not share rate limits with the other instances');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

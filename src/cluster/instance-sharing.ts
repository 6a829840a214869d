/**
 * What the instances of one store share besides the data: every `intervalMs` this instance tells
 * the others (through the store) what it used of each rate limit, what it runs and which circuits
 * it opened, and takes in what they did — their use charged to its own allowances, their open
 * circuits opened here too. The hot path stays in memory: a limit holds across instances give or
 * take what the others let through in one interval. A failed exchange is told again with the next.
 */
import type { Logger } from 'pino';
import type { ForeignShare, InstanceShareRepository, RateUsage, TargetOpening } from '../store/types.js';

/** The rate limits' side (limits/limiter.ts). */
export interface SharedLimits {
  takeShare(): { used: RateUsage[]; active: Map<string, number> };
  returnShare(used: readonly RateUsage[]): void;
  applyForeign(foreign: ForeignShare): void;
}

/** The circuit breakers' side (providers/registry.ts). */
export interface SharedBreakers {
  breakerOpeningsAfter(since: number): TargetOpening[];
  hintBreakers(openings: readonly TargetOpening[]): void;
}

export class InstanceSharing {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Circuits that opened after this were not told yet (this process's clock). */
  private openedSince = 0;

  constructor(
    private readonly parts: { limits: SharedLimits; breakers: SharedBreakers },
    private readonly repository: InstanceShareRepository,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.exchange(), this.intervalMs);
    this.timer.unref();
  }

  /** One exchange now (the timer's; tests call it too); skipped while one is under way. */
  exchange(): Promise<void> {
    this.running ??= (async () => {
      const { limits, breakers } = this.parts;
      const at = this.now();
      const mine = { ...limits.takeShare(), opened: breakers.breakerOpeningsAfter(this.openedSince) };
      try {
        const foreign = await this.repository.exchange(mine);
        this.openedSince = at;
        limits.applyForeign(foreign);
        breakers.hintBreakers(foreign.opened);
      } catch (error) {
        limits.returnShare(mine.used);
        this.logger.warn({ err: error }, 'could not share limits and circuits with the other instances');
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

/**
 * The circuit breakers of every target (`provider/model`), shared by all the routes that use it.
 * The board holds a bounded number (idle ones are dropped first when it is full), so clients naming
 * arbitrary models of a default provider cannot grow it without end.
 */
import { CircuitBreaker, type CircuitBreakerSettings, type CircuitState } from './circuit-breaker.js';
import type { Clock } from './clock.js';

/** A circuit another instance opened: its target and how long ago, ms (clocks need not agree). */
export interface BreakerOpening {
  target: string;
  ageMs: number;
}

const MAX_BREAKERS = 1000;

export class BreakerBoard {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly clock: Clock,
  ) {}

  get(key: string): CircuitBreaker {
    let breaker = this.breakers.get(key);
    if (!breaker) {
      this.evictIdle();
      breaker = new CircuitBreaker(this.settings, this.clock);
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  /**
   * Circuits that opened on their own here after `since` (ms since the epoch), with how long ago:
   * what the other instances are told (a hinted opening is not passed on again).
   */
  openedAfter(since: number): BreakerOpening[] {
    const now = this.clock.now();
    const out: BreakerOpening[] = [];
    for (const [target, breaker] of this.breakers) {
      const at = breaker.ownOpeningAt;
      if (at !== undefined && at > since) out.push({ target, ageMs: now - at });
    }
    return out;
  }

  /** Openings other instances saw: their circuits open here too. */
  hint(openings: readonly BreakerOpening[]): void {
    const now = this.clock.now();
    for (const { target, ageMs } of openings) this.get(target).hintOpen(now - ageMs);
  }

  /** Each target's state, for metrics. */
  *states(): Iterable<[string, CircuitState]> {
    for (const [key, breaker] of this.breakers) yield [key, breaker.state];
  }

  private evictIdle(): void {
    if (this.breakers.size < MAX_BREAKERS) return;
    for (const [key, breaker] of this.breakers) {
      if (breaker.idle) this.breakers.delete(key);
    }
    // Still full of failing targets: forget the oldest.
    while (this.breakers.size >= MAX_BREAKERS) {
      const oldest = this.breakers.keys().next().value as string;
      this.breakers.delete(oldest);
    }
  }
}

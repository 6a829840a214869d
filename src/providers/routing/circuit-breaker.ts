/**
 * One target's circuit: closed (calls go through) until `failureThreshold` consecutive failures,
 * then open (the target is skipped) for `cooldownMs`, then half-open: one probe call goes through,
 * its success closes the circuit and its failure opens it again for another cool-down.
 */
import type { Clock } from './clock.js';

export interface CircuitBreakerSettings {
  enabled: boolean;
  failureThreshold: number;
  cooldownMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;
  /** The opening another instance hinted (cluster/instance-sharing.ts). */
  private hintedAt: number | undefined;

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly clock: Clock,
  ) {}

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.clock.now() - this.openedAt >= this.settings.cooldownMs ? 'half-open' : 'open';
  }

  /** When an open circuit lets its probe through, ms since the epoch; undefined when not open. */
  get reopensAt(): number | undefined {
    return this.openedAt === undefined ? undefined : this.openedAt + this.settings.cooldownMs;
  }

  /** Whether a call may go to the target now; a true answer in half-open state is the probe. */
  tryAcquire(): boolean {
    if (!this.settings.enabled) return true;
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** The upstream answered (even with a refusal such as a 400): it is reachable. */
  onSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.hintedAt = undefined;
    this.probing = false;
  }

  /** A 5xx, timeout or refused connection. */
  onFailure(): void {
    this.probing = false;
    this.failures += 1;
    if (this.openedAt !== undefined || this.failures >= this.settings.failureThreshold) {
      this.openedAt = this.clock.now();
    }
  }

  /**
   * When it last opened because of its own calls, ms since the epoch (this process's clock);
   * undefined when closed or opened only by another instance's hint (not told back as its own).
   */
  get ownOpeningAt(): number | undefined {
    return this.openedAt === this.hintedAt ? undefined : this.openedAt;
  }

  /**
   * Another instance saw the target fail and opened its circuit at `openedAt`: open here too
   * (from then), unless this one opened later. The cool-down's probe then finds out for this one.
   */
  hintOpen(openedAt: number): void {
    if (!this.settings.enabled) return;
    if (this.openedAt !== undefined && this.openedAt >= openedAt) return;
    this.openedAt = openedAt;
    this.hintedAt = openedAt;
    this.failures = Math.max(this.failures, this.settings.failureThreshold);
    this.probing = false;
  }

  /** The call ended without telling anything about the target's health (aborted, rate limited). */
  release(): void {
    this.probing = false;
  }

  /** True when the breaker holds nothing worth keeping (so its board may forget it). */
  get idle(): boolean {
    return this.failures === 0 && this.openedAt === undefined && !this.probing;
  }
}

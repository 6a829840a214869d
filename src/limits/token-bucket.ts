/**
 * A per-minute allowance as a token bucket, the model OpenAI's rate-limit headers describe: it
 * holds up to `capacity`, refills continuously at capacity per minute, and "reset" is the time until
 * it is full again. Tokens are charged after the fact, so the level may go below zero; the bucket
 * then refuses until it has refilled.
 */
const MINUTE_MS = 60_000;

export class TokenBucket {
  private level: number;
  private at: number;

  constructor(
    public capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.at = now;
  }

  /** Takes a new capacity (a reloaded config), keeping what was used. */
  resize(capacity: number, now: number): void {
    if (capacity === this.capacity) return;
    this.refill(now);
    this.level = Math.min(capacity, this.level + (capacity - this.capacity));
    this.capacity = capacity;
  }

  remaining(now: number): number {
    this.refill(now);
    return Math.max(0, Math.floor(this.level));
  }

  /** Until full again, ms. */
  resetMs(now: number): number {
    this.refill(now);
    return Math.ceil(((this.capacity - this.level) * MINUTE_MS) / this.capacity);
  }

  /** Until `amount` is available, ms (0 when it is now). */
  waitMs(amount: number, now: number): number {
    this.refill(now);
    const missing = Math.min(amount, this.capacity) - this.level;
    return missing <= 0 ? 0 : Math.ceil((missing * MINUTE_MS) / this.capacity);
  }

  take(amount: number, now: number): void {
    this.refill(now);
    this.level -= amount;
  }

  private refill(now: number): void {
    const elapsed = now - this.at;
    if (elapsed <= 0) return;
    this.level = Math.min(this.capacity, this.level + (elapsed * this.capacity) / MINUTE_MS);
    this.at = now;
  }
}

/** A duration as OpenAI writes it in `x-ratelimit-reset-*`: `120ms`, `17.5s`, `6m0s`. */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  if (ms < MINUTE_MS) return `${Number((ms / 1000).toFixed(3))}s`;
  const minutes = Math.floor(ms / MINUTE_MS);
  return `${minutes}m${Math.ceil((ms - minutes * MINUTE_MS) / 1000)}s`;
}

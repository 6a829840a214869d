/**
 * How long to wait before the next round of attempts: exponential backoff with full jitter
 * (a uniform random wait up to min(max, initial·2^round)), or the upstreams' Retry-After when every
 * failure of the round gave one. A Retry-After beyond the cap is not waited for: the retries end and
 * the client gets the error with its Retry-After.
 */
import type { UpstreamError } from '../../errors.js';

export interface BackoffSettings {
  initialBackoffMs: number;
  maxBackoffMs: number;
  maxRetryAfterMs: number;
}

/** Full-jitter exponential backoff for the given round (0 = after the first round failed). */
export function jitteredBackoff(round: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** round);
  return Math.floor(random() * ceiling);
}

/** The wait before the next round, or undefined when an upstream asked for more than the cap. */
export function retryDelay(
  round: number,
  failures: readonly UpstreamError[],
  settings: BackoffSettings,
  random: () => number,
): number | undefined {
  const jitter = jitteredBackoff(round, settings, random);
  const asked = failures.map((error) => error.retryAfterMs);
  if (asked.length === 0 || asked.some((ms) => ms === undefined)) return jitter;
  // Every target asked to wait: the earliest any of them is ready again.
  const soonest = Math.min(...(asked as number[]));
  if (soonest > settings.maxRetryAfterMs) return undefined;
  return Math.max(jitter, soonest);
}

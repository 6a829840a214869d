/**
 * A provider's `maxConcurrent`: calls beyond it wait, first come first served, in a queue of at
 * most `maxQueued` for at most `queueTimeoutMs`; past either bound they fail with a 429
 * `rate_limit_exceeded`. An aborted waiter leaves the queue at once.
 */
import { UpstreamError } from '../../errors.js';
import type { Clock } from './clock.js';

export interface ConcurrencySettings {
  /** Provider name, for messages. */
  provider: string;
  maxConcurrent: number;
  maxQueued: number;
  queueTimeoutMs: number;
}

interface Waiter {
  /** Set once the waiter got a slot or gave up, whichever came first. */
  settled: boolean;
  grant: (release: Release) => void;
}

/** Frees the slot; calling it again does nothing. */
export type Release = () => void;

export class ConcurrencyLimiter {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly settings: ConcurrencySettings,
    private readonly clock: Clock,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  acquire(signal: AbortSignal): Promise<Release> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.active < this.settings.maxConcurrent) {
      this.active += 1;
      return Promise.resolve(this.release());
    }
    if (this.queue.length >= this.settings.maxQueued) return Promise.reject(this.full('its queue is full'));
    return new Promise<Release>((resolve, reject) => {
      const stop = new AbortController();
      const waiter: Waiter = {
        settled: false,
        grant: (release) => {
          waiter.settled = true;
          stop.abort();
          resolve(release);
        },
      };
      const giveUp = (error: unknown) => {
        if (waiter.settled) return;
        waiter.settled = true;
        this.queue.splice(this.queue.indexOf(waiter), 1);
        reject(error);
      };
      this.queue.push(waiter);
      this.clock.sleep(this.settings.queueTimeoutMs, AbortSignal.any([signal, stop.signal])).then(
        () => giveUp(this.full(`no slot freed within ${this.settings.queueTimeoutMs} ms`)),
        () => giveUp(signal.reason),
      );
    });
  }

  /** A release for one held slot: hands it straight to the oldest waiter, so no newcomer takes it. */
  private release(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const waiter = this.queue.shift();
      if (waiter) waiter.grant(this.release());
      else this.active -= 1;
    };
  }

  private full(why: string): UpstreamError {
    const { provider, maxConcurrent } = this.settings;
    return new UpstreamError(
      `Too many concurrent requests to provider '${provider}': ${maxConcurrent} are in flight (its maxConcurrent) and ${why}. Retry shortly.`,
      {
        status: 429,
        retryable: true,
        code: 'rate_limit_exceeded',
        type: 'rate_limit_error',
        retryAfterMs: 1000,
      },
    );
  }
}

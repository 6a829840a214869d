/**
 * Following a response's event stream from any connection: replay from the log or from memory
 * after a sequence number, then the live events until the response ends — from memory when it runs
 * in this process, by reading the log while it waits for a worker or runs in another one.
 */
import { invalidRequest } from '../errors.js';
import type { LoggedEvent, Store } from '../store/types.js';
import type { LiveEvents } from './live-events.js';
import { eventTypeOf } from './logged-events.js';
import { responseNotFound } from './stored-responses.js';

export class ResponseStreams {
  constructor(
    private readonly store: Store,
    private readonly live: LiveEvents,
  ) {}

  /**
   * Checks that the response exists for this tenant and has a stream; then `run` delivers the
   * events after `afterSeq` and resolves when the response has ended or `signal` aborts.
   */
  async open(
    tenantId: string,
    id: string,
    afterSeq: number,
  ): Promise<{ run: (onEvent: (event: LoggedEvent) => void, signal: AbortSignal) => Promise<void> }> {
    const response = await this.store.responses.get(tenantId, id);
    if (!response) throw responseNotFound(id);
    if (!this.live.isLive(id) && (await this.store.events.lastSeq(id)) === undefined) {
      throw invalidRequest(
        `Response '${id}' has no event stream to replay: only responses created with stream or background have one.`,
        'stream',
        'invalid_value',
      );
    }
    return { run: (onEvent, signal) => this.follow(tenantId, id, afterSeq, onEvent, signal) };
  }

  private follow(
    tenantId: string,
    id: string,
    afterSeq: number,
    onEvent: (event: LoggedEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      const state: FollowState = { last: afterSeq, ended: false, done: false };
      let stop: (() => void) | undefined;
      const finish = () => {
        if (state.done) return;
        state.done = true;
        stop?.();
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const deliver = (event: LoggedEvent) => {
        if (state.done || event.seq <= state.last) return;
        state.last = event.seq;
        if (ENDING.has(eventTypeOf(event.data))) state.ended = true;
        onEvent(event);
      };
      // Running in this process: what it holds in memory after `last`, then each new event.
      const followLive = (): boolean => {
        stop = this.live.follow(id, state.last, (event) => (event === null ? finish() : deliver(event)));
        return stop !== undefined;
      };
      signal.addEventListener('abort', finish, { once: true });
      if (signal.aborted || followLive()) return;
      this.followLog(tenantId, id, state, deliver, followLive, signal).then(
        (handedOver) => {
          if (!handedOver) finish();
        },
        () => finish(),
      );
    });
  }

  /**
   * Not running here: delivers what the log holds and, while the stored response is still queued
   * or in progress (waiting for a worker, or run by another process), reads on until it ends.
   * True when it started running here and the live channel took over.
   */
  private async followLog(
    tenantId: string,
    id: string,
    state: FollowState,
    deliver: (event: LoggedEvent) => void,
    followLive: () => boolean,
    signal: AbortSignal,
  ): Promise<boolean> {
    let endedReads = 0;
    // Where the store tells of appends by other instances, a notification ends the wait early.
    const wake = new Wake();
    const unsubscribe = this.store.events.subscribe?.(id, () => wake.fire());
    try {
      for (;;) {
        for (const event of await this.store.events.after(id, state.last)) deliver(event);
        if (state.ended || signal.aborted) return false;
        if (followLive()) return true;
        const response = await this.store.responses.get(tenantId, id);
        const open = response?.status === 'queued' || response?.status === 'in_progress';
        // Ended without a final event in the log yet: another process may still be writing it, so
        // the log is read once more before giving up (a cancelled response has none).
        if (!open && ++endedReads > 1) return false;
        await wake.wait(unsubscribe ? NOTIFIED_POLL_MS : POLL_MS, signal);
      }
    } finally {
      unsubscribe?.();
    }
  }
}

interface FollowState {
  /** The last sequence number delivered. */
  last: number;
  /** A final event was delivered. */
  ended: boolean;
  done: boolean;
}

/** How often the log of a response running elsewhere is read, ms. */
const POLL_MS = 100;
/** The same when appends are notified: polling only covers a lost notification. */
const NOTIFIED_POLL_MS = 1000;

const ENDING = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** A pause that a notification ends early; one that came while reading is not lost. */
class Wake {
  private pending = false;
  private resolve: (() => void) | undefined;

  fire(): void {
    if (this.resolve) this.resolve();
    else this.pending = true;
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.resolve = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

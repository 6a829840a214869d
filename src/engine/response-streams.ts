/**
 * Following a response's event stream from any connection: replay from the log or from memory
 * after a sequence number, then the live events until the response ends.
 */
import { invalidRequest } from '../errors.js';
import type { LoggedEvent, Store } from '../store/types.js';
import type { LiveEvents } from './live-events.js';
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
    return { run: (onEvent, signal) => this.follow(id, afterSeq, onEvent, signal) };
  }

  private follow(
    id: string,
    afterSeq: number,
    onEvent: (event: LoggedEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      let last = afterSeq;
      const deliver = (event: LoggedEvent) => {
        if (event.seq <= last) return;
        last = event.seq;
        onEvent(event);
      };
      const stop = this.live.follow(id, afterSeq, (event) => {
        if (event === null) finish();
        else deliver(event);
      });
      const finish = () => {
        stop?.();
        signal.removeEventListener('abort', finish);
        resolve();
      };
      signal.addEventListener('abort', finish, { once: true });
      if (stop) return;
      // Not running here: everything there is to see is in the log.
      this.store.events
        .after(id, afterSeq)
        .then((events) => events.forEach(deliver))
        .finally(finish);
    });
  }
}

/**
 * Events of responses running in this process: fanned out to followers as they happen and written
 * to the store's event log in batches — at every item boundary and at least every `flushMs`
 * (`background.eventFlushMs`, 100 ms by default) — so a stream can be resumed from any sequence
 * number without a disk write per token. What a hard crash can lose is that window's deltas.
 */
import type { Logger } from 'pino';
import type { EventLogRepository, LoggedEvent } from '../store/types.js';

export type LiveListener = (event: LoggedEvent | null) => void;

interface Channel {
  /** Every event of the response so far (its opening events too, when they were made here). */
  events: LoggedEvent[];
  flushed: number;
  timer: NodeJS.Timeout | undefined;
  listeners: Set<LiveListener>;
  writing: Promise<void>;
}

export class LiveEvents {
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly log: EventLogRepository,
    private readonly logger: Logger,
    private readonly flushMs = 100,
  ) {}

  /** Opens a channel; `persisted` are events already in the log (e.g. the opening ones). */
  open(responseId: string, persisted: readonly LoggedEvent[] = []): void {
    if (this.channels.has(responseId)) return;
    this.channels.set(responseId, {
      events: [...persisted],
      flushed: persisted.length,
      timer: undefined,
      listeners: new Set(),
      writing: Promise.resolve(),
    });
  }

  isLive(responseId: string): boolean {
    return this.channels.has(responseId);
  }

  /** @param boundary the event closes an item: write the batch now. */
  publish(responseId: string, event: LoggedEvent, boundary: boolean): void {
    const channel = this.channels.get(responseId);
    if (!channel) return;
    channel.events.push(event);
    if (channel.listeners.size > 0) for (const listener of channel.listeners) listener(event);
    if (boundary || this.flushMs === 0) this.flush(responseId, channel);
    else channel.timer ??= setTimeout(() => this.flush(responseId, channel), this.flushMs);
  }

  /** Writes what is left, tells followers the stream is over and forgets the channel. */
  async close(responseId: string): Promise<void> {
    const channel = this.channels.get(responseId);
    if (!channel) return;
    this.flush(responseId, channel);
    await channel.writing;
    this.channels.delete(responseId);
    for (const listener of channel.listeners) listener(null);
  }

  /**
   * Follows a live response: the events after `afterSeq` held in memory, then each new one, then
   * null at the end. Undefined when the response is not live here (read the log instead).
   */
  follow(responseId: string, afterSeq: number, listener: LiveListener): (() => void) | undefined {
    const channel = this.channels.get(responseId);
    if (!channel) return undefined;
    const first = channel.events[0]?.seq ?? 0;
    if (afterSeq + 1 < first) return undefined;
    for (const event of channel.events) if (event.seq > afterSeq) listener(event);
    channel.listeners.add(listener);
    return () => channel.listeners.delete(listener);
  }

  private flush(responseId: string, channel: Channel): void {
    if (channel.timer) {
      clearTimeout(channel.timer);
      channel.timer = undefined;
    }
    if (channel.flushed >= channel.events.length) return;
    const batch = channel.events.slice(channel.flushed);
    channel.flushed = channel.events.length;
    channel.writing = channel.writing
      .then(() => this.log.append(responseId, batch))
      .catch((error: unknown) =>
        this.logger.error({ err: error, responseId }, 'could not write stream events'),
      );
  }
}

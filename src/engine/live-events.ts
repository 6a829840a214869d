/**
 * Events of responses running in this process: fanned out to followers as they happen and written
 * to the store's event log in batches — at every item boundary and at least every `flushMs`
 * (`background.eventFlushMs`, 100 ms by default) — so a stream can be resumed from any sequence
 * number without a disk write per token. What a hard crash can lose is that window's deltas.
 * With `flushMs` 0 every event is written as it comes and reaches followers (and the stream's own
 * client, `publish`'s `own`) only once its write has committed: nothing a client saw can be lost.
 */
import type { Logger } from 'pino';
import type { EventLogRepository, LoggedEvent } from '../store/types.js';

export type LiveListener = (event: LoggedEvent | null) => void;

interface Channel {
  /** Every event of the response so far (its opening events too, when they were made here). */
  events: LoggedEvent[];
  flushed: number;
  /** Events handed to followers: all of them, or (durable) those committed. */
  delivered: number;
  /** Durable: the stream's own client, per event not yet delivered. */
  owners: Map<number, () => void>;
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
      delivered: persisted.length,
      owners: new Map(),
      timer: undefined,
      listeners: new Set(),
      writing: Promise.resolve(),
    });
  }

  isLive(responseId: string): boolean {
    return this.channels.has(responseId);
  }

  /**
   * @param boundary the event closes an item: write the batch now.
   * @param own gives the event to the stream's own client: now, or (durable) once it is written.
   */
  publish(responseId: string, event: LoggedEvent, boundary: boolean, own?: () => void): void {
    const channel = this.channels.get(responseId);
    if (!channel) {
      own?.();
      return;
    }
    channel.events.push(event);
    if (this.flushMs === 0) {
      if (own) channel.owners.set(channel.events.length - 1, own);
      this.flush(responseId, channel);
      return;
    }
    own?.();
    channel.delivered = channel.events.length;
    if (channel.listeners.size > 0) for (const listener of channel.listeners) listener(event);
    if (boundary) this.flush(responseId, channel);
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
    for (let i = 0; i < channel.delivered; i++) {
      const event = channel.events[i]!;
      if (event.seq > afterSeq) listener(event);
    }
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
    const upTo = channel.flushed;
    channel.writing = channel.writing
      .then(() => this.log.append(responseId, batch))
      .catch((error: unknown) =>
        this.logger.error({ err: error, responseId }, 'could not write stream events'),
      )
      // Durable: delivered once written (or, if the write failed, rather than never).
      .then(() => {
        if (this.flushMs === 0) this.deliver(channel, upTo);
      });
  }

  private deliver(channel: Channel, upTo: number): void {
    for (; channel.delivered < upTo; channel.delivered++) {
      const event = channel.events[channel.delivered]!;
      const own = channel.owners.get(channel.delivered);
      if (own) {
        channel.owners.delete(channel.delivered);
        own();
      }
      for (const listener of channel.listeners) listener(event);
    }
  }
}

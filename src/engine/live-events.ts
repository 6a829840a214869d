/**
 * Events of responses running in this process: fanned out to followers as they happen and written
 * to the store's event log in batches — at every item boundary and at least every `flushMs`
 * (`background.eventFlushMs`, 100 ms by default) — so a stream can be resumed from any sequence
 * number without a disk write per token. What a hard crash can lose is that window's deltas.
 * With `flushMs` 0 every event is written as it comes and reaches followers (and the stream's own
 * client, `publish`'s `own`) only once its write has committed: nothing a client saw can be lost.
 * Events the log holds (committed one batch ago, and delivered) leave memory: a long response
 * costs the memory of its last batches, not of its whole stream (a follower reads the rest from
 * the log).
 */
import type { Logger } from 'pino';
import type { EventLogRepository, LoggedEvent } from '../store/types.js';

export type LiveListener = (event: LoggedEvent | null) => void;

interface Channel {
  /**
   * The events of the response not yet committed to the log (or not yet delivered), from the
   * `base`-th on; indexes below (`flushed`, `delivered`, `owners`) count from the first event.
   */
  events: LoggedEvent[];
  base: number;
  /** The sequence number after the last event that left memory (the first a follower can get here). */
  nextSeq: number;
  /** Events before this index are committed to the log. */
  committed: number;
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
      base: 0,
      nextSeq: 0,
      committed: persisted.length,
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

  /** Events of a live response still held in memory (what has not reached the log, and the last batch). */
  held(responseId: string): number {
    return this.channels.get(responseId)?.events.length ?? 0;
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
    const total = channel.base + channel.events.length;
    if (this.flushMs === 0) {
      if (own) channel.owners.set(total - 1, own);
      this.flush(responseId, channel);
      return;
    }
    own?.();
    channel.delivered = total;
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
    const first = channel.events[0]?.seq ?? channel.nextSeq;
    if (afterSeq + 1 < first) return undefined;
    for (let i = channel.base; i < channel.delivered; i++) {
      const event = channel.events[i - channel.base]!;
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
    const total = channel.base + channel.events.length;
    if (channel.flushed >= total) return;
    const batch = channel.events.slice(channel.flushed - channel.base);
    channel.flushed = total;
    const upTo = total;
    channel.writing = channel.writing
      .then(() => this.log.append(responseId, batch))
      .then(
        () => true,
        (error: unknown) => {
          this.logger.error({ err: error, responseId }, 'could not write stream events');
          return false;
        },
      )
      // Durable: delivered once written (or, if the write failed, rather than never).
      .then((written) => {
        if (this.flushMs === 0) this.deliver(channel, upTo);
        if (!written) return;
        // The batch committed before this one leaves memory; this one stays a while, so that a
        // follower whose read of the log began before it committed still joins here without a gap.
        this.forget(channel, Math.min(channel.committed, channel.delivered));
        channel.committed = upTo;
      });
  }

  /** The events before index `upTo` are in the log and delivered: they leave memory. */
  private forget(channel: Channel, upTo: number): void {
    const count = upTo - channel.base;
    if (count <= 0) return;
    channel.nextSeq = channel.events[count - 1]!.seq + 1;
    channel.events = channel.events.slice(count);
    channel.base = upTo;
  }

  private deliver(channel: Channel, upTo: number): void {
    for (; channel.delivered < upTo; channel.delivered++) {
      const event = channel.events[channel.delivered - channel.base]!;
      const own = channel.owners.get(channel.delivered);
      if (own) {
        channel.owners.delete(channel.delivered);
        own();
      }
      for (const listener of channel.listeners) listener(event);
    }
  }
}

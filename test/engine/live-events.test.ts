/**
 * The live channel of a stored stream: events reach followers as they come and the log in
 * batches, and those the log holds leave memory — a long response costs its last batches, not its
 * whole stream — while a follower at any point still gets every event once, from memory or the log.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LiveEvents } from '../../src/engine/live-events.js';
import type { EventLogRepository, LoggedEvent } from '../../src/store/types.js';

/** An event log in memory whose appends commit at the next turn of the event loop, as SQLite's do. */
function memoryLog() {
  const rows: LoggedEvent[] = [];
  const log: EventLogRepository = {
    append: (_id, events) =>
      new Promise((resolve) =>
        setImmediate(() => {
          rows.push(...events);
          resolve();
        }),
      ),
    after: async (_id, afterSeq) => rows.filter((row) => row.seq > afterSeq),
    lastSeq: async () => rows.at(-1)?.seq,
  };
  return { log, rows };
}

const event = (seq: number): LoggedEvent => ({
  seq,
  data: `{"type":"response.output_text.delta","n":${seq}}`,
});
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('live events', () => {
  it('holds only the last batches of a long stream; a late follower reads the rest from the log', async () => {
    const { log, rows } = memoryLog();
    const live = new LiveEvents(log, pino({ level: 'silent' }));
    live.open('resp_1');
    const early: number[] = [];
    live.follow('resp_1', -1, (e) => {
      if (e) early.push(e.seq);
    });
    for (let seq = 0; seq < 5000; seq++) {
      // An item boundary every 100 events writes the batch at once.
      live.publish('resp_1', event(seq), seq % 100 === 99);
      if (seq % 100 === 99) await turn();
      if (seq % 100 === 99) await turn();
    }
    expect(live.held('resp_1')).toBeLessThanOrEqual(200);
    expect(rows.length).toBeGreaterThanOrEqual(4900);
    // A follower from the start is sent to the log (undefined); one from near the end joins here.
    expect(live.follow('resp_1', -1, () => {})).toBeUndefined();
    const late: number[] = [];
    const last = rows.at(-1)!.seq;
    expect(live.follow('resp_1', last, (e) => e && late.push(e.seq))).toBeDefined();
    live.publish('resp_1', event(5000), true);
    await live.close('resp_1');
    expect(early).toEqual(Array.from({ length: 5001 }, (_, i) => i));
    expect(late).toEqual(Array.from({ length: 5000 - last }, (_, i) => last + 1 + i));
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 5001 }, (_, i) => i));
  });

  it('keeps what the log could not take', async () => {
    const live = new LiveEvents(
      {
        append: () => Promise.reject(new Error('disk full')),
        after: async () => [],
        lastSeq: async () => undefined,
      },
      pino({ level: 'silent' }),
    );
    live.open('resp_2');
    for (let seq = 0; seq < 300; seq++) live.publish('resp_2', event(seq), seq % 100 === 99);
    await turn();
    await turn();
    expect(live.held('resp_2')).toBe(300);
    const seen: number[] = [];
    live.follow('resp_2', -1, (e) => e && seen.push(e.seq));
    expect(seen).toHaveLength(300);
    await live.close('resp_2');
  });
});

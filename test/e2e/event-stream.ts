/** Reading event streams as they arrive (for following, resuming and disconnecting mid-stream). */
import { expect } from 'vitest';
import { sseBlocks } from '../helpers/sse.js';
import type { Any } from './stream-helpers.js';

export interface ReadStream {
  status: number;
  /** Each event's `data` line as sent, and parsed. */
  texts: string[];
  events: Any[];
  /** Parsed JSON of a non-200 answer. */
  body?: Any;
}

export interface ReadOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  key: string;
  /** Called for each event as it arrives; return true to stop reading (the connection is dropped). */
  onEvent?: (event: Any) => unknown;
}

/** Requests `url` and reads its `text/event-stream` to the end (or until `onEvent` says stop). */
export async function readStream(url: string, options: ReadOptions): Promise<ReadStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers: {
      authorization: `Bearer ${options.key}`,
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: abort.signal,
  });
  if (response.status !== 200) {
    return { status: response.status, texts: [], events: [], body: await response.json() };
  }
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const texts: string[] = [];
  const events: Any[] = [];
  try {
    for await (const block of sseBlocks(response.body!)) {
      const [eventLine, dataLine, ...rest] = block.split('\n');
      expect(rest).toEqual([]);
      const text = dataLine!.slice('data: '.length);
      const event = JSON.parse(text);
      expect(eventLine).toBe(`event: ${event.type}`);
      texts.push(text);
      events.push(event);
      if (options.onEvent?.(event) === true) {
        abort.abort();
        return { status: 200, texts, events };
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
  return { status: 200, texts, events };
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Sequence numbers `first`, `first + 1`, … without gaps or repeats, ending with one terminal event. */
export function expectWholeSequence(events: readonly Any[], first = 0): void {
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => first + i));
  expect(TERMINAL.has(events.at(-1)?.type)).toBe(true);
  expect(events.filter((event) => TERMINAL.has(event.type))).toHaveLength(1);
}

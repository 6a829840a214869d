/** Reading `text/event-stream` bodies: whole, or block by block as they arrive. */
import type { JsonBody } from './json-body.js';

export interface SseEvent {
  event: string;
  data: JsonBody;
}

/** One block (`event:` and `data:` lines) as its event name and parsed data. */
export function parseSseBlock(block: string): SseEvent {
  const lines = block.split('\n');
  const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
  const data = lines
    .filter((l) => l.startsWith('data: '))
    .map((l) => l.slice(6))
    .join('\n');
  return { event, data: JSON.parse(data) };
}

/** Parses a raw `text/event-stream` body into its events (checks the LF-only framing). */
export function parseSse(text: string): SseEvent[] {
  if (text.includes('\r')) throw new Error('SSE stream contains CR characters');
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map(parseSseBlock);
}

/**
 * The blocks of a streamed body as each one completes (without its blank line). A body that ends
 * inside a block fails: every event must be terminated.
 */
export async function* sseBlocks(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      yield block;
    }
  }
  buffer += decoder.decode();
  if (buffer !== '') throw new Error(`event stream ended inside an event: ${JSON.stringify(buffer)}`);
}

/** Event types with runs of one delta type collapsed to `type×n`. */
export function collapse(types: readonly string[]): string[] {
  const out: string[] = [];
  for (const type of types) {
    const last = out.at(-1);
    if (type.endsWith('.delta') && last?.startsWith(type)) {
      const n = last.includes('×') ? Number(last.split('×')[1]) + 1 : 2;
      out[out.length - 1] = `${type}×${n}`;
    } else {
      out.push(type);
    }
  }
  return out;
}

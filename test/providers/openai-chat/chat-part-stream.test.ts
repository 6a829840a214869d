/** The pushed Chat Completions stream: what it yields matches a generator reading the body. */
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors.js';
import { ChatPartStream, Utf8Chunks } from '../../../src/providers/openai-chat/chat-part-stream.js';
import type { ChunkBody, ChunkReader } from '../../../src/providers/shared/http-client.js';
import type { StreamPart } from '../../../src/providers/types.js';

/** A body whose chunks the test pushes by hand. */
class FakeBody implements ChunkBody {
  reader: ChunkReader | undefined;
  cancelled = false;
  paused = false;
  resumed = 0;

  read(reader: ChunkReader): void {
    this.reader = reader;
  }
  resume(): void {
    this.resumed++;
    this.paused = false;
  }
  cancel(): void {
    this.cancelled = true;
  }
  push(text: string | Buffer): boolean {
    const more = this.reader!.chunk(typeof text === 'string' ? Buffer.from(text) : text);
    if (!more) this.paused = true;
    return more;
  }
  end(): void {
    this.reader!.end();
  }
  text(): Promise<string> {
    throw new Error('not used');
  }
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    throw new Error('not used');
  }
}

const event = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

async function collect(stream: AsyncIterable<StreamPart>): Promise<{ parts: StreamPart[]; error?: unknown }> {
  const parts: StreamPart[] = [];
  try {
    for await (const part of stream) parts.push(part);
  } catch (error) {
    return { parts, error };
  }
  return { parts };
}

function open(): { body: FakeBody; stream: ChatPartStream } {
  const body = new FakeBody();
  const stream = new ChatPartStream(body, 'up', new AbortController().signal);
  return { body, stream };
}

const texts = (parts: StreamPart[]) =>
  parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');

describe('ChatPartStream', () => {
  it('yields the parts of every event, then finish once the body ends', async () => {
    const { body, stream } = open();
    const done = collect(stream);
    body.push(event({ role: 'assistant', content: '' }) + event({ content: 'Hel' }));
    body.push(event({ content: 'lo' }));
    body.push(`${event({}, 'stop')}data: [DONE]\n\n`);
    // Anything after [DONE] is read and ignored.
    body.push(event({ content: 'ignored' }));
    body.end();
    const { parts, error } = await done;
    expect(error).toBeUndefined();
    expect(texts(parts)).toBe('Hello');
    expect(parts.map((p) => p.type)).toEqual([
      'text-start',
      'text-delta',
      'text-delta',
      'text-end',
      'finish',
    ]);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(body.cancelled).toBe(false);
  });

  it('keeps a character cut between two chunks whole, and an event cut between them', async () => {
    const { body, stream } = open();
    const done = collect(stream);
    const bytes = Buffer.from(event({ content: 'héllo €' }) + event({}, 'stop'));
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of €
    body.push(bytes.subarray(0, cut));
    body.push(bytes.subarray(cut));
    body.end();
    const { parts } = await done;
    expect(texts(parts)).toBe('héllo €');
  });

  it('drops a byte-order mark at the start only', () => {
    const decoder = new Utf8Chunks();
    expect(decoder.decode(Buffer.from('\uFEFFdata: x\n'))).toBe('data: x\n');
    const later = new Utf8Chunks();
    expect(later.decode(Buffer.from('data: a\n'))).toBe('data: a\n');
    expect(later.decode(Buffer.from('\uFEFFb'))).toBe('\uFEFFb');
  });

  it('reads a last event without its blank line', async () => {
    const { body, stream } = open();
    const done = collect(stream);
    body.push(
      `${event({ content: 'x' })}data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}`,
    );
    body.end();
    const { parts, error } = await done;
    expect(error).toBeUndefined();
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('gives the parts before an event that is not JSON, then fails and stops reading', async () => {
    const { body, stream } = open();
    const done = collect(stream);
    body.push(`${event({ content: 'before' })}data: {not json\n\n${event({ content: 'after' })}`);
    const { parts, error } = await done;
    expect(texts(parts)).toBe('before');
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'upstream_invalid_response', status: 502 });
    expect(body.cancelled).toBe(true);
  });

  it('fails a stream that ends before finishing', async () => {
    const { body, stream } = open();
    const done = collect(stream);
    body.push(event({ content: 'cut' }));
    body.end();
    const { parts, error } = await done;
    expect(texts(parts)).toBe('cut');
    expect(error).toMatchObject({ code: 'upstream_stream_truncated' });
  });

  it('raises a connection failure after the parts that came before it', async () => {
    const { body, stream } = open();
    const done = collect(stream);
    body.push(event({ content: 'partial' }));
    body.reader!.error(new Error('socket hang up'));
    const { parts, error } = await done;
    expect(texts(parts)).toBe('partial');
    expect(error).toMatchObject({ code: 'upstream_unavailable' });
  });

  it('aborts the call when the consumer leaves early', async () => {
    const { body, stream } = open();
    body.push(event({ content: 'a' }));
    for await (const part of stream) {
      if (part.type === 'text-delta') break;
    }
    expect(body.cancelled).toBe(true);
  });

  it('pauses the connection while many parts wait, and resumes as they are taken', async () => {
    const { body, stream } = open();
    let more = true;
    let pushed = 0;
    while (more) {
      more = body.push(event({ content: String(pushed) }));
      pushed++;
    }
    expect(body.paused).toBe(true);
    const iterator = stream[Symbol.asyncIterator]();
    for (let i = 0; i < pushed; i++) await iterator.next();
    expect(body.resumed).toBe(1);
    body.push(event({}, 'stop'));
    body.end();
    const rest = await collect({ [Symbol.asyncIterator]: () => iterator });
    expect(rest.error).toBeUndefined();
    expect(rest.parts.at(-1)).toMatchObject({ type: 'finish' });
  });
});

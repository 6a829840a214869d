/**
 * Clients that misbehave, against a real gateway over loopback: one that hangs up after each event
 * position of a stream (every response still ends stored and finished, nothing stays open, the
 * gateway keeps serving), and one that stops reading (the gateway holds the upstream back instead
 * of buffering: the upstream's writes stall, and once the client reads again it gets every byte).
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStreamCount } from '../../src/server/sse-writer.js';
import type { Any } from '../e2e/stream-helpers.js';
import { type ChildGateway, serveChild } from '../helpers/child-gateway.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { parseSse } from '../helpers/sse.js';
import { TEST_KEY } from '../helpers/test-gateway.js';

const TERMINAL = /^(completed|incomplete|failed|cancelled)$/;

/** Streams a create and hangs up once `events` events have arrived; resolves with the response id. */
function hangUpAfter(baseURL: string, body: Record<string, unknown>, events: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = httpRequest(
      `${baseURL}/responses`,
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          const seen = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
          if (seen.length < events) return;
          req.destroy();
          resolve((seen[0]!.data as Any).response.id);
        });
        res.on('end', () => reject(new Error(`the stream ended after ${parseSse(text).length} events`)));
      },
    );
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end(JSON.stringify({ ...body, stream: true }));
  });
}

describe('clients that hang up at every event position', () => {
  const harness = useHarness({
    kind: 'text',
    text: 'one two three four five six',
    chunks: ['one ', 'two ', 'three ', 'four ', 'five ', 'six'],
    delayMs: 5,
  });

  it('leaves every response finished and stored, no stream open, and the gateway serving', async () => {
    const body = { model: 'gpt-faults', input: 'Count.', store: true };
    const whole = await harness.stream(body);
    const total = whole.data.length;
    expect(whole.types.at(-1)).toBe('response.completed');
    const ids: string[] = [];
    for (let events = 1; events < total; events++) ids.push(await hangUpAfter(harness.baseURL, body, events));
    for (const id of ids) {
      let stored: Any;
      await expect
        .poll(
          async () => {
            stored = (await harness.get(`/v1/responses/${id}`)).body;
            return stored.status;
          },
          { timeout: 5_000, interval: 20 },
        )
        .toMatch(TERMINAL);
      // Its stored events replay whole: numbered from 0 without a gap, ending as it ended.
      const replay = await harness.get(`/v1/responses/${id}?stream=true`);
      const events = parseSse(String(replay.body)).map((event) => event.data as Any);
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
      // A cancelled response has no final event (OpenAI streams none); the others end with theirs.
      if (stored.status !== 'cancelled') expect(events.at(-1)!.type).toBe(`response.${stored.status}`);
    }
    expect(openEventStreamCount()).toBe(0);
    const after = await harness.post('/v1/responses', { model: 'gpt-faults', input: 'Still there?' });
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('completed');
  });
});

/** A Chat Completions upstream that streams `chunks` chunks of `size` characters, writing only as fast as it is read. */
async function startFloodingUpstream(chunks: number, size: number) {
  const progress = { written: 0, done: false };
  const piece = 'x'.repeat(size);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const frame = (delta: Record<string, unknown>, finish: string | null = null) =>
        `data: ${JSON.stringify({
          id: 'chatcmpl-flood',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'flood',
          choices: [{ index: 0, delta, finish_reason: finish }],
        })}\n\n`;
      res.write(frame({ role: 'assistant', content: '' }));
      for (let i = 0; i < chunks; i++) {
        if (res.destroyed) return;
        progress.written++;
        if (!res.write(frame({ content: piece }))) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.write(frame({}, 'stop'));
      res.end('data: [DONE]\n\n');
      progress.done = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    progress,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a client that stops reading', () => {
  // ~24 MB of text: well past what the kernel's socket buffers on both hops hold (~8 MB seen here).
  const CHUNKS = 12_000;
  const SIZE = 2000;
  let upstream: Awaited<ReturnType<typeof startFloodingUpstream>>;
  let gateway: ChildGateway;
  let dir: string;
  beforeAll(async () => {
    upstream = await startFloodingUpstream(CHUNKS, SIZE);
    dir = mkdtempSync(join(tmpdir(), 'rgw-faults-'));
    gateway = await serveChild({
      OPENAI_BASE_URL: upstream.baseUrl,
      OPENAI_API_KEY: 'k',
      RGW_DB: join(dir, 'gateway.db'),
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.kill();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rssMb = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${gateway.child.pid}/status`, 'utf8'))?.[1]) / 1024;

  it.each([false, true])(
    'holds the upstream back instead of buffering (store: %s), then delivers every byte',
    async (store) => {
      upstream.progress.written = 0;
      upstream.progress.done = false;
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpRequest(`${gateway.url}/v1/responses`, {
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
        });
        req.on('response', resolve);
        req.on('error', reject);
        req.end(JSON.stringify({ model: 'flood', input: 'Flood me.', stream: true, store }));
      });
      expect(res.statusCode).toBe(200);
      let bytes = 0;
      let carry = '';
      let completed = false;
      const take = (chunk: Buffer) => {
        bytes += chunk.length;
        // Looked for across chunk boundaries (the events at the end are tens of MB each).
        const text = carry + chunk.toString('latin1', 0, Math.min(chunk.length, 64));
        if (text.includes('event: response.completed\n')) completed = true;
        carry = chunk.toString('latin1', Math.max(0, chunk.length - 32));
        if (!completed && chunk.includes('event: response.completed\n')) completed = true;
      };
      res.once('data', (chunk: Buffer) => {
        take(chunk);
        res.pause();
      });
      let plateau = -1;
      await expect
        .poll(
          () => {
            const now = upstream.progress.written;
            const still = now === plateau;
            plateau = now;
            return still && now > 0;
          },
          { timeout: 15_000, interval: 400 },
        )
        .toBe(true);
      const pausedRss = rssMb();
      // What the upstream could write is what the socket buffers on the way hold, not the stream.
      expect(upstream.progress.done).toBe(false);
      expect(upstream.progress.written).toBeLessThan(CHUNKS * 0.6);
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(upstream.progress.written).toBe(plateau);
      expect(rssMb() - pausedRss).toBeLessThan(30);
      res.on('data', take);
      res.resume();
      await new Promise((resolve) => res.on('end', resolve));
      expect(upstream.progress.done).toBe(true);
      // Every delta, then the four done events and response.completed that each carry the whole text.
      expect(bytes).toBeGreaterThan(CHUNKS * SIZE * 5);
      expect(completed).toBe(true);
    },
    60_000,
  );
});

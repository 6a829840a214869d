/**
 * Stored state survives a restart: a gateway closed and started again on the same SQLite file
 * still serves its responses, chains, conversations and the reasoning seal key it generated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { del, expectError, transcript, upstreamMessages } from './state-helpers.js';
import type { Any } from './stream-helpers.js';

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rgw-restart-'));
  db = join(dir, 'data', 'gateway.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODEL = 'gpt-restart';
const STATELESS = { model: MODEL, store: false, include: ['reasoning.encrypted_content'] };

/** Runs `body` against a gateway on the shared file, then closes it. */
async function withGateway<T>(body: (h: Harness) => Promise<T>): Promise<T> {
  // No RGW_SECRET_KEYS: the gateway generates its seal key and keeps it in the store.
  const h = await startHarness({ env: { RGW_DB: db } });
  try {
    return await body(h);
  } finally {
    await h.close();
  }
}

async function ok(result: Promise<{ status: number; body: Any }>): Promise<Any> {
  const { status, body } = await result;
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

describe('restart on the same SQLite file', () => {
  it('keeps responses, chains, conversations and the generated seal key', async () => {
    const before = await withGateway(async (h) => {
      h.mock.enqueue(
        { kind: 'text', text: 'a1' },
        { kind: 'text', text: 'a2' },
        { kind: 'text', text: 'conv reply' },
        { kind: 'text', text: 'Four.', reasoning: 'Adding.' },
        { kind: 'text', text: 'Stored four.', reasoning: 'Stored adding.' },
      );
      const r1 = await ok(h.post('/v1/responses', { model: MODEL, input: 'q1', metadata: { n: '0' } }));
      const r2 = await ok(
        h.post('/v1/responses', { model: MODEL, input: 'q2', previous_response_id: r1.id }),
      );
      const conversation = await ok(
        h.post('/v1/conversations', {
          items: [{ role: 'user', content: 'conv seed' }],
          metadata: { topic: 'restart' },
        }),
      );
      await ok(h.post('/v1/responses', { model: MODEL, input: 'conv q', conversation: conversation.id }));
      const stateless = await ok(h.post('/v1/responses', { ...STATELESS, input: 'What is 2+2?' }));
      expect(stateless.output[0].encrypted_content).toMatch(/^rgw1\./);
      const sealedStored = await ok(
        h.post('/v1/responses', {
          model: MODEL,
          include: ['reasoning.encrypted_content'],
          input: 'Stored 2+2?',
        }),
      );
      const items = (await h.get(`/v1/conversations/${conversation.id}/items?order=asc`)).body;
      return { r1, r2, conversation, items, stateless, sealedStored };
    });

    const third = await withGateway(async (h) => {
      expect((await h.get('/readyz')).status).toBe(200);
      expect(await ok(h.get(`/v1/responses/${before.r1.id}`))).toEqual(before.r1);
      expect(await ok(h.get(`/v1/responses/${before.r2.id}`))).toEqual(before.r2);
      const inputItems = await ok(h.get(`/v1/responses/${before.r2.id}/input_items`));
      expect(inputItems.data.map((item: Any) => item.content[0].text)).toEqual(['q2']);

      // A continuation after the restart sees the earlier turns.
      h.mock.enqueue({ kind: 'text', text: 'a3' });
      const r3 = await ok(
        h.post('/v1/responses', { model: MODEL, input: 'q3', previous_response_id: before.r2.id }),
      );
      expect(transcript(upstreamMessages(h))).toEqual([
        'user: q1',
        'assistant: a1',
        'user: q2',
        'assistant: a2',
        'user: q3',
      ]);

      // The conversation and its items, and a new turn on it.
      expect(await ok(h.get(`/v1/conversations/${before.conversation.id}`))).toEqual(before.conversation);
      expect((await h.get(`/v1/conversations/${before.conversation.id}/items?order=asc`)).body).toEqual(
        before.items,
      );
      await ok(
        h.post('/v1/responses', { model: MODEL, input: 'conv q2', conversation: before.conversation.id }),
      );
      expect(transcript(upstreamMessages(h))).toEqual([
        'user: conv seed',
        'user: conv q',
        'assistant: conv reply',
        'user: conv q2',
      ]);

      // Reasoning sealed before the restart still opens: stateless replay and a stored chain.
      await ok(
        h.post('/v1/responses', {
          ...STATELESS,
          input: [
            { role: 'user', content: 'What is 2+2?' },
            ...before.stateless.output,
            { role: 'user', content: 'Sure?' },
          ],
        }),
      );
      expect(transcript(upstreamMessages(h))).toEqual([
        'user: What is 2+2?',
        'assistant: Four.',
        'user: Sure?',
      ]);
      await ok(
        h.post('/v1/responses', {
          model: MODEL,
          input: 'Sure?',
          previous_response_id: before.sealedStored.id,
        }),
      );
      expect(transcript(upstreamMessages(h))).toEqual([
        'user: Stored 2+2?',
        'assistant: Stored four.',
        'user: Sure?',
      ]);

      // Changes made now survive the next restart too.
      expect((await del(h, `/v1/responses/${before.r1.id}`)).status).toBe(200);
      return r3;
    });

    await withGateway(async (h) => {
      expectError(await h.get(`/v1/responses/${before.r1.id}`), 404);
      h.mock.enqueue({ kind: 'text', text: 'a4' });
      await ok(h.post('/v1/responses', { model: MODEL, input: 'q4', previous_response_id: third.id }));
      // The deleted first turn is skipped; the rest of the chain is intact.
      expect(transcript(upstreamMessages(h))).toEqual([
        'user: q2',
        'assistant: a2',
        'user: q3',
        'assistant: a3',
        'user: q4',
      ]);
      const items = (await h.get(`/v1/conversations/${before.conversation.id}/items?order=asc`)).body.data;
      expect(items).toHaveLength(5);
    });
  });
});

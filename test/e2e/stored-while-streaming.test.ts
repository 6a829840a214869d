/**
 * A stored response is readable while it streams: GET /v1/responses/{id} answers it `in_progress`
 * (with its input items) from the first event on, then in its final state; a follower on another
 * connection gets its events. Responses with store:false stay unknown.
 */
import { describe, expect, it } from 'vitest';
import { TEST_KEY, useHarness } from '../helpers/gateway-harness.js';
import { readStream } from './event-stream.js';
import type { Any } from './stream-helpers.js';

const CHUNKS = Array.from({ length: 12 }, (_, i) => `w${i} `);
const harness = useHarness({ kind: 'text', text: CHUNKS.join(''), chunks: CHUNKS, delayMs: 25 });

const BODY = { model: 'gpt-live', input: 'Stream slowly.', stream: true };

/** Starts a streaming create; `during` runs once the first text delta arrived, with the id. */
async function streamWith(
  body: Record<string, unknown>,
  during: (id: string) => Promise<void>,
): Promise<{ events: Any[]; checked: Promise<void> }> {
  let checked: Promise<void> = Promise.resolve();
  let id: string | undefined;
  const { events, status } = await readStream(`${harness.baseURL}/responses`, {
    method: 'POST',
    body,
    key: TEST_KEY,
    onEvent: (event) => {
      if (event.type === 'response.created') id = event.response.id;
      if (event.type === 'response.output_text.delta' && event.delta === 'w0 ') checked = during(id!);
    },
  });
  expect(status).toBe(200);
  return { events, checked };
}

describe('a stored response while it streams', () => {
  it('is answered in_progress, with its input items, then in its final state', async () => {
    let during: Any;
    let inputItems: Any;
    const { events, checked } = await streamWith(BODY, async (id) => {
      during = await harness.get(`/v1/responses/${id}`);
      inputItems = await harness.get(`/v1/responses/${id}/input_items`);
    });
    await checked;
    const created = events[0].response;
    expect(during.status).toBe(200);
    expect(during.body).toEqual({ ...created, status: 'in_progress' });
    expect(during.body.output).toEqual([]);
    expect(inputItems.status).toBe(200);
    expect(inputItems.body.data).toEqual([
      expect.objectContaining({
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'Stream slowly.' }],
      }),
    ]);

    const completed = events.at(-1);
    expect(completed.type).toBe('response.completed');
    const after = await harness.get(`/v1/responses/${created.id}`);
    expect(after.body).toEqual(completed.response);
    expect(after.body.output_text).toBe(CHUNKS.join(''));
  });

  it('can be followed from another connection until it ends', async () => {
    let follower: Promise<Awaited<ReturnType<typeof readStream>>> | undefined;
    const { events, checked } = await streamWith(BODY, async (id) => {
      follower = readStream(`${harness.baseURL}/responses/${id}?stream=true`, { key: TEST_KEY });
    });
    await checked;
    const followed = await follower!;
    expect(followed.status).toBe(200);
    expect(followed.events.map((e) => e.sequence_number)).toEqual(events.map((e) => e.sequence_number));
    expect(followed.events.at(-1)).toEqual(events.at(-1));
  });

  it('is appended to its conversation once, at the end', async () => {
    const conversation = (await harness.post('/v1/conversations', {})).body;
    const { checked } = await streamWith({ ...BODY, conversation: conversation.id }, async () => {
      const items = await harness.get(`/v1/conversations/${conversation.id}/items`);
      expect(items.body.data).toEqual([]);
    });
    await checked;
    const items = (await harness.get(`/v1/conversations/${conversation.id}/items?order=asc`)).body.data;
    expect(items.map((item: Any) => item.role)).toEqual(['user', 'assistant']);
  });

  it('stays unknown with store:false', async () => {
    let during: Any;
    const { events, checked } = await streamWith({ ...BODY, store: false }, async (id) => {
      during = await harness.get(`/v1/responses/${id}`);
    });
    await checked;
    expect(during.status).toBe(404);
    expect((await harness.get(`/v1/responses/${events[0].response.id}`)).status).toBe(404);
  });
});

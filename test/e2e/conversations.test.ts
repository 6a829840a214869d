/**
 * The Conversations API through the `openai` SDK and raw HTTP, and `conversation` on
 * responses.create: items prepended for the upstream, input and output appended in order.
 */
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import {
  del,
  expectError,
  finalResponse,
  streamEvents,
  transcript,
  upstreamMessages,
} from './state-helpers.js';
import type { Any } from './stream-helpers.js';

let client: OpenAI;

const harness = useHarness({ kind: 'text', text: 'Default reply.' });
beforeAll(() => {
  client = sdkClient(harness);
});

const MODEL = 'gpt-conv';
const UNKNOWN = 'conv_0123456789abcdef0123456789abcdef0123456789abcdef';

const user = (text: string) => ({ type: 'message' as const, role: 'user' as const, content: text });
const textOf = (item: Any): string =>
  item.type === 'message' ? item.content.map((part: Any) => part.text ?? part.refusal).join('') : item.type;

/** Every item of a conversation, oldest first, via raw HTTP. */
async function allItems(id: string): Promise<Any[]> {
  const { status, body } = await harness.get(`/v1/conversations/${id}/items?order=asc&limit=100`);
  expect(status).toBe(200);
  return body.data;
}

describe('conversation objects (SDK)', () => {
  it('creates, retrieves, updates and deletes', async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await client.conversations.create({
      items: [user('Hello'), { type: 'message', role: 'assistant', content: 'Hi!' }],
      metadata: { topic: 'demo', empty: '' },
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^conv_[0-9a-f]{48}$/),
      object: 'conversation',
      created_at: expect.any(Number),
      metadata: { topic: 'demo', empty: '' },
    });
    expect(created.created_at).toBeGreaterThanOrEqual(before);
    expect(await client.conversations.retrieve(created.id)).toEqual(created);

    const updated = await client.conversations.update(created.id, { metadata: { topic: 'changed' } });
    expect(updated).toEqual({ ...created, metadata: { topic: 'changed' } });
    expect(await client.conversations.retrieve(created.id)).toEqual(updated);

    const deleted = await client.conversations.delete(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'conversation.deleted', deleted: true });
    await expect(client.conversations.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.conversations.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.conversations.items.list(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('creates an empty conversation without a body', async () => {
    const created = await client.conversations.create();
    expect(created.metadata).toEqual({});
    const page = await client.conversations.items.list(created.id);
    expect(page.data).toEqual([]);
    expect(page.has_more).toBe(false);
    const nulls = await harness.post('/v1/conversations', { items: null, metadata: null });
    expect(nulls.status).toBe(200);
    expect(nulls.body.metadata).toEqual({});
  });

  it('clears metadata with an update to null (the SDK types allow it)', async () => {
    const created = await client.conversations.create({ metadata: { a: '1' } });
    const updated = await client.conversations.update(created.id, { metadata: null });
    expect(updated.metadata).toEqual({});
  });
});

describe('conversation items (SDK)', () => {
  it('adds, lists, retrieves and deletes items', async () => {
    const conversation = await client.conversations.create({ items: [user('first')] });
    const added = await client.conversations.items.create(conversation.id, {
      items: [user('second'), { type: 'message', role: 'assistant', content: 'third' }],
    });
    expect(added).toEqual({
      object: 'list',
      data: [
        {
          id: expect.stringMatching(/^msg_/),
          type: 'message',
          status: 'completed',
          role: 'user',
          content: [{ type: 'input_text', text: 'second' }],
        },
        {
          id: expect.stringMatching(/^msg_/),
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'third' }],
        },
      ],
      first_id: added.data[0]!.id,
      last_id: added.data[1]!.id,
      has_more: false,
    });

    // Newest first by default.
    const page = await client.conversations.items.list(conversation.id);
    expect(page.data.map(textOf)).toEqual(['third', 'second', 'first']);
    const ascending: string[] = [];
    for await (const item of client.conversations.items.list(conversation.id, { order: 'asc', limit: 2 })) {
      ascending.push(textOf(item));
    }
    expect(ascending).toEqual(['first', 'second', 'third']);

    const second = added.data[0]!;
    const secondId = second.id!;
    expect(await client.conversations.items.retrieve(secondId, { conversation_id: conversation.id })).toEqual(
      second,
    );
    const afterDelete = await client.conversations.items.delete(secondId, {
      conversation_id: conversation.id,
    });
    expect(afterDelete).toEqual(conversation);
    await expect(
      client.conversations.items.retrieve(secondId, { conversation_id: conversation.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await allItems(conversation.id)).map(textOf)).toEqual(['first', 'third']);
  });

  it('resolves item references when adding items', async () => {
    const source = await client.conversations.create({ items: [user('shared')] });
    const [item] = await allItems(source.id);
    const target = await client.conversations.create({ items: [{ type: 'item_reference', id: item.id }] });
    expect(await allItems(target.id)).toEqual([item]);
    expectError(
      await harness.post(`/v1/conversations/${target.id}/items`, {
        items: [{ type: 'item_reference', id: 'msg_unknown' }],
      }),
      400,
      { param: 'items[0].id' },
    );
  });

  it('refuses an item that is already in the conversation with a 400, not a crash', async () => {
    const conversation = await client.conversations.create({ items: [user('only once')] });
    const [item] = await allItems(conversation.id);
    const again = await harness.post(`/v1/conversations/${conversation.id}/items`, { items: [item] });
    expectError(again, 400, { param: 'items' });
    expect(again.body.error.message).toContain(item.id);
    const twice = await harness.post(`/v1/conversations/${conversation.id}/items`, {
      items: [
        { ...user('a'), id: 'msg_twice' },
        { ...user('b'), id: 'msg_twice' },
      ],
    });
    expectError(twice, 400, { param: 'items' });
    expect((await allItems(conversation.id)).map(textOf)).toEqual(['only once']);
  });
});

describe('limits and errors (HTTP)', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => user(`item ${i}`));

  it('accepts 20 items and refuses 21 on create and on items.create', async () => {
    const ok = await harness.post('/v1/conversations', { items: items(20) });
    expect(ok.status).toBe(200);
    expect(await allItems(ok.body.id)).toHaveLength(20);
    expectError(await harness.post('/v1/conversations', { items: items(21) }), 400, {
      param: 'items',
      code: 'array_above_max_length',
    });
    const add = await harness.post(`/v1/conversations/${ok.body.id}/items`, { items: items(21) });
    expectError(add, 400, { param: 'items', code: 'array_above_max_length' });
    expect(await allItems(ok.body.id)).toHaveLength(20);
    expectError(await harness.post(`/v1/conversations/${ok.body.id}/items`, {}), 400, {
      param: 'items',
      code: 'missing_required_parameter',
    });
  });

  it('enforces metadata limits on create and update', async () => {
    const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect((await harness.post('/v1/conversations', { metadata: pairs(16) })).status).toBe(200);
    expectError(await harness.post('/v1/conversations', { metadata: pairs(17) }), 400, {
      param: 'metadata',
      code: 'object_above_max_size',
    });
    expectError(await harness.post('/v1/conversations', { metadata: { ['k'.repeat(65)]: 'v' } }), 400, {
      param: 'metadata',
      code: 'string_above_max_length',
    });
    const longValue = await harness.post('/v1/conversations', { metadata: { k: 'v'.repeat(513) } });
    expectError(longValue, 400, { param: 'metadata.k', code: 'string_above_max_length' });
    expectError(await harness.post('/v1/conversations', { metadata: { k: 1 } }), 400, {
      param: 'metadata.k',
      code: 'invalid_type',
    });

    const conversation = (await harness.post('/v1/conversations', {})).body;
    expectError(await harness.post(`/v1/conversations/${conversation.id}`, { metadata: pairs(17) }), 400, {
      param: 'metadata',
    });
    expectError(await harness.post(`/v1/conversations/${conversation.id}`, {}), 400, {
      param: 'metadata',
      code: 'missing_required_parameter',
    });
    expectError(await harness.post('/v1/conversations', { unknown: 1 }), 400, {
      param: 'unknown',
      code: 'unknown_parameter',
    });
  });

  it('answers 404 with the envelope for unknown conversations and items', async () => {
    expectError(await harness.get(`/v1/conversations/${UNKNOWN}`), 404);
    expectError(await harness.post(`/v1/conversations/${UNKNOWN}`, { metadata: {} }), 404);
    expectError(await del(harness, `/v1/conversations/${UNKNOWN}`), 404);
    expectError(await harness.get(`/v1/conversations/${UNKNOWN}/items`), 404);
    expectError(await harness.post(`/v1/conversations/${UNKNOWN}/items`, { items: [user('x')] }), 404);
    expectError(await harness.get(`/v1/conversations/${UNKNOWN}/items/msg_x`), 404);
    expectError(await del(harness, `/v1/conversations/${UNKNOWN}/items/msg_x`), 404);
    const conversation = (await harness.post('/v1/conversations', {})).body;
    const missingItem = await harness.get(`/v1/conversations/${conversation.id}/items/msg_missing`);
    expectError(missingItem, 404);
    expect(missingItem.body.error.message).toContain('msg_missing');
    expectError(await del(harness, `/v1/conversations/${conversation.id}/items/msg_missing`), 404);
  });
});

describe('responses.create with a conversation', () => {
  async function seeded(): Promise<string> {
    const conversation = await client.conversations.create({
      items: [user('My name is Ada.'), { type: 'message', role: 'assistant', content: 'Hello Ada.' }],
    });
    return conversation.id;
  }

  it.each([
    ['id string', false],
    ['{id} object', false],
    ['id string', true],
    ['{id} object', true],
  ] as const)('prepends the items and appends input then output (%s, stream: %s)', async (form, stream) => {
    const id = await seeded();
    const conversation = form === 'id string' ? id : { id };
    harness.mock.enqueue({ kind: 'text', text: 'Your name is Ada.' });
    const body = {
      model: MODEL,
      conversation,
      instructions: 'Be kind.',
      input: [user('What is my name?'), user('Answer briefly.')],
    };
    const response = stream
      ? finalResponse(await streamEvents(harness, body))
      : (await harness.post('/v1/responses', body)).body;
    expect(response.status).toBe('completed');
    expect(response.conversation).toEqual({ id });
    expect(transcript(upstreamMessages(harness))).toEqual([
      'system: Be kind.',
      'user: My name is Ada.',
      'assistant: Hello Ada.',
      'user: What is my name?',
      'user: Answer briefly.',
    ]);
    const items = await allItems(id);
    expect(items.map(textOf)).toEqual([
      'My name is Ada.',
      'Hello Ada.',
      'What is my name?',
      'Answer briefly.',
      'Your name is Ada.',
    ]);
    // The appended output is the response's own output item, same id.
    expect(items[4]).toEqual(response.output[0]);
    expect((await harness.get(`/v1/responses/${response.id}`)).body.conversation).toEqual({ id });

    // The next turn sees everything, and instructions were not stored as items.
    harness.mock.enqueue({ kind: 'text', text: 'Goodbye.' });
    await client.responses.create({ model: MODEL, conversation: id, input: 'Bye.' });
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: My name is Ada.',
      'assistant: Hello Ada.',
      'user: What is my name?',
      'user: Answer briefly.',
      'assistant: Your name is Ada.',
      'user: Bye.',
    ]);
    expect((await allItems(id)).map(textOf).slice(-2)).toEqual(['Bye.', 'Goodbye.']);
  });

  it('appends tool calls and their outputs across turns', async () => {
    const id = await seeded();
    harness.mock.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [{ id: 'call_c1', name: 'lookup', arguments: '{}' }],
    });
    const tools = [{ type: 'function' as const, name: 'lookup', parameters: null, strict: false }];
    await client.responses.create({ model: MODEL, conversation: id, input: 'Look it up.', tools });
    harness.mock.enqueue({ kind: 'text', text: 'Found it.' });
    await client.responses.create({
      model: MODEL,
      conversation: id,
      tools,
      input: [{ type: 'function_call_output', call_id: 'call_c1', output: 'result' }],
    });
    expect(transcript(upstreamMessages(harness)).slice(2)).toEqual([
      'user: Look it up.',
      'assistant:  call lookup#call_c1',
      'tool(call_c1): result',
    ]);
    expect((await allItems(id)).map(textOf).slice(2)).toEqual([
      'Look it up.',
      'function_call',
      'function_call_output',
      'Found it.',
    ]);
  });

  it('appends nothing when the response fails', async () => {
    const id = await seeded();
    harness.mock.enqueue({ kind: 'stream-error', afterText: 'Part', error: { message: 'boom' } });
    const events = await streamEvents(harness, { model: MODEL, conversation: id, input: 'Try.' });
    expect(finalResponse(events).status).toBe('failed');
    expect(await allItems(id)).toHaveLength(2);
  });

  it('appends each of two concurrent responses contiguously', async () => {
    const id = await seeded();
    harness.mock.defaultReply = (body: Any) => {
      const last = body.messages.at(-1).content as string;
      return {
        kind: 'text',
        text: `reply to ${last.split(' ')[0]}`,
        delayMs: last.startsWith('A') ? 60 : 5,
      };
    };
    const request = (tag: string, stream: boolean) => {
      const body = { model: MODEL, conversation: id, input: [user(`${tag} one`), user(`${tag} two`)] };
      return stream
        ? streamEvents(harness, body).then(finalResponse)
        : harness.post('/v1/responses', body).then((r) => r.body);
    };
    const [a, b] = await Promise.all([request('A', true), request('B', false)]);
    expect(a.status).toBe('completed');
    expect(b.status).toBe('completed');
    // Both started from the same two seeded items.
    for (const request of harness.mock.requests) expect(request.body.messages).toHaveLength(4);
    const texts = (await allItems(id)).map(textOf).slice(2);
    const aItems = ['A one', 'A two', 'reply to A'];
    const bItems = ['B one', 'B two', 'reply to B'];
    expect([
      [...aItems, ...bItems],
      [...bItems, ...aItems],
    ]).toContainEqual(texts);
    // B (the shorter delay) finished first, so it was appended first.
    expect(texts).toEqual([...bItems, ...aItems]);
  });

  it('still stores a response whose conversation was deleted while it ran', async () => {
    const id = await seeded();
    harness.mock.enqueue({ kind: 'text', text: 'Too late.', delayMs: 20 });
    let deleted: { status: number } | undefined;
    const events = await streamEvents(
      harness,
      { model: MODEL, conversation: id, input: 'Hi' },
      async (event) => {
        if (event.type === 'response.output_text.delta' && deleted === undefined) {
          deleted = await del(harness, `/v1/conversations/${id}`);
        }
      },
    );
    expect(deleted?.status).toBe(200);
    const response = finalResponse(events);
    expect(response.status).toBe('completed');
    const stored = await harness.get(`/v1/responses/${response.id}`);
    expect(stored.status).toBe(200);
    expect(stored.body.output_text).toBe('Too late.');
    expectError(await harness.get(`/v1/conversations/${id}`), 404);
  });

  it('refuses conversation together with previous_response_id', async () => {
    const id = await seeded();
    const previous = (await harness.post('/v1/responses', { model: MODEL, input: 'x' })).body;
    const result = await harness.post('/v1/responses', {
      model: MODEL,
      input: 'y',
      conversation: id,
      previous_response_id: previous.id,
    });
    expectError(result, 400, { code: 'mutually_exclusive_parameters' });
    expect(harness.mock.requests).toHaveLength(1);
    expect(await allItems(id)).toHaveLength(2);
  });

  it('answers 404 for an unknown conversation without calling upstream', async () => {
    const result = await harness.post('/v1/responses', { model: MODEL, input: 'x', conversation: UNKNOWN });
    expectError(result, 404, { param: 'conversation' });
    expect(result.body.error.message).toContain(UNKNOWN);
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('refuses input that repeats an item already in the conversation, storing nothing', async () => {
    const id = await seeded();
    const [first] = await allItems(id);
    const result = await harness.post('/v1/responses', {
      model: MODEL,
      conversation: id,
      input: [{ type: 'item_reference', id: first.id }, user('again')],
    });
    expectError(result, 400, { param: 'input' });
    expect(result.body.error.message).toBe(
      `Duplicate item found with id ${first.id}. Remove duplicate items from your input and try again.`,
    );
    expect(harness.mock.requests).toHaveLength(0);
    expect(await allItems(id)).toHaveLength(2);
  });

  it('deleting a conversation deletes its items', async () => {
    const id = await seeded();
    const [first] = await allItems(id);
    expect((await del(harness, `/v1/conversations/${id}`)).body).toEqual({
      id,
      object: 'conversation.deleted',
      deleted: true,
    });
    expectError(
      await harness.post('/v1/responses', {
        model: MODEL,
        input: [{ type: 'item_reference', id: first.id }],
      }),
      400,
    );
  });
});

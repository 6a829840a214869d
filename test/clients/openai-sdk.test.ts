/**
 * The official `openai` SDK, pointed at the gateway with only a base URL and a key: one smoke test
 * per resource the gateway serves (the detailed behaviour is covered in test/e2e).
 */
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import type { ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import { toolThenText } from './scripted-replies.js';

let client: OpenAI;

const harness = useHarness(
  { kind: 'text', text: 'Hello from the mock upstream.' },
  { config: { background: { workers: 2, cancelPollMs: 20 } } },
);
beforeAll(() => {
  client = sdkClient(harness);
});

const MODEL = 'gpt-client';
const TERMINAL = new Set(['completed', 'incomplete', 'failed', 'cancelled']);

describe('responses', () => {
  it('create, retrieve, inputItems.list, delete', async () => {
    const created = await client.responses.create({ model: MODEL, input: 'Hi', metadata: { k: 'v' } });
    expect(created.status).toBe('completed');
    expect(created.output_text).toBe('Hello from the mock upstream.');

    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved.id).toBe(created.id);
    expect(retrieved.output_text).toBe('Hello from the mock upstream.');
    expect(retrieved.metadata).toEqual({ k: 'v' });

    const items = await client.responses.inputItems.list(created.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: 'message', role: 'user' });

    // Typed `void` by the SDK; the gateway answers like OpenAI: {id, object, deleted}.
    await expect(client.responses.delete(created.id)).resolves.toMatchObject({ deleted: true });
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('create with stream: true and the responses.stream helper', async () => {
    harness.mock.defaultReply = { kind: 'text', text: 'Hello world', chunks: ['Hello', ' world'] };
    const raw = await client.responses.create({ model: MODEL, input: 'Hi', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of raw) events.push(event);
    expect(events[0]?.type).toBe('response.created');
    expect(events.at(-1)?.type).toBe('response.completed');

    const helper = client.responses.stream({ model: MODEL, input: 'Hi' });
    const deltas: string[] = [];
    helper.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await helper.finalResponse();
    expect(deltas.join('')).toBe('Hello world');
    expect(final.output_text).toBe('Hello world');
  });

  it('function tools: a call, then the answer with previous_response_id', async () => {
    harness.mock.defaultReply = toolThenText('get_time', '{"zone":"UTC"}', 'It is noon.');
    const tools = [
      {
        type: 'function' as const,
        name: 'get_time',
        parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
        strict: false,
      },
    ];
    const first = await client.responses.create({ model: MODEL, input: 'Time?', tools });
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(call.name).toBe('get_time');
    const second = await client.responses.create({
      model: MODEL,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '12:00' }],
      tools,
    });
    expect(second.output_text).toBe('It is noon.');
  });

  it('reasoning: reasoning items, sealed for stateless replay when included', async () => {
    harness.mock.defaultReply = { kind: 'text', text: 'Four.', reasoning: 'Two plus two.' };
    const first = await client.responses.create({
      model: MODEL,
      input: '2+2?',
      reasoning: { effort: 'low' },
      store: false,
      include: ['reasoning.encrypted_content'],
    });
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = first.output[0]!;
    if (reasoning.type !== 'reasoning') throw new Error('no reasoning');
    expect(reasoning.content).toEqual([{ type: 'reasoning_text', text: 'Two plus two.' }]);
    expect(reasoning.encrypted_content).toEqual(expect.any(String));
    expect(first.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    const second = await client.responses.create({
      model: MODEL,
      store: false,
      input: [
        { role: 'user', content: '2+2?' },
        ...(first.output as ResponseInputItem[]),
        { role: 'user', content: 'Sure?' },
      ],
    });
    expect(second.output_text).toBe('Four.');
  });

  it('structured output: responses.parse with a zod text format', async () => {
    harness.mock.defaultReply = { kind: 'text', text: '{"city":"Paris","temp_c":21}' };
    const parsed = await client.responses.parse({
      model: MODEL,
      input: 'Weather?',
      text: { format: zodTextFormat(z.object({ city: z.string(), temp_c: z.number() }), 'weather') },
    });
    expect(parsed.output_parsed).toEqual({ city: 'Paris', temp_c: 21 });
    expect(harness.mock.requests[0]!.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'weather', strict: true },
    });
  });

  it('background: create, poll to completion; cancel a running one', async () => {
    const queued = await client.responses.create({ model: MODEL, input: 'Hi', background: true });
    expect(['queued', 'in_progress']).toContain(queued.status);
    let done = queued;
    await expect
      .poll(
        async () => {
          done = await client.responses.retrieve(queued.id);
          return TERMINAL.has(done.status ?? '');
        },
        { timeout: 5_000, interval: 20 },
      )
      .toBe(true);
    expect(done.status).toBe('completed');
    expect(done.output_text).toBe('Hello from the mock upstream.');

    harness.mock.defaultReply = {
      kind: 'text',
      text: 'slow '.repeat(50),
      chunks: Array(50).fill('slow '),
      delayMs: 100,
    };
    const running = await client.responses.create({ model: MODEL, input: 'Hi', background: true });
    const cancelled = await client.responses.cancel(running.id);
    expect(cancelled.status).toBe('cancelled');
  });

  it('inputTokens.count', async () => {
    const count = await client.responses.inputTokens.count({ model: 'gpt-4o', input: 'Hello world' });
    expect(count.object).toBe('response.input_tokens');
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('compact', async () => {
    harness.mock.defaultReply = { kind: 'text', text: 'A summary.' };
    const compacted = await client.responses.compact({
      model: MODEL,
      input: [
        { role: 'user', content: 'I like cats.' },
        { role: 'assistant', content: 'Meow.' },
      ],
    });
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.output.at(-1)?.type).toBe('compaction');
  });
});

describe('conversations', () => {
  it('create, retrieve, update, items create/list/retrieve/delete, use in a response, delete', async () => {
    const conversation = await client.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'My name is Ada.' }],
      metadata: { topic: 'names' },
    });
    expect(conversation.id).toMatch(/^conv_/);
    expect((await client.conversations.retrieve(conversation.id)).metadata).toEqual({ topic: 'names' });
    const updated = await client.conversations.update(conversation.id, { metadata: { topic: 'x' } });
    expect(updated.metadata).toEqual({ topic: 'x' });

    const added = await client.conversations.items.create(conversation.id, {
      items: [{ type: 'message', role: 'assistant', content: 'Hello Ada.' }],
    });
    expect(added.data).toHaveLength(1);
    const itemId = added.data[0]!.id!;
    const item = await client.conversations.items.retrieve(itemId, { conversation_id: conversation.id });
    expect(item).toMatchObject({ type: 'message', role: 'assistant' });

    const response = await client.responses.create({
      model: MODEL,
      conversation: conversation.id,
      input: 'What is my name?',
    });
    expect(response.conversation?.id).toBe(conversation.id);
    const upstream = harness.mock.requests.at(-1)!.body.messages.map((m: { content: unknown }) => m.content);
    expect(upstream).toEqual(expect.arrayContaining(['My name is Ada.', 'Hello Ada.', 'What is my name?']));

    const listed = await client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(listed.data.map((i) => i.type)).toEqual(['message', 'message', 'message', 'message']);

    await client.conversations.items.delete(itemId, { conversation_id: conversation.id });
    const after = await client.conversations.items.list(conversation.id);
    expect(after.data).toHaveLength(3);

    const deleted = await client.conversations.delete(conversation.id);
    expect(deleted.deleted).toBe(true);
  });
});

/**
 * Stored responses through HTTP and the `openai` SDK: retrieve, delete, input_items, and
 * `previous_response_id` chains (long chains, forks, deleted turns, tool round trips), item
 * references, and tenant isolation between managed API keys (`rgw keys create --tenant`).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/cli/keys.js';
import { type Harness, startHarness, useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
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

const MODEL = 'gpt-state';

/** Non-streaming create over HTTP that must succeed. */
async function create(body: Record<string, unknown>): Promise<Any> {
  const result = await harness.post('/v1/responses', { model: MODEL, ...body });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

/** One turn, streaming or not, with a scripted reply; returns the final Response. */
async function turn(stream: boolean, body: Record<string, unknown>, reply?: string): Promise<Any> {
  if (reply !== undefined) harness.mock.enqueue({ kind: 'text', text: reply });
  if (!stream) return create(body);
  return finalResponse(await streamEvents(harness, { model: MODEL, ...body }));
}

const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('retrieving a stored response', () => {
  it('is readable over HTTP and the SDK as soon as a non-streaming create returns', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'Stored answer.' });
    const created = await create({ input: 'Store this.', metadata: { k: 'v' } });
    expect(created.status).toBe('completed');
    expect(created.store).toBe(true);

    const got = await harness.get(`/v1/responses/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved.id).toBe(created.id);
    expect(retrieved.output_text).toBe('Stored answer.');
    expect(JSON.parse(JSON.stringify(retrieved))).toEqual(created);
  });

  it('is readable by the time response.completed arrives on a raw stream', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'Streamed and stored.', delayMs: 5 });
    let readAtCompleted: { status: number; body: Any } | undefined;
    const events = await streamEvents(harness, { model: MODEL, input: 'Stream it.' }, async (event) => {
      if (event.type === 'response.completed') {
        readAtCompleted = await harness.get(`/v1/responses/${event.response.id}`);
      }
    });
    expect(readAtCompleted?.status).toBe(200);
    expect(readAtCompleted?.body).toEqual(finalResponse(events));
    expect(readAtCompleted?.body.output_text).toBe('Streamed and stored.');
  });

  it.each([
    ['response.incomplete', { kind: 'text', text: 'Cut', finishReason: 'length' }],
    ['response.failed', { kind: 'stream-error', afterText: 'Part', error: { message: 'upstream broke' } }],
  ] as const)('is readable when %s arrives', async (terminal, reply) => {
    harness.mock.enqueue(reply as MockReply);
    let read: { status: number; body: Any } | undefined;
    const events = await streamEvents(harness, { model: MODEL, input: 'x' }, async (event) => {
      if (event.type === terminal) read = await harness.get(`/v1/responses/${event.response.id}`);
    });
    expect(events.at(-1).type).toBe(terminal);
    expect(read?.status).toBe(200);
    expect(read?.body).toEqual(finalResponse(events));
  });

  it('is readable through the SDK from inside an SDK stream loop at response.completed', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'SDK streamed.' });
    const stream = await client.responses.create({ model: MODEL, input: 'Go', stream: true });
    let retrieved: OpenAI.Responses.Response | undefined;
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === 'response.completed') {
        completed = event.response;
        retrieved = await client.responses.retrieve(event.response.id);
      }
    }
    expect(retrieved?.status).toBe('completed');
    expect(retrieved).toEqual(completed);
  });

  it('answers 404 with the OpenAI envelope for an unknown id', async () => {
    const result = await harness.get('/v1/responses/resp_0123456789abcdef0123456789abcdef0123456789abcdef');
    expectError(result, 404, { param: null, code: null });
    expect(result.body.error.message).toContain('resp_0123456789abcdef');
    await expect(client.responses.retrieve('resp_missing')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('does not store a response created with store:false', async () => {
    const created = await create({ input: 'Ephemeral', store: false });
    expect(created.store).toBe(false);
    expectError(await harness.get(`/v1/responses/${created.id}`), 404);
    expectError(await harness.get(`/v1/responses/${created.id}/input_items`), 404);
    expectError(await del(harness, `/v1/responses/${created.id}`), 404);
    // It cannot be continued either.
    expectError(
      await harness.post('/v1/responses', { model: MODEL, input: 'More', previous_response_id: created.id }),
      400,
      { param: 'previous_response_id', code: 'previous_response_not_found' },
    );
  });
});

describe('deleting a stored response', () => {
  it('answers {id, object, deleted} and then 404 everywhere', async () => {
    const created = await create({ input: 'Delete me' });
    const deleted = await del(harness, `/v1/responses/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: created.id, object: 'response', deleted: true });
    expectError(await harness.get(`/v1/responses/${created.id}`), 404);
    expectError(await harness.get(`/v1/responses/${created.id}/input_items`), 404);
    expectError(await del(harness, `/v1/responses/${created.id}`), 404);
  });

  it('deletes through the SDK', async () => {
    const created = await create({ input: 'Delete me too' });
    await client.responses.delete(created.id);
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('input_items', () => {
  it('lists a string input as one user message item', async () => {
    const created = await create({ input: 'Just text', instructions: 'Not an item.' });
    const { status, body } = await harness.get(`/v1/responses/${created.id}/input_items`);
    expect(status).toBe(200);
    expect(body).toEqual({
      object: 'list',
      data: [
        {
          id: expect.stringMatching(/^msg_[0-9a-f]{48}$/),
          type: 'message',
          status: 'completed',
          role: 'user',
          content: [{ type: 'input_text', text: 'Just text' }],
        },
      ],
      first_id: body.data[0].id,
      last_id: body.data[0].id,
      has_more: false,
    });
  });

  it('lists item inputs newest first by default and pages with limit, after, before and order', async () => {
    const input = Array.from({ length: 5 }, (_, i) => ({ role: 'user', content: `m${i}` }));
    const created = await create({ input });
    const path = `/v1/responses/${created.id}/input_items`;
    const all = (await harness.get(path)).body;
    const text = (item: Any) => item.content[0].text;
    expect(all.data.map(text)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
    const ids: string[] = [...all.data].reverse().map((item: Any) => item.id);
    // Messages given as strings come back as input_text content parts with ids.
    expect(all.data[0]).toEqual({
      id: ids[4],
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_text', text: 'm4' }],
    });

    const first = (await harness.get(`${path}?limit=2&order=asc`)).body;
    expect(first).toMatchObject({ object: 'list', first_id: ids[0], last_id: ids[1], has_more: true });
    const second = (await harness.get(`${path}?limit=2&order=asc&after=${first.last_id}`)).body;
    expect(second.data.map(text)).toEqual(['m2', 'm3']);
    expect(second.has_more).toBe(true);
    const last = (await harness.get(`${path}?limit=2&order=asc&after=${second.last_id}`)).body;
    expect(last.data.map(text)).toEqual(['m4']);
    expect(last.has_more).toBe(false);
    const before = (await harness.get(`${path}?order=desc&before=${ids[2]}`)).body;
    expect(before.data.map(text)).toEqual(['m4', 'm3']);
  });

  it('returns 20 items by default', async () => {
    const input = Array.from({ length: 25 }, (_, i) => ({ role: 'user', content: `d${i}` }));
    const created = await create({ input });
    const { body } = await harness.get(`/v1/responses/${created.id}/input_items`);
    expect(body.data).toHaveLength(20);
    expect(body.has_more).toBe(true);
    expect(body.data[0].content[0].text).toBe('d24');
  });

  it('auto-paginates through the SDK', async () => {
    const input = Array.from({ length: 7 }, (_, i) => ({ role: 'user' as const, content: `s${i}` }));
    const created = await create({ input });
    const seen: string[] = [];
    for await (const item of client.responses.inputItems.list(created.id, { limit: 3, order: 'asc' })) {
      expect(item.type).toBe('message');
      seen.push(((item as Any).content[0] as Any).text);
    }
    expect(seen).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
    const page = await client.responses.inputItems.list(created.id, { limit: 2 });
    expect(page.data.map((item: Any) => item.content[0].text)).toEqual(['s6', 's5']);
    expect(page.has_more).toBe(true);
  });

  it('lists only this turn’s input for a continued response', async () => {
    const first = await create({ input: 'turn one' });
    const second = await create({ input: 'turn two', previous_response_id: first.id });
    const { body } = await harness.get(`/v1/responses/${second.id}/input_items`);
    expect(body.data.map((item: Any) => item.content[0].text)).toEqual(['turn two']);
  });

  it('rejects a bad limit or order with a 400 naming the parameter', async () => {
    const created = await create({ input: 'x' });
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['order=sideways', 'order'],
    ] as const) {
      expectError(await harness.get(`/v1/responses/${created.id}/input_items?${query}`), 400, { param });
    }
  });
});

describe('previous_response_id chains', () => {
  it('sends all 100 earlier messages of a 50-turn chain in order, without earlier instructions', async () => {
    let previous: string | null = null;
    for (let i = 0; i < 50; i++) {
      harness.mock.enqueue({ kind: 'text', text: `answer ${i}` });
      const response: Any = await create({
        input: `question ${i}`,
        instructions: `instructions of turn ${i}`,
        ...(previous !== null ? { previous_response_id: previous } : {}),
      });
      expect(response.previous_response_id).toBe(previous);
      previous = response.id;
    }
    harness.mock.enqueue({ kind: 'text', text: 'final answer' });
    const last = await create({
      input: 'final question',
      instructions: 'final instructions',
      previous_response_id: previous,
    });
    expect(last.output_text).toBe('final answer');
    const expected = ['system: final instructions'];
    for (let i = 0; i < 50; i++) expected.push(`user: question ${i}`, `assistant: answer ${i}`);
    expected.push('user: final question');
    expect(transcript(upstreamMessages(harness))).toEqual(expected);
    expect(harness.mock.requests).toHaveLength(51);
  });

  it.each([false, true])('keeps forks apart (stream: %s)', async (stream) => {
    const root = await turn(stream, { input: 'root question' }, 'root answer');
    const left = await turn(stream, { input: 'go left', previous_response_id: root.id }, 'went left');
    const right = await turn(stream, { input: 'go right', previous_response_id: root.id }, 'went right');
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: root question',
      'assistant: root answer',
      'user: go right',
    ]);
    await turn(stream, { input: 'left again', previous_response_id: left.id }, 'x');
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: root question',
      'assistant: root answer',
      'user: go left',
      'assistant: went left',
      'user: left again',
    ]);
    await turn(stream, { input: 'right again', previous_response_id: right.id }, 'y');
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: root question',
      'assistant: root answer',
      'user: go right',
      'assistant: went right',
      'user: right again',
    ]);
  });

  it('continues past a deleted middle turn, skipping its items', async () => {
    const one = await turn(false, { input: 'one' }, 'reply one');
    const two = await turn(false, { input: 'two', previous_response_id: one.id }, 'reply two');
    const three = await turn(false, { input: 'three', previous_response_id: two.id }, 'reply three');
    expect((await del(harness, `/v1/responses/${two.id}`)).status).toBe(200);
    await turn(false, { input: 'four', previous_response_id: three.id }, 'reply four');
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: one',
      'assistant: reply one',
      'user: three',
      'assistant: reply three',
      'user: four',
    ]);
    // The deleted turn itself can no longer be continued.
    expectError(
      await harness.post('/v1/responses', { model: MODEL, input: 'x', previous_response_id: two.id }),
      400,
      { param: 'previous_response_id', code: 'previous_response_not_found' },
    );
  });

  it.each([false, true])(
    'continues a function call with its output in the next turn (stream: %s)',
    async (stream) => {
      harness.mock.enqueue({
        kind: 'text',
        text: '',
        toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      });
      const first = await turn(stream, { input: 'Weather in Paris?', tools: [WEATHER_TOOL] });
      const call = first.output.find((item: Any) => item.type === 'function_call');
      expect(call).toMatchObject({ call_id: 'call_weather_1', name: 'get_weather', status: 'completed' });

      const second = await turn(
        stream,
        {
          previous_response_id: first.id,
          tools: [WEATHER_TOOL],
          input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' }],
        },
        'It is 21 degrees.',
      );
      expect(second.output_text).toBe('It is 21 degrees.');
      const messages = upstreamMessages(harness);
      expect(messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_weather_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_weather_1', content: '{"temp":21}' },
      ]);
      // The stored input of the second turn is the function_call_output item, with an id.
      const items = (await harness.get(`/v1/responses/${second.id}/input_items`)).body.data;
      expect(items).toEqual([
        {
          id: expect.any(String),
          type: 'function_call_output',
          call_id: 'call_weather_1',
          output: '{"temp":21}',
        },
      ]);
    },
  );

  it('refuses input that repeats an item already in the chain (as OpenAI does)', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [{ id: 'call_dup', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
    });
    const first = await create({ input: 'Weather in Oslo?', tools: [WEATHER_TOOL] });
    const result = await harness.post('/v1/responses', {
      model: MODEL,
      previous_response_id: first.id,
      tools: [WEATHER_TOOL],
      input: [first.output[0], { type: 'function_call_output', call_id: 'call_dup', output: 'cold' }],
    });
    expectError(result, 400, { param: 'input', code: null });
    expect(result.body.error.message).toBe(
      `Duplicate item found with id ${first.output[0].id}. Remove duplicate items from your input and try again.`,
    );
    expect(harness.mock.requests).toHaveLength(1);
  });

  it('continues through the SDK in streaming mode', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'first' }, { kind: 'text', text: 'second' });
    const first = await client.responses.create({ model: MODEL, input: 'Hi' });
    const stream = await client.responses.create({
      model: MODEL,
      input: 'Again',
      previous_response_id: first.id,
      stream: true,
    });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('second');
    expect(transcript(upstreamMessages(harness))).toEqual(['user: Hi', 'assistant: first', 'user: Again']);
  });

  it('answers 400 previous_response_not_found for an unknown id, before calling upstream', async () => {
    const result = await harness.post('/v1/responses', {
      model: MODEL,
      input: 'x',
      previous_response_id: 'resp_unknown',
    });
    expectError(result, 400, { param: 'previous_response_id', code: 'previous_response_not_found' });
    expect(result.body.error.message).toContain('resp_unknown');
    const streamed = await fetch(`${harness.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, input: 'x', previous_response_id: 'resp_unknown', stream: true }),
    });
    expectError({ status: streamed.status, body: await streamed.json() }, 400, {
      code: 'previous_response_not_found',
    });
    const error = await client.responses
      .create({ model: MODEL, input: 'x', previous_response_id: 'resp_unknown' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('previous_response_not_found');
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('previous_response_id');
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('treats previous_response_id: null as absent', async () => {
    const response = await create({ input: 'fresh', previous_response_id: null });
    expect(response.previous_response_id).toBeNull();
    expect(transcript(upstreamMessages(harness))).toEqual(['user: fresh']);
  });
});

describe('item_reference input', () => {
  it('resolves stored input and output items, with or without type', async () => {
    const stored = await turn(false, { input: 'Remember: blue.' }, 'Noted: blue.');
    const inputItem = (await harness.get(`/v1/responses/${stored.id}/input_items`)).body.data[0];
    const outputItem = stored.output[0];
    const response = await create({
      input: [
        { type: 'item_reference', id: inputItem.id },
        { id: outputItem.id },
        { role: 'user', content: 'What colour?' },
      ],
    });
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: Remember: blue.',
      'assistant: Noted: blue.',
      'user: What colour?',
    ]);
    // input_items shows the referenced items themselves.
    const listed = (await harness.get(`/v1/responses/${response.id}/input_items?order=asc`)).body.data;
    expect(listed.slice(0, 2)).toEqual([inputItem, outputItem]);
  });

  it('answers 400 for an unknown reference, naming the input index', async () => {
    const result = await harness.post('/v1/responses', {
      model: MODEL,
      input: [
        { role: 'user', content: 'x' },
        { type: 'item_reference', id: 'msg_unknown' },
      ],
    });
    expectError(result, 400, { param: 'input[1].id' });
    expect(result.body.error.message).toContain('msg_unknown');
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('cannot reference items of a deleted response', async () => {
    const stored = await create({ input: 'soon gone' });
    await del(harness, `/v1/responses/${stored.id}`);
    expectError(
      await harness.post('/v1/responses', {
        model: MODEL,
        input: [{ type: 'item_reference', id: stored.output[0].id }],
      }),
      400,
      { param: 'input[0].id' },
    );
  });
});

describe('tenant isolation between API keys', () => {
  let keyed: Harness;
  let alpha: Record<string, string>;
  let beta: Record<string, string>;
  let staticKey: Record<string, string>;

  beforeAll(async () => {
    keyed = await startHarness({ env: { RGW_API_KEYS: 'static-key-default-tenant' } });
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    alpha = bearer((await createKey(keyed.gateway.store, { tenant: 'alpha', name: 'a' })).key);
    beta = bearer((await createKey(keyed.gateway.store, { tenant: 'beta', name: 'b' })).key);
    staticKey = bearer('static-key-default-tenant');
  });
  afterAll(async () => {
    await keyed.close();
  });

  it("reads another tenant's responses, chains, items and conversations as absent", async () => {
    const post = (body: Record<string, unknown>, as: Record<string, string>) =>
      keyed.post('/v1/responses', { model: MODEL, ...body }, as);
    keyed.mock.enqueue({ kind: 'text', text: 'alpha secret' });
    const created = await post({ input: 'alpha question' }, alpha);
    expect(created.status).toBe(200);
    const response = created.body;
    const conversation = (await keyed.post('/v1/conversations', { items: [user('alpha item')] }, alpha)).body;
    const convItem = (await keyed.get(`/v1/conversations/${conversation.id}/items`, alpha)).body.data[0];

    for (const other of [beta, staticKey]) {
      expectError(await keyed.get(`/v1/responses/${response.id}`, other), 404);
      expectError(await keyed.get(`/v1/responses/${response.id}/input_items`, other), 404);
      expectError(await del(keyed, `/v1/responses/${response.id}`, other), 404);
      expectError(await post({ input: 'x', previous_response_id: response.id }, other), 400, {
        code: 'previous_response_not_found',
      });
      for (const id of [response.output[0].id, convItem.id]) {
        expectError(await post({ input: [{ type: 'item_reference', id }] }, other), 400, {
          param: 'input[0].id',
        });
      }
      expectError(await keyed.get(`/v1/conversations/${conversation.id}`, other), 404);
      expectError(await keyed.post(`/v1/conversations/${conversation.id}`, { metadata: {} }, other), 404);
      expectError(await keyed.get(`/v1/conversations/${conversation.id}/items`, other), 404);
      expectError(await keyed.get(`/v1/conversations/${conversation.id}/items/${convItem.id}`, other), 404);
      expectError(
        await keyed.post(`/v1/conversations/${conversation.id}/items`, { items: [user('intrusion')] }, other),
        404,
      );
      expectError(await del(keyed, `/v1/conversations/${conversation.id}/items/${convItem.id}`, other), 404);
      expectError(await del(keyed, `/v1/conversations/${conversation.id}`, other), 404);
      expectError(await post({ input: 'x', conversation: conversation.id }, other), 404);
    }
    // Only the two creates reached the upstream; the owner still sees everything, unchanged.
    expect(keyed.mock.requests).toHaveLength(1);
    expect((await keyed.get(`/v1/responses/${response.id}`, alpha)).body).toEqual(response);
    const items = (await keyed.get(`/v1/conversations/${conversation.id}/items`, alpha)).body.data;
    expect(items).toEqual([convItem]);
    keyed.mock.enqueue({ kind: 'text', text: 'continued' });
    expect((await post({ input: 'more', previous_response_id: response.id }, alpha)).status).toBe(200);
    expect(transcript(upstreamMessages(keyed))).toEqual([
      'user: alpha question',
      'assistant: alpha secret',
      'user: more',
    ]);
  });
});

function user(text: string) {
  return { type: 'message', role: 'user', content: text };
}

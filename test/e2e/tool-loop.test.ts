/**
 * The model–tool loop end to end, through the openai SDK against the Chat Completions mock: a
 * test tool served as `file_search` (test/helpers/test-tool.ts) is called by scripted turns.
 */
import type OpenAI from 'openai';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import { newToolLog, testSearchTool } from '../helpers/test-tool.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import type { Any } from './stream-helpers.js';

const log = newToolLog();
const harness = useHarness(
  { kind: 'text', text: 'Done.' },
  { extras: { tools: [testSearchTool(log)] }, config: { background: { workers: 1, cancelPollMs: 20 } } },
);
let client: OpenAI;
beforeAll(() => {
  client = sdkClient(harness);
});
beforeEach(() => {
  log.calls.length = 0;
  log.signals.length = 0;
  log.maxConcurrent = 0;
});

const SEARCH = { type: 'file_search', vector_store_ids: ['vs_notes'] } as const;
const usage = { prompt_tokens: 10, completion_tokens: 5 };
const search = (id: string, ...queries: string[]) => ({
  id,
  name: 'file_search',
  arguments: JSON.stringify({ queries }),
});
const calls = (...toolCalls: ReturnType<typeof search>[]): MockReply => ({
  kind: 'text',
  text: '',
  toolCalls,
  finishReason: 'tool_calls',
  usage,
});
const answer = (text: string): MockReply => ({ kind: 'text', text, usage });
const create = (body: Record<string, unknown>) =>
  client.responses.create({
    model: 'gpt-loop',
    input: 'Question?',
    tools: [SEARCH],
    ...body,
  } as never) as Promise<Any>;
const sentMessages = (n: number): Any[] => harness.mock.requests[n]!.body.messages;

describe('the tool loop', () => {
  it('runs several turns and sums their usage', async () => {
    harness.mock.enqueue(
      calls(search('c1', 'alpha')),
      calls(search('c2', 'beta')),
      answer('Alpha and beta.'),
    );
    const response = await create({});
    expect(response.status).toBe('completed');
    expect(response.output.map((item: Any) => item.type)).toEqual([
      'file_search_call',
      'file_search_call',
      'message',
    ]);
    expect(response.output[0]).toMatchObject({ status: 'completed', queries: ['alpha'], results: null });
    expect(response.output_text).toBe('Alpha and beta.');
    expect(response.usage).toMatchObject({ input_tokens: 30, output_tokens: 15, total_tokens: 45 });
    expect(harness.mock.requests).toHaveLength(3);
    // The third turn sees both calls and both answers, in order.
    const third = sentMessages(2);
    expect(third.filter((m: Any) => m.role === 'tool').map((m: Any) => m.content)).toEqual([
      'About alpha.',
      'About beta.',
    ]);
    expect(log.calls.map((c) => c.tenantId)).toHaveLength(2);
    const stored = await client.responses.retrieve(response.id);
    expect(stored.output.map((item) => item.type)).toEqual(response.output.map((item: Any) => item.type));
  });

  it('runs parallel calls concurrently, one at a time without parallel_tool_calls', async () => {
    harness.mock.enqueue(calls(search('p1', 'slow:a'), search('p2', 'slow:b')), answer('Both.'));
    const parallel = await create({});
    expect(parallel.output.map((item: Any) => item.type)).toEqual([
      'file_search_call',
      'file_search_call',
      'message',
    ]);
    expect(log.maxConcurrent).toBe(2);
    expect(sentMessages(1).filter((m: Any) => m.role === 'tool')).toHaveLength(2);

    log.maxConcurrent = 0;
    harness.mock.enqueue(calls(search('s1', 'slow:a'), search('s2', 'slow:b')), answer('Both.'));
    await create({ parallel_tool_calls: false });
    expect(log.maxConcurrent).toBe(1);
  });

  it('ignores calls past max_tool_calls and lets the model answer', async () => {
    harness.mock.enqueue(calls(search('m1', 'one'), search('m2', 'two')), answer('One is enough.'));
    const response = await create({ max_tool_calls: 1 });
    expect(response.output.map((item: Any) => item.type)).toEqual(['file_search_call', 'message']);
    expect(response.max_tool_calls).toBe(1);
    expect(log.calls).toHaveLength(1);
    const second = harness.mock.requests[1]!.body;
    expect(second.tool_choice).toBe('none');
    const told = second.messages.filter((m: Any) => m.role === 'tool').map((m: Any) => m.content);
    expect(told[1]).toMatch(/max_tool_calls/);
  });

  it('forces the built-in tool with tool_choice, then lets the model answer', async () => {
    harness.mock.enqueue(calls(search('f1', 'forced')), answer('Forced.'));
    await create({ tool_choice: { type: 'file_search' } });
    expect(harness.mock.requests[0]!.body.tool_choice).toEqual({
      type: 'function',
      function: { name: 'file_search' },
    });
    expect(harness.mock.requests[1]!.body.tool_choice).toBeUndefined();
  });

  it('keeps a failed call inside its item and goes on', async () => {
    harness.mock.enqueue(calls(search('e1', 'fail:disk')), answer('The search failed.'));
    const response = await create({});
    expect(response.status).toBe('completed');
    expect(response.output[0]).toMatchObject({ type: 'file_search_call', status: 'failed' });
    const told = sentMessages(1).find((m: Any) => m.role === 'tool');
    expect(told.content).toMatch(/failed: index unavailable for disk/);
  });

  it('ends with the client call when the model also calls a client tool', async () => {
    harness.mock.enqueue(calls(search('h1', 'x'), { id: 'fn1', name: 'get_time', arguments: '{}' }));
    const response = await create({
      tools: [SEARCH, { type: 'function', name: 'get_time', parameters: { type: 'object', properties: {} } }],
    });
    expect(response.status).toBe('completed');
    expect(response.output.map((item: Any) => item.type)).toEqual(['file_search_call', 'function_call']);
    expect(harness.mock.requests).toHaveLength(1);
  });

  it('replays built-in items of earlier turns to the model', async () => {
    harness.mock.enqueue(calls(search('r1', 'history')), answer('First.'));
    const first = await create({});
    harness.mock.enqueue(answer('Second.'));
    await create({ previous_response_id: first.id, input: 'And then?' });
    const messages = sentMessages(2);
    const call = messages.find((m: Any) => m.role === 'assistant' && m.tool_calls);
    expect(call.tool_calls[0].function).toMatchObject({ name: 'file_search' });
    expect(messages.find((m: Any) => m.role === 'tool').content).toMatch(/earlier search/);
  });

  it('refuses a tool entry its tool rejects before any upstream call', async () => {
    await expect(
      create({ tools: [{ type: 'file_search', vector_store_ids: ['vs_missing'] }] }),
    ).rejects.toMatchObject({
      status: 400,
      param: 'tools[0].vector_store_ids',
    });
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('streams the loop as items with their own events, in sequence', async () => {
    harness.mock.enqueue(calls(search('st1', 'streamed')), answer('Streamed.'));
    const result = await harness.stream({ model: 'gpt-loop', input: 'Q', tools: [SEARCH] });
    expect(result.data.map((e) => e.sequence_number)).toEqual(result.data.map((_, i) => i));
    const added = result.data.filter((e) => e.type === 'response.output_item.added');
    expect(added.map((e) => [e.output_index, e.item.type])).toEqual([
      [0, 'file_search_call'],
      [1, 'message'],
    ]);
    expect(result.types.at(-1)).toBe('response.completed');
    expect(result.data.at(-1)!.response.output[0]).toMatchObject({
      status: 'completed',
      queries: ['streamed'],
    });
  });

  it('cancels a background response while its tool runs; the tool sees the abort', async () => {
    harness.mock.enqueue(calls(search('b1', 'hang:forever')));
    const started = await create({ background: true });
    await waitFor(() => log.calls.length === 1);
    await client.responses.cancel(started.id);
    await waitFor(() => log.signals[0]!.aborted);
    const cancelled = await waitForStatus(started.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.output[0]).toMatchObject({ type: 'file_search_call', status: 'incomplete' });
    expect(harness.mock.requests).toHaveLength(1);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitForStatus(id: string): Promise<Any> {
  for (let i = 0; i < 500; i++) {
    const response = (await client.responses.retrieve(id)) as Any;
    if (!['queued', 'in_progress'].includes(response.status)) return response;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('response did not settle');
}

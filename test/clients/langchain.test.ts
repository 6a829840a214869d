/**
 * LangChain (`@langchain/openai` ChatOpenAI with `useResponsesApi: true`) against the gateway:
 * invoke and stream, a tool round trip both ways, structured output, `previous_response_id`, and
 * reasoning.
 */
import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  ToolMessage,
} from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TEST_KEY, useHarness } from '../helpers/gateway-harness.js';
import { type Body, toolThenText } from './scripted-replies.js';

const harness = useHarness({ kind: 'text', text: 'Hello from the mock upstream.' });

function chat(
  model = 'gpt-4o',
  extra: Partial<ConstructorParameters<typeof ChatOpenAI>[0]> = {},
): ChatOpenAI {
  return new ChatOpenAI({
    model,
    apiKey: TEST_KEY,
    useResponsesApi: true,
    maxRetries: 0,
    configuration: { baseURL: harness.baseURL },
    ...extra,
  });
}

const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('ChatOpenAI (Responses API)', () => {
  it('invokes', async () => {
    const reply = await chat().invoke([new HumanMessage('Hi')]);
    expect(reply.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'Hello from the mock upstream.' }),
    ]);
    expect(reply.text).toBe('Hello from the mock upstream.');
    expect(reply.response_metadata.id).toMatch(/^resp_/);
    expect(reply.usage_metadata?.total_tokens).toBeGreaterThan(0);
  });

  it('streams', async () => {
    harness.mock.defaultReply = { kind: 'text', text: 'Hello world', chunks: ['Hello', ' ', 'world'] };
    const deltas: string[] = [];
    let full: AIMessageChunk | undefined;
    for await (const chunk of await chat().stream('Hi')) {
      if (chunk.text) deltas.push(chunk.text);
      full = full ? full.concat(chunk) : chunk;
    }
    expect(deltas).toEqual(['Hello', ' ', 'world']);
    expect(full?.text).toBe('Hello world');
  });

  it('runs a tool round trip with invoke', async () => {
    harness.mock.defaultReply = toolThenText('get_weather', '{"city":"Paris"}', (out) => `Paris: ${out}`);
    const model = chat().bindTools([WEATHER]);
    const messages: BaseMessage[] = [new HumanMessage('Weather in Paris?')];
    const first = await model.invoke(messages);
    expect(first.tool_calls).toEqual([
      expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' }, id: expect.any(String) }),
    ]);
    messages.push(first, new ToolMessage({ tool_call_id: first.tool_calls![0]!.id!, content: '21C' }));
    const second = await model.invoke(messages);
    expect(second.text).toBe('Paris: 21C');
    const upstream = harness.mock.requests[1]!.body.messages as Body[];
    expect(upstream.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('runs a tool round trip with stream', async () => {
    harness.mock.defaultReply = toolThenText('get_weather', '{"city":"Rome"}', (out) => `Rome: ${out}`, {
      chunks: ['Rome', ': ', '25C'],
      text: 'Rome: 25C',
    });
    const model = chat().bindTools([WEATHER]);
    const messages: BaseMessage[] = [new HumanMessage('Weather in Rome?')];
    let call: AIMessageChunk | undefined;
    for await (const chunk of await model.stream(messages)) call = call ? call.concat(chunk) : chunk;
    expect(call?.tool_calls).toEqual([
      expect.objectContaining({ name: 'get_weather', args: { city: 'Rome' }, id: expect.any(String) }),
    ]);
    messages.push(
      new AIMessage({
        content: call!.content,
        tool_calls: call!.tool_calls,
        additional_kwargs: call!.additional_kwargs,
      }),
      new ToolMessage({ tool_call_id: call!.tool_calls![0]!.id!, content: '25C' }),
    );
    let answer: AIMessageChunk | undefined;
    for await (const chunk of await model.stream(messages)) answer = answer ? answer.concat(chunk) : chunk;
    expect(answer?.text).toBe('Rome: 25C');
  });

  it('returns structured output (json_schema)', async () => {
    harness.mock.defaultReply = { kind: 'text', text: '{"name":"Ada","age":36}' };
    const structured = chat().withStructuredOutput(z.object({ name: z.string(), age: z.number() }), {
      name: 'person',
      method: 'jsonSchema',
      strict: true,
    });
    expect(await structured.invoke('Who?')).toEqual({ name: 'Ada', age: 36 });
    expect(harness.mock.requests[0]!.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'person' },
    });
  });

  it('continues with previous_response_id', async () => {
    const model = chat();
    const first = await model.invoke('My name is Ada.');
    const second = await model.invoke('What is my name?', {
      previous_response_id: first.response_metadata.id,
    });
    expect(second.text).toBe('Hello from the mock upstream.');
    const upstream = (harness.mock.requests[1]!.body.messages as Body[]).map((m) => m.content);
    expect(upstream).toEqual(['My name is Ada.', 'Hello from the mock upstream.', 'What is my name?']);
  });

  it('receives reasoning and sends it back across a tool call (invoke and stream)', async () => {
    const script = toolThenText('get_weather', '{"city":"Oslo"}', (out) => `Oslo: ${out}`);
    harness.mock.defaultReply = (body: Body) => ({ ...script(body), reasoning: 'Think it through.' });
    for (const streaming of [false, true]) {
      harness.mock.reset();
      const model = chat('o4-mini', { streaming, reasoning: { effort: 'low', summary: 'auto' } }).bindTools([
        WEATHER,
      ]);
      const messages: BaseMessage[] = [new HumanMessage('Weather in Oslo?')];
      const first = await model.invoke(messages);
      // Streaming, LangChain keeps the item from output_item.added and reads summary deltas only.
      expect(first.additional_kwargs.reasoning).toMatchObject({
        type: 'reasoning',
        id: expect.stringMatching(/^rs_/),
        ...(streaming ? {} : { content: [{ type: 'reasoning_text', text: 'Think it through.' }] }),
      });
      messages.push(first, new ToolMessage({ tool_call_id: first.tool_calls![0]!.id!, content: '3C' }));
      const second = await model.invoke(messages);
      expect(second.text).toBe('Oslo: 3C');
      expect(second.usage_metadata?.output_token_details?.reasoning).toBeGreaterThan(0);
      expect(harness.mock.requests[0]!.body.reasoning_effort).toBe('low');
      // The replayed reasoning item was accepted; a Chat Completions upstream gets the turns without it.
      expect((harness.mock.requests[1]!.body.messages as Body[]).map((m) => m.role)).toEqual([
        'user',
        'assistant',
        'tool',
      ]);
    }
  });
});

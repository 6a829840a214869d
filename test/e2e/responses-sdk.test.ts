/** The gateway through the official `openai` SDK: creates, streams, tool round trips, parse, errors. */
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import type { ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startHarness, useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import { withoutIds } from './stream-helpers.js';

let client: OpenAI;

const harness = useHarness({ kind: 'text', text: 'Hello from the mock upstream.' });
beforeAll(() => {
  client = sdkClient(harness);
});

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

describe('responses.create', () => {
  it('returns a Response with output_text', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'Four.' });
    const response = await client.responses.create({ model: 'gpt-sdk', input: 'What is 2+2?' });
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.status).toBe('completed');
    expect(response.model).toBe('gpt-sdk');
    expect(response.output_text).toBe('Four.');
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(response.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams events with stream: true', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'Hello world', chunks: ['Hello', ' ', 'world'] });
    const stream = await client.responses.create({ model: 'gpt-sdk', input: 'Hi', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]!.type).toBe('response.created');
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    expect(deltas).toEqual(['Hello', ' ', 'world']);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.completed');
    if (last.type === 'response.completed') expect(last.response.output_text).toBe('Hello world');
  });

  it('runs the responses.stream helper to finalResponse()', async () => {
    harness.mock.defaultReply = {
      kind: 'text',
      text: 'It is sunny.',
      reasoning: 'Check the sky.',
      chunks: ['It ', 'is ', 'sunny.'],
    };
    const stream = client.responses.stream({ model: 'gpt-sdk', input: 'Weather?' });
    const types: string[] = [];
    const deltas: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas).toEqual(['It ', 'is ', 'sunny.']);
    expect(types).toContain('response.reasoning_text.delta');
    expect(types.at(-1)).toBe('response.completed');
    expect(final.output_text).toBe('It is sunny.');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    // The SDK's own fold of the events equals what a non-streaming call returns (both with the
    // SDK's parsed additions).
    const plain = await client.responses.parse({ model: 'gpt-sdk', input: 'Weather?' });
    expect(withoutIds(final)).toEqual(withoutIds(plain));
  });
});

describe('function calling', () => {
  it('completes a round trip: call, function_call_output with the same call_id, answer', async () => {
    harness.mock.enqueue(
      {
        kind: 'text',
        text: '',
        toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      },
      { kind: 'text', text: 'It is 21°C in Paris.' },
    );
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.responses.create({ model: 'gpt-sdk', input, tools: [WEATHER_TOOL] });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({
      type: 'function_call',
      call_id: 'call_weather_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      status: 'completed',
    });
    expect(first.output_text).toBe('');
    if (call?.type !== 'function_call') throw new Error('no function call');
    const args = JSON.parse(call.arguments) as { city: string };

    input.push(...(first.output as ResponseInputItem[]), {
      type: 'function_call_output',
      call_id: call.call_id,
      output: JSON.stringify({ city: args.city, temp_c: 21 }),
    });
    const second = await client.responses.create({ model: 'gpt-sdk', input, tools: [WEATHER_TOOL] });
    expect(second.output_text).toBe('It is 21°C in Paris.');

    const upstream = harness.mock.requests[1]!.body;
    expect(upstream.messages).toEqual([
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
      { role: 'tool', tool_call_id: 'call_weather_1', content: '{"city":"Paris","temp_c":21}' },
    ]);
    expect(upstream.tools[0].function.name).toBe('get_weather');
  });

  it('streams a function call through the SDK helper', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [{ id: 'call_s', name: 'get_weather', arguments: '{"city":"Tokyo"}' }],
    });
    const stream = client.responses.stream({ model: 'gpt-sdk', input: 'Tokyo?', tools: [WEATHER_TOOL] });
    const argDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argDeltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(argDeltas.join('')).toBe('{"city":"Tokyo"}');
    expect(final.output[0]).toMatchObject({ type: 'function_call', call_id: 'call_s', name: 'get_weather' });
  });
});

describe('structured output', () => {
  it('parses output with responses.parse and zodTextFormat', async () => {
    const Weather = z.object({ city: z.string(), temp_c: z.number(), sunny: z.boolean() });
    harness.mock.enqueue({ kind: 'text', text: '{"city":"Paris","temp_c":21,"sunny":true}' });
    const response = await client.responses.parse({
      model: 'gpt-sdk',
      input: 'Weather in Paris as JSON',
      text: { format: zodTextFormat(Weather, 'weather') },
    });
    expect(response.output_parsed).toEqual({ city: 'Paris', temp_c: 21, sunny: true });
    const format = harness.mock.requests[0]!.body.response_format;
    expect(format).toMatchObject({ type: 'json_schema', json_schema: { name: 'weather', strict: true } });
    expect(format.json_schema.schema).toMatchObject({
      type: 'object',
      properties: { city: { type: 'string' }, temp_c: { type: 'number' }, sunny: { type: 'boolean' } },
    });
    expect(response.text?.format).toMatchObject({ type: 'json_schema', name: 'weather' });
  });
});

describe('errors as SDK classes', () => {
  it('raises AuthenticationError for a 401', async () => {
    const keyed = await startHarness({ env: { RGW_API_KEYS: 'right-key' } });
    try {
      const wrong = new OpenAI({ baseURL: keyed.baseURL, apiKey: 'wrong-key', maxRetries: 0 });
      const error = await wrong.responses.create({ model: 'gpt-sdk', input: 'Hi' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      const auth = error as InstanceType<typeof OpenAI.AuthenticationError>;
      expect(auth.status).toBe(401);
      expect(auth.code).toBe('invalid_api_key');
      const right = new OpenAI({ baseURL: keyed.baseURL, apiKey: 'right-key', maxRetries: 0 });
      expect((await right.responses.create({ model: 'gpt-sdk', input: 'Hi' })).status).toBe('completed');
    } finally {
      await keyed.close();
    }
  });

  it('raises BadRequestError with param and code for a 400', async () => {
    const error = await client.responses
      .create({ model: 'gpt-sdk', input: 'Hi', temperature: 3 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.param).toBe('temperature');
    expect(bad.code).toBe('decimal_above_max_value');
    expect(bad.type).toBe('invalid_request_error');
    expect(bad.requestID).toMatch(/^req_/);
  });

  it('raises RateLimitError for an upstream 429', async () => {
    harness.mock.enqueue({ kind: 'http-error', status: 429, headers: { 'retry-after': '1' } });
    const error = await client.responses.create({ model: 'gpt-sdk', input: 'Hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.code).toBe('rate_limit_exceeded');
  });
});

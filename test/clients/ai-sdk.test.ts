/**
 * The Vercel AI SDK (`ai` + `@ai-sdk/openai`, `createOpenAI({baseURL, apiKey}).responses(model)`)
 * against the gateway: generateText, streamText with a tool over several steps, generateObject with
 * a zod schema, and reasoning parts (both from a Chat Completions upstream's raw reasoning and from
 * a Responses upstream's reasoning summaries).
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config/load-config.js';
import { createGateway, createLogger, type Gateway } from '../../src/gateway.js';
import { TEST_KEY, useHarness } from '../helpers/gateway-harness.js';
import { type MockResponsesUpstream, startMockResponsesUpstream } from '../mocks/responses-mock.js';
import { type Body, toolThenText } from './scripted-replies.js';

let openai: ReturnType<typeof createOpenAI>;

const harness = useHarness({ kind: 'text', text: 'Hello from the mock upstream.' });
beforeAll(() => {
  openai = createOpenAI({ baseURL: harness.baseURL, apiKey: TEST_KEY });
});

const weather = tool({
  description: 'Current weather for a city.',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, tempC: 21 }),
});

describe('generateText', () => {
  it('answers a prompt with a system message', async () => {
    const result = await generateText({
      model: openai.responses('gpt-4o'),
      system: 'Be brief.',
      prompt: 'Say hello.',
      temperature: 0.2,
      maxOutputTokens: 100,
    });
    expect(result.text).toBe('Hello from the mock upstream.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.totalTokens).toBeGreaterThan(0);
    expect(result.response.id).toMatch(/^resp_/);
    const upstream = harness.mock.requests[0]!.body;
    expect(upstream.messages[0]).toMatchObject({ role: 'system', content: 'Be brief.' });
    expect(upstream.temperature).toBe(0.2);
  });

  it('continues a stored response with providerOptions.openai.previousResponseId', async () => {
    const first = await generateText({ model: openai.responses('gpt-4o'), prompt: 'My name is Ada.' });
    const second = await generateText({
      model: openai.responses('gpt-4o'),
      prompt: 'What is my name?',
      providerOptions: { openai: { previousResponseId: first.response.id } },
    });
    expect(second.text).toBe('Hello from the mock upstream.');
    const upstream = (harness.mock.requests[1]!.body.messages as Body[]).map((m) => m.content);
    expect(upstream).toEqual(['My name is Ada.', 'Hello from the mock upstream.', 'What is my name?']);
  });

  it('runs a tool over several steps', async () => {
    harness.mock.defaultReply = toolThenText('weather', '{"city":"Paris"}', (out) => `Result: ${out}`);
    const result = await generateText({
      model: openai.responses('gpt-4o'),
      prompt: 'Weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
    });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: 'weather', input: { city: 'Paris' } });
    expect(result.text).toBe('Result: {"city":"Paris","tempC":21}');
  });
});

describe('streamText', () => {
  it('streams text and a multi-step tool loop', async () => {
    harness.mock.defaultReply = toolThenText('weather', '{"city":"Rome"}', (out) => `It is ${out}`, {
      chunks: ['It ', 'is ', 'warm'],
      text: 'It is warm',
    });
    const result = streamText({
      model: openai.responses('gpt-4o'),
      prompt: 'Weather in Rome?',
      tools: { weather },
      stopWhen: stepCountIs(3),
    });
    const parts: string[] = [];
    let text = '';
    for await (const part of result.fullStream) {
      parts.push(part.type);
      if (part.type === 'text-delta') text += part.text;
      if (part.type === 'error') throw part.error;
    }
    expect(text).toBe('It is warm');
    expect(parts).toContain('tool-call');
    expect(parts).toContain('tool-result');
    expect(parts.filter((p) => p === 'finish-step')).toHaveLength(2);
    expect(await result.finishReason).toBe('stop');
    // The second step replays the function call and its output.
    const second = harness.mock.requests[1]!.body.messages as Body[];
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(JSON.parse(second[2].content)).toEqual({ city: 'Rome', tempC: 21 });
  });
});

describe('generateObject', () => {
  it('returns an object that matches the zod schema (json_schema text format)', async () => {
    harness.mock.defaultReply = { kind: 'text', text: '{"name":"Ada","age":36,"tags":["math"]}' };
    const schema = z.object({ name: z.string(), age: z.number(), tags: z.array(z.string()) });
    const result = await generateObject({
      model: openai.responses('gpt-4o'),
      schema,
      schemaName: 'person',
      prompt: 'Describe Ada Lovelace.',
    });
    expect(result.object).toEqual({ name: 'Ada', age: 36, tags: ['math'] });
    const format = harness.mock.requests[0]!.body.response_format;
    expect(format).toMatchObject({ type: 'json_schema', json_schema: { name: 'person', strict: true } });
    expect(format.json_schema.schema.required).toEqual(['name', 'age', 'tags']);
  });
});

describe('reasoning', () => {
  const reasoningOptions = { openai: { reasoningEffort: 'low', reasoningSummary: 'auto' } };

  it('a Chat Completions upstream’s raw reasoning: a reasoning part (the AI SDK reads summaries only)', async () => {
    harness.mock.defaultReply = { kind: 'text', text: 'Four.', reasoning: 'Two plus two is four.' };
    const result = await generateText({
      model: openai.responses('gpt-5-mini'),
      prompt: 'What is 2+2?',
      providerOptions: reasoningOptions,
    });
    expect(result.text).toBe('Four.');
    expect(result.content.map((part) => part.type)).toEqual(['reasoning', 'text']);
    expect(result.usage.outputTokenDetails.reasoningTokens).toBeGreaterThan(0);
    expect(harness.mock.requests[0]!.body.reasoning_effort).toBe('low');
  });

  describe('from a Responses upstream with reasoning summaries', () => {
    let upstream: MockResponsesUpstream;
    let gateway: Gateway;
    let viaResponses: ReturnType<typeof createOpenAI>;

    beforeAll(async () => {
      upstream = await startMockResponsesUpstream();
      const config = loadConfig(
        { port: 0, host: '127.0.0.1', logLevel: 'silent' },
        {
          OPENAI_BASE_URL: upstream.baseUrl,
          OPENAI_API_KEY: 'upstream-key',
          OPENAI_API: 'responses',
          RGW_DB: ':memory:',
        },
      );
      gateway = createGateway(config, createLogger('silent'));
      viaResponses = createOpenAI({ baseURL: `${await gateway.start()}/v1`, apiKey: TEST_KEY });
    });
    afterAll(async () => {
      await gateway?.close();
      await upstream?.close();
    });

    it('generateText and streamText show the summary as reasoning, across a tool step', async () => {
      upstream.defaultReply = (body: Body) =>
        body.input.some((item: Body) => item.type === 'function_call_output')
          ? { kind: 'response', text: 'Sunny.', reasoning: { summary: ['Read the tool result.'] } }
          : {
              kind: 'response',
              reasoning: { summary: ['Need the weather tool.'] },
              toolCalls: [{ callId: 'call_w1', name: 'weather', arguments: '{"city":"Oslo"}' }],
            };
      const generated = await generateText({
        model: viaResponses.responses('gpt-5-mini'),
        prompt: 'Weather in Oslo?',
        tools: { weather },
        stopWhen: stepCountIs(3),
        providerOptions: reasoningOptions,
      });
      expect(generated.text).toBe('Sunny.');
      expect(generated.steps.map((step) => step.reasoningText)).toEqual([
        'Need the weather tool.',
        'Read the tool result.',
      ]);

      const streamed = streamText({
        model: viaResponses.responses('gpt-5-mini'),
        prompt: 'Weather in Oslo?',
        tools: { weather },
        stopWhen: stepCountIs(3),
        providerOptions: reasoningOptions,
      });
      let reasoning = '';
      for await (const part of streamed.fullStream) {
        if (part.type === 'reasoning-delta') reasoning += part.text;
        if (part.type === 'error') throw part.error;
      }
      expect(reasoning).toBe('Need the weather tool.Read the tool result.');
      expect(await streamed.text).toBe('Sunny.');
    });
  });
});

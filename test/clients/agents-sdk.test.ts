/**
 * The OpenAI Agents SDK (`@openai/agents`, OpenAIResponsesModel) against the gateway: a triage agent
 * hands off to a weather agent that calls a function tool, run to completion with and without
 * streaming, statelessly, chained with `previousResponseId`, in a server-side conversation
 * (`conversationId`) and with an OpenAIConversationsSession. Tracing is disabled: no network.
 */
import {
  Agent,
  OpenAIConversationsSession,
  OpenAIProvider,
  OpenAIResponsesModel,
  Runner,
  setTracingDisabled,
  tool,
} from '@openai/agents';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TEST_KEY, useHarness } from '../helpers/gateway-harness.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { type Body, callId, systemText, toolNames } from './scripted-replies.js';

setTracingDisabled(true);

let provider: OpenAIProvider;
let runner: Runner;
const weatherCalls: string[] = [];

const harness = useHarness(script);
beforeAll(() => {
  provider = new OpenAIProvider({ baseURL: harness.baseURL, apiKey: TEST_KEY, useResponses: true });
  runner = new Runner({
    modelProvider: provider,
    model: 'gpt-agents',
    tracingDisabled: true,
  });
});
beforeEach(() => {
  weatherCalls.length = 0;
});

const getWeather = tool({
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => {
    weatherCalls.push(city);
    return `${city}: 21C and sunny`;
  },
});

const weatherAgent = new Agent({
  name: 'Weather agent',
  instructions: 'WEATHER-AGENT: answer weather questions with the get_weather tool.',
  handoffDescription: 'Answers weather questions.',
  tools: [getWeather],
});

const triageAgent = new Agent({
  name: 'Triage agent',
  instructions: 'TRIAGE-AGENT: hand weather questions off to the weather agent.',
  handoffs: [weatherAgent],
});

/**
 * The upstream model: the triage agent hands off; the weather agent calls get_weather once per
 * user turn, then answers with the tool's result.
 */
function script(body: Body): MockReply {
  const messages: Body[] = body.messages;
  const system = systemText(body);
  if (system.includes('TRIAGE-AGENT')) {
    const handoff = toolNames(body).find((name) => name.startsWith('transfer_to_'));
    if (handoff === undefined) return { kind: 'text', text: 'no handoff offered' };
    return { kind: 'text', text: '', toolCalls: [{ id: callId(), name: handoff, arguments: '{}' }] };
  }
  if (system.includes('WEATHER-AGENT')) {
    const lastUser = messages.findLastIndex((m) => m.role === 'user');
    const turn = messages.slice(lastUser);
    const calls = turn
      .flatMap((m) => m.tool_calls ?? [])
      .filter((c: Body) => c.function?.name === 'get_weather');
    if (calls.length === 0) {
      const city = /in (\w+)/.exec(String(messages[lastUser]?.content))?.[1] ?? 'Paris';
      return {
        kind: 'text',
        text: '',
        toolCalls: [{ id: callId(), name: 'get_weather', arguments: JSON.stringify({ city }) }],
      };
    }
    const result = turn.find((m) => m.role === 'tool' && m.tool_call_id === calls[0].id);
    return {
      kind: 'text',
      text: `Weather report: ${result?.content}`,
      chunks: ['Weather ', 'report: ', String(result?.content)],
    };
  }
  return { kind: 'text', text: 'unexpected agent' };
}

describe('Agents SDK through the gateway', () => {
  it('runs a handoff and a function tool to completion (non-streaming)', async () => {
    expect(await provider.getModel('gpt-agents')).toBeInstanceOf(OpenAIResponsesModel);
    const result = await runner.run(triageAgent, 'What is the weather in Paris?');
    expect(result.finalOutput).toBe('Weather report: Paris: 21C and sunny');
    expect(result.lastAgent?.name).toBe('Weather agent');
    expect(weatherCalls).toEqual(['Paris']);
    // triage → handoff, weather agent → get_weather, weather agent → answer
    expect(harness.mock.requests).toHaveLength(3);
    expect(harness.mock.requests[0]!.body.tools.map((t: Body) => t.function.name)).toEqual([
      'transfer_to_Weather_agent',
    ]);
  });

  it('streams the same run', async () => {
    const stream = await runner.run(triageAgent, 'What is the weather in Rome?', { stream: true });
    const deltas: string[] = [];
    const kinds = new Set<string>();
    for await (const event of stream) {
      kinds.add(event.type);
      if (event.type === 'raw_model_stream_event' && event.data.type === 'output_text_delta') {
        deltas.push(event.data.delta);
      }
    }
    await stream.completed;
    expect(stream.finalOutput).toBe('Weather report: Rome: 21C and sunny');
    expect(deltas.join('')).toBe('Weather report: Rome: 21C and sunny');
    expect(kinds).toContain('agent_updated_stream_event');
    expect(kinds).toContain('run_item_stream_event');
    expect(weatherCalls).toEqual(['Rome']);
  });

  it('continues with previousResponseId (the gateway holds the history)', async () => {
    const first = await runner.run(triageAgent, 'What is the weather in Oslo?');
    expect(first.lastResponseId).toMatch(/^resp_/);
    const second = await runner.run(weatherAgent, 'And what is the weather in Lima?', {
      previousResponseId: first.lastResponseId,
    });
    expect(second.finalOutput).toBe('Weather report: Lima: 21C and sunny');
    // The agent sent only the new turn; the upstream still saw the whole history.
    const upstream = harness.mock.requests.at(-1)!.body.messages.map((m: Body) => m.content);
    expect(upstream).toContain('What is the weather in Oslo?');
    expect(upstream).toContain('Weather report: Oslo: 21C and sunny');
    expect(weatherCalls).toEqual(['Oslo', 'Lima']);
  });

  it('streams with previousResponseId', async () => {
    const first = await runner.run(weatherAgent, 'What is the weather in Cairo?');
    const stream = await runner.run(weatherAgent, 'And in Quito?', {
      stream: true,
      previousResponseId: first.lastResponseId,
    });
    await stream.completed;
    expect(stream.finalOutput).toBe('Weather report: Quito: 21C and sunny');
  });

  it('runs in a server-side conversation (conversationId), streaming and not', async () => {
    const conversation = await fetch(`${harness.baseURL}/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: '{}',
    }).then((r) => r.json() as Promise<{ id: string }>);
    const first = await runner.run(triageAgent, 'What is the weather in Bern?', {
      conversationId: conversation.id,
    });
    expect(first.finalOutput).toBe('Weather report: Bern: 21C and sunny');
    const stream = await runner.run(weatherAgent, 'And in Kyiv?', {
      stream: true,
      conversationId: conversation.id,
    });
    await stream.completed;
    expect(stream.finalOutput).toBe('Weather report: Kyiv: 21C and sunny');
    const upstream = harness.mock.requests.at(-1)!.body.messages.map((m: Body) => m.content);
    expect(upstream).toContain('What is the weather in Bern?');
    expect(upstream).toContain('Weather report: Bern: 21C and sunny');
  });

  it('keeps history in an OpenAIConversationsSession (Conversations API items)', async () => {
    const session = new OpenAIConversationsSession({ baseURL: harness.baseURL, apiKey: TEST_KEY });
    const first = await runner.run(triageAgent, 'What is the weather in Lagos?', { session });
    expect(first.finalOutput).toBe('Weather report: Lagos: 21C and sunny');
    const second = await runner.run(weatherAgent, 'And in Perth?', { session });
    expect(second.finalOutput).toBe('Weather report: Perth: 21C and sunny');
    const items = await session.getItems();
    const texts = items.flatMap((item) =>
      item.type === 'message' && Array.isArray(item.content)
        ? item.content.map((part) => ('text' in part ? part.text : ''))
        : item.type === 'message' && typeof item.content === 'string'
          ? [item.content]
          : [],
    );
    expect(texts).toEqual(
      expect.arrayContaining([
        'What is the weather in Lagos?',
        'Weather report: Lagos: 21C and sunny',
        'And in Perth?',
        'Weather report: Perth: 21C and sunny',
      ]),
    );
  });

  it('returns structured output (outputType) and reasoning items', async () => {
    harness.mock.defaultReply = {
      kind: 'text',
      text: '{"city":"Paris","tempC":21}',
      reasoning: 'Format it as JSON.',
    };
    const reporter = new Agent({
      name: 'Reporter',
      instructions: 'Report the weather as JSON.',
      outputType: z.object({ city: z.string(), tempC: z.number() }),
      modelSettings: { reasoning: { effort: 'low' } },
    });
    const result = await runner.run(reporter, 'Weather in Paris?');
    expect(result.finalOutput).toEqual({ city: 'Paris', tempC: 21 });
    const reasoning = result.newItems.find((item) => item.type === 'reasoning_item');
    // The Responses model keeps the item's raw `content` (reasoning_text) in providerData.
    expect(reasoning?.rawItem).toMatchObject({
      type: 'reasoning',
      providerData: { content: [{ type: 'reasoning_text', text: 'Format it as JSON.' }] },
    });
    const upstream = harness.mock.requests[0]!.body;
    expect(upstream.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } });
    expect(upstream.reasoning_effort).toBe('low');
  });
});

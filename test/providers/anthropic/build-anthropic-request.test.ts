import { describe, expect, it } from 'vitest';
import { buildAnthropicRequest } from '../../../src/providers/anthropic/build-anthropic-request.js';
import type { ModelMessage, ToolSpec } from '../../../src/providers/types.js';
import { modelRequest } from '../model-request.js';

const weather: ToolSpec = {
  kind: 'function',
  name: 'weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: null,
};
const shell: ToolSpec = { kind: 'custom', name: 'shell', description: 'Runs a command' };
const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };

describe('buildAnthropicRequest', () => {
  it('sends the model, messages and a default max_tokens', () => {
    const { body, warnings } = buildAnthropicRequest(modelRequest(), false);
    expect(body).toEqual({
      model: 'model-x',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 4096,
    });
    expect(warnings).toEqual([]);
    expect(buildAnthropicRequest(modelRequest({ maxOutputTokens: 300 }), true).body).toMatchObject({
      max_tokens: 300,
      stream: true,
    });
  });

  it.each([
    ['minimal', 1024],
    ['low', 1024],
    ['medium', 4096],
    ['high', 16384],
    ['xhigh', 24576],
  ])('maps effort %s to a thinking budget of %i with room for the answer', (effort, budget) => {
    const { body } = buildAnthropicRequest(modelRequest({ reasoningEffort: effort }), false);
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
    expect(body.max_tokens).toBe(budget + 4096);
  });

  it('leaves thinking off for effort none and keeps the budget below max_output_tokens', () => {
    expect(
      buildAnthropicRequest(modelRequest({ reasoningEffort: 'none' }), false).body.thinking,
    ).toBeUndefined();
    const clamped = buildAnthropicRequest(
      modelRequest({ reasoningEffort: 'high', maxOutputTokens: 8000 }),
      false,
    );
    expect(clamped.body).toMatchObject({
      max_tokens: 8000,
      thinking: { type: 'enabled', budget_tokens: 7999 },
    });
    const tooSmall = buildAnthropicRequest(
      modelRequest({ reasoningEffort: 'low', maxOutputTokens: 1000 }),
      false,
    );
    expect(tooSmall.body.thinking).toBeUndefined();
    expect(tooSmall.warnings[0]).toMatch(/minimum thinking budget/);
  });

  it('drops sampling parameters extended thinking refuses, with warnings', () => {
    const { body, warnings } = buildAnthropicRequest(
      modelRequest({ reasoningEffort: 'low', temperature: 0.2, topP: 0.5 }),
      false,
    );
    expect(body.temperature).toBeUndefined();
    expect(body.top_p).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(
      buildAnthropicRequest(modelRequest({ reasoningEffort: 'low', topP: 0.97 }), false).body.top_p,
    ).toBe(0.97);
  });

  it('sends temperature or top_p (temperature wins), clamping temperature to 1', () => {
    expect(buildAnthropicRequest(modelRequest({ temperature: 0.3 }), false).body).toMatchObject({
      temperature: 0.3,
    });
    expect(buildAnthropicRequest(modelRequest({ topP: 0.9 }), false).body).toMatchObject({ top_p: 0.9 });
    const both = buildAnthropicRequest(modelRequest({ temperature: 1.5, topP: 0.9 }), false);
    expect(both.body.temperature).toBe(1);
    expect(both.body.top_p).toBeUndefined();
    expect(both.warnings).toHaveLength(2);
    expect(buildAnthropicRequest(modelRequest({ temperature: 0 }), false).body.temperature).toBe(0);
  });

  it('maps tools, custom tools and every tool choice', () => {
    const base = { tools: [weather, shell] };
    const { body } = buildAnthropicRequest(modelRequest(base), false);
    expect(body.tools).toEqual([
      { name: 'weather', description: 'Weather for a city', input_schema: weather.parameters },
      {
        name: 'shell',
        description: 'Runs a command',
        input_schema: {
          type: 'object',
          properties: { input: { type: 'string', description: 'The raw input for the tool.' } },
          required: ['input'],
          additionalProperties: false,
        },
      },
    ]);
    expect(body.tool_choice).toBeUndefined();
    const choice = (toolChoice: Parameters<typeof modelRequest>[0]) =>
      buildAnthropicRequest(modelRequest({ ...base, ...toolChoice }), false).body.tool_choice;
    expect(choice({ toolChoice: { type: 'auto' } })).toEqual({ type: 'auto' });
    expect(choice({ toolChoice: { type: 'none' } })).toEqual({ type: 'none' });
    expect(choice({ toolChoice: { type: 'required' } })).toEqual({ type: 'any' });
    expect(choice({ toolChoice: { type: 'tool', name: 'weather' } })).toEqual({
      type: 'tool',
      name: 'weather',
    });
    expect(choice({ parallelToolCalls: false })).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(choice({ toolChoice: { type: 'required' }, parallelToolCalls: false })).toEqual({
      type: 'any',
      disable_parallel_tool_use: true,
    });
    const allowed = buildAnthropicRequest(
      modelRequest({ ...base, toolChoice: { type: 'allowed', mode: 'required', names: ['weather'] } }),
      false,
    ).body;
    expect(allowed.tools?.map((t) => t.name)).toEqual(['weather']);
    expect(allowed.tool_choice).toEqual({ type: 'any' });
    expect(
      buildAnthropicRequest(modelRequest({ tools: [{ ...weather, parameters: null }] }), false).body.tools,
    ).toEqual([
      {
        name: 'weather',
        description: 'Weather for a city',
        input_schema: { type: 'object', properties: {} },
      },
    ]);
  });

  it('turns off thinking for forced tool use', () => {
    const { body, warnings } = buildAnthropicRequest(
      modelRequest({ tools: [weather], toolChoice: { type: 'required' }, reasoningEffort: 'high' }),
      false,
    );
    expect(body.thinking).toBeUndefined();
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(warnings[0]).toMatch(/forced tool use/);
  });

  it('keeps thinking in a tool loop whose reasoning was replayed, and turns it off when it was not', () => {
    const loop = (reasoning: boolean): ModelMessage[] => [
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          ...(reasoning
            ? [{ type: 'reasoning' as const, text: 'hm', summary: [], encryptedContent: 'sig' }]
            : []),
          { type: 'tool-call', callId: 't1', toolName: 'weather', input: '{}', toolKind: 'function' },
        ],
      },
      { role: 'tool', callId: 't1', toolKind: 'function', output: 'sunny' },
    ];
    const kept = buildAnthropicRequest(
      modelRequest({ messages: loop(true), tools: [weather], reasoningEffort: 'low' }),
      false,
    );
    expect(kept.body.thinking).toBeDefined();
    expect(kept.body.messages[1]!.content[0]).toEqual({ type: 'thinking', thinking: 'hm', signature: 'sig' });
    const dropped = buildAnthropicRequest(
      modelRequest({ messages: loop(false), tools: [weather], reasoningEffort: 'low' }),
      false,
    );
    expect(dropped.body.thinking).toBeUndefined();
    expect(dropped.warnings[0]).toMatch(/without its reasoning/);
  });

  it('sends no thinking blocks back when thinking is off', () => {
    const { body } = buildAnthropicRequest(
      modelRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'a' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'hm', summary: [], encryptedContent: 'sig' },
              { type: 'text', text: 'b' },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'c' }] },
        ],
      }),
      false,
    );
    expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'b' }] });
  });

  it('asks for json_schema output through a forced tool', () => {
    const { body, mapOptions } = buildAnthropicRequest(
      modelRequest({ outputFormat: { type: 'json_schema', name: 'answer', schema, strict: true } }),
      false,
    );
    expect(body.tools).toEqual([
      {
        name: 'answer',
        description: 'Give the final answer by calling this tool; its input is the answer as JSON.',
        input_schema: schema,
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'answer' });
    expect(mapOptions.jsonToolName).toBe('answer');
  });

  it('lets the model pick between its tools and the answer tool, avoiding name clashes', () => {
    const { body, mapOptions } = buildAnthropicRequest(
      modelRequest({
        tools: [weather],
        outputFormat: {
          type: 'json_schema',
          name: 'weather',
          schema,
          strict: null,
          description: 'The answer',
        },
      }),
      false,
    );
    expect(body.tools?.map((t) => t.name)).toEqual(['weather', 'weather_2']);
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(mapOptions.jsonToolName).toBe('weather_2');
  });

  it('asks for the format in the system prompt with thinking on, for json_object and non-object schemas', () => {
    const thinking = buildAnthropicRequest(
      modelRequest({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        ],
        reasoningEffort: 'medium',
        outputFormat: { type: 'json_schema', name: 'answer', schema, strict: true },
      }),
      false,
    );
    expect(thinking.body.tools).toBeUndefined();
    expect(thinking.mapOptions.jsonToolName).toBeUndefined();
    expect(thinking.body.system).toHaveLength(2);
    expect(thinking.body.system?.[1]?.text).toContain(JSON.stringify(schema));
    const object = buildAnthropicRequest(modelRequest({ outputFormat: { type: 'json_object' } }), false);
    expect(object.body.system?.[0]?.text).toMatch(/single valid JSON object/);
    const array = buildAnthropicRequest(
      modelRequest({
        outputFormat: { type: 'json_schema', name: 'list', schema: { type: 'array' }, strict: null },
      }),
      false,
    );
    expect(array.body.tools).toBeUndefined();
    expect(array.body.system?.[0]?.text).toContain('"type":"array"');
  });

  it('marks cache breakpoints on the system prompt and the last turn when a prompt cache key is set', () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'Long instructions' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    ];
    const { body } = buildAnthropicRequest(
      modelRequest({ messages, promptCacheKey: 'k1', tools: [weather] }),
      false,
    );
    expect(body.system).toEqual([
      { type: 'text', text: 'Long instructions', cache_control: { type: 'ephemeral' } },
    ]);
    expect(body.tools?.[0]?.cache_control).toBeUndefined();
    expect(body.messages[0]!.content[0]).toEqual({
      type: 'text',
      text: 'Hi',
      cache_control: { type: 'ephemeral' },
    });
    const noSystem = buildAnthropicRequest(
      modelRequest({ promptCacheKey: 'k1', tools: [weather] }),
      false,
    ).body;
    expect(noSystem.tools?.[0]?.cache_control).toEqual({ type: 'ephemeral' });
    expect(
      buildAnthropicRequest(modelRequest({ messages }), false).body.system?.[0]?.cache_control,
    ).toBeUndefined();
  });

  it('forwards the user id as metadata and warns about logprobs', () => {
    const { body, warnings } = buildAnthropicRequest(modelRequest({ user: 'user-42', logprobs: 2 }), false);
    expect(body.metadata).toEqual({ user_id: 'user-42' });
    expect(warnings).toEqual(['Anthropic does not return logprobs; none are included.']);
  });
});

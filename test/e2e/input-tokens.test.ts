/** POST /v1/responses/input_tokens through HTTP and the SDK; context-window errors before the upstream. */
import type OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_OVERHEAD, REPLY_PRIMING } from '../../src/engine/tokens/count-tokens.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import { expectError, upstreamMessages } from './state-helpers.js';

let client: OpenAI;

const harness = useHarness(
  { kind: 'text', text: 'Hello from the mock upstream.' },
  {
    config: (mock) => ({
      providers: [
        {
          name: 'openai',
          type: 'openai-chat',
          baseUrl: mock.baseUrl,
          apiKey: 'upstream-key',
          models: [
            { id: 'tiny', contextWindow: 200, maxOutputTokens: 50 },
            { id: 'tiny-gpt', contextWindow: 200, tokenizer: 'o200k_base' },
          ],
        },
      ],
    }),
  },
);
beforeAll(() => {
  client = sdkClient(harness);
});

describe('POST /v1/responses/input_tokens', () => {
  it('counts with o200k_base for OpenAI models, through the SDK, without calling the upstream', async () => {
    const count = await client.responses.inputTokens.count({ model: 'gpt-4o', input: 'Hello world' });
    expect(count).toEqual({
      object: 'response.input_tokens',
      input_tokens: REPLY_PRIMING + MESSAGE_OVERHEAD + 2,
    });
    const withInstructions = await client.responses.inputTokens.count({
      model: 'gpt-4o',
      instructions: 'Hello world',
      input: [{ role: 'user', content: 'Hello world' }],
    });
    expect(withInstructions.input_tokens).toBe(REPLY_PRIMING + 2 * (MESSAGE_OVERHEAD + 2));
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('counts tools, and works without a model', async () => {
    const plain = await client.responses.inputTokens.count({ input: 'Weather in Paris?' });
    const withTools = await client.responses.inputTokens.count({
      input: 'Weather in Paris?',
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Current weather for a city.',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          strict: true,
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });
    expect(withTools.input_tokens).toBeGreaterThan(plain.input_tokens + 20);
  });

  it('estimates UTF-8 bytes / 4 for other models', async () => {
    const count = await client.responses.inputTokens.count({
      model: 'claude-sonnet-4-5',
      input: 'a'.repeat(400),
    });
    expect(count.input_tokens).toBe(REPLY_PRIMING + MESSAGE_OVERHEAD + 100);
  });

  it('resolves previous_response_id and conversation like a create', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'The capital of France is Paris.' });
    const first = await client.responses.create({ model: 'gpt-4o', input: 'What is the capital of France?' });
    const alone = await client.responses.inputTokens.count({ model: 'gpt-4o', input: 'And Italy?' });
    const chained = await client.responses.inputTokens.count({
      model: 'gpt-4o',
      input: 'And Italy?',
      previous_response_id: first.id,
    });
    expect(chained.input_tokens).toBeGreaterThan(alone.input_tokens + 2 * MESSAGE_OVERHEAD + 10);

    const conversation = await client.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'What is the capital of France?' }],
    });
    const inConversation = await client.responses.inputTokens.count({
      model: 'gpt-4o',
      input: 'And Italy?',
      conversation: conversation.id,
    });
    expect(inConversation.input_tokens).toBeGreaterThan(alone.input_tokens + MESSAGE_OVERHEAD);
    expect(harness.mock.requests).toHaveLength(1);
  });

  it('with truncation "auto", counts what would be sent after dropping the oldest items', async () => {
    const input = [
      { role: 'user' as const, content: 'old '.repeat(200) },
      { role: 'assistant' as const, content: 'older answer' },
      { role: 'user' as const, content: 'Hello world' },
    ];
    const all = await client.responses.inputTokens.count({ model: 'tiny-gpt', input });
    const truncated = await client.responses.inputTokens.count({
      model: 'tiny-gpt',
      input,
      truncation: 'auto',
    });
    expect(all.input_tokens).toBeGreaterThan(100);
    // Only the oldest message had to go: 'older answer' and 'Hello world' are two tokens each.
    expect(truncated.input_tokens).toBe(REPLY_PRIMING + 2 * (MESSAGE_OVERHEAD + 2));
  });

  it('validates like the other endpoints', async () => {
    expectError(await harness.post('/v1/responses/input_tokens', { model: 'gpt-4o', stream: true }), 400, {
      param: 'stream',
      code: 'unknown_parameter',
    });
    expectError(
      await harness.post('/v1/responses/input_tokens', { input: 'x', previous_response_id: 'resp_missing' }),
      400,
      { param: 'previous_response_id', code: 'previous_response_not_found' },
    );
    expectError(
      await harness.post('/v1/responses/input_tokens', {
        input: 'x',
        previous_response_id: 'resp_1',
        conversation: 'conv_1',
      }),
      400,
      { code: 'mutually_exclusive_parameters' },
    );
    expectError(
      await harness.post('/v1/responses/input_tokens', { input: 'x', truncation: 'sometimes' }),
      400,
      {
        param: 'truncation',
        code: 'invalid_value',
      },
    );
  });
});

describe('context window on create', () => {
  const long = 'word '.repeat(200);

  it('truncation "disabled": an input over the window is refused before the upstream is called', async () => {
    const result = await harness.post('/v1/responses', { model: 'tiny', input: long });
    expectError(result, 400, { param: 'input', code: 'context_length_exceeded' });
    expect(result.body.error.message).toBe(
      'Your input exceeds the context window of this model. Please adjust your input and try again.',
    );
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('truncation "auto": the oldest items are dropped, the instructions kept', async () => {
    const response = await client.responses.create({
      model: 'tiny',
      instructions: 'Be brief.',
      truncation: 'auto',
      input: [
        { role: 'user', content: long },
        { role: 'assistant', content: 'Noted.' },
        { role: 'user', content: 'Hi!' },
      ],
    });
    expect(response.status).toBe('completed');
    expect(response.truncation).toBe('auto');
    const messages = upstreamMessages(harness);
    expect(messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(JSON.stringify(messages)).not.toContain('word word');
    expect(messages.at(-1)).toMatchObject({ role: 'user' });
    expect(JSON.stringify(messages.at(-1))).toContain('Hi!');
  });

  it('a model the gateway knows nothing about gets 128k: a normal request is not counted at all', async () => {
    const response = await client.responses.create({ model: 'some-local-model', input: 'Hello' });
    expect(response.status).toBe('completed');
    expect(harness.mock.requests).toHaveLength(1);
  });
});

/**
 * End to end with a real model: the bundled stories260K (a 1.2 MB Llama trained on TinyStories),
 * run in-process by node-llama-cpp, served by a gateway configured with no provider at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODEL_SOFT_MAX_OUTPUT_TOKENS } from '../../../src/config/load-config.js';
import { collapse } from '../../helpers/sse.js';
import { streamThenHangUp } from '../../helpers/test-gateway.js';
import { type Any, type ProviderGateway, startProviderGateway } from '../provider-gateway.js';

/** What the model writes after "Once upon a time" at temperature 0. */
const KNOWN =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw';

let gw: ProviderGateway;

beforeAll(async () => {
  gw = await startProviderGateway({});
});
afterAll(async () => {
  await gw?.close();
});

describe('the bundled local model through the gateway', () => {
  it('generates the known story, stopping at max_output_tokens as incomplete', async () => {
    const { status, body } = await gw.post('/v1/responses', {
      model: 'local/stories260K',
      input: 'Once upon a time',
      temperature: 0,
      max_output_tokens: 24,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      model: 'local/stories260K',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      usage: { input_tokens: 6, output_tokens: 24, total_tokens: 30 },
    });
    const story = `Once upon a time${body.output_text}`;
    expect(story.length).toBeGreaterThan(50);
    expect(KNOWN.startsWith(story)).toBe(true);
  });

  it("answers the README's first request as completed: the story ends on its own", async () => {
    // Temperature 1 (the default): the story ends at the model's BOS, or at a sentence end past the
    // bundled model's soft budget, never at the context limit.
    for (let i = 0; i < 3; i++) {
      const { status, body } = await gw.post('/v1/responses', {
        model: 'llama3.2',
        input: 'Tell me a three sentence bedtime story about a unicorn.',
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'completed', incomplete_details: null, max_output_tokens: null });
      expect(body.output_text.length).toBeGreaterThan(0);
      expect(body.usage.output_tokens).toBeLessThan(BUNDLED_MODEL_SOFT_MAX_OUTPUT_TOKENS + 100);
    }
  });

  it('streams token by token under any model name, through the SDK', async () => {
    const stream = await gw.client.responses.create({
      model: 'gpt-4o',
      input: 'Once upon a time',
      temperature: 0,
      max_output_tokens: 16,
      stream: true,
    });
    const events: Any[] = [];
    for await (const event of stream) events.push(event);
    expect(collapse(events.map((e) => e.type))).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta×16',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
    const final = events.at(-1).response;
    expect(final.model).toBe('gpt-4o');
    expect(deltas.join('')).toBe(final.output_text);
    expect(KNOWN.startsWith(`Once upon a time${final.output_text}`)).toBe(true);
  });

  it('keeps to a JSON schema with a grammar', async () => {
    const { body } = await gw.post('/v1/responses', {
      model: 'local/stories260K',
      input: 'Was the park fun?',
      temperature: 0,
      max_output_tokens: 64,
      text: {
        format: {
          type: 'json_schema',
          name: 'answer',
          schema: {
            type: 'object',
            properties: { fun: { type: 'boolean' }, mood: { enum: ['happy', 'sad'] } },
            required: ['fun', 'mood'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(body.status).toBe('completed');
    const parsed = JSON.parse(body.output_text);
    expect(typeof parsed.fun).toBe('boolean');
    expect(['happy', 'sad']).toContain(parsed.mood);
  });

  it('forces a function call with a grammar and continues after its output', async () => {
    const tools = [
      {
        type: 'function',
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: {
          type: 'object',
          properties: { city: { enum: ['Paris', 'Rome'] } },
          required: ['city'],
          additionalProperties: false,
        },
        strict: true,
      },
    ];
    const first = await gw.post('/v1/responses', {
      model: 'local/stories260K',
      input: 'What is the weather in Paris?',
      tools,
      tool_choice: { type: 'function', name: 'get_weather' },
      temperature: 0,
      max_output_tokens: 64,
    });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('completed');
    expect(first.body.output).toHaveLength(1);
    const call = first.body.output[0];
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    expect(call.call_id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(['Paris', 'Rome']).toContain(JSON.parse(call.arguments).city);

    const second = await gw.post('/v1/responses', {
      model: 'local/stories260K',
      input: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: 'Sunny, 20 degrees.' },
      ],
      // tool_choice auto: the tools are offered through node-llama-cpp's function calling.
      tools,
      temperature: 0,
      max_output_tokens: 16,
    });
    expect(second.status).toBe(200);
    expect(second.body.output.at(-1).type).toBe('message');
    expect(second.body.output_text.length).toBeGreaterThan(0);
  });

  it('refuses input longer than the context window before generating', async () => {
    const { status, body } = await gw.post('/v1/responses', {
      model: 'local/stories260K',
      input: 'The cat sat on the mat. '.repeat(400),
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'input',
      code: 'context_length_exceeded',
    });
  });

  it('serves concurrent requests (more than its sequences) with the same deterministic output', async () => {
    const ask = () =>
      gw.post('/v1/responses', {
        model: 'local/stories260K',
        input: 'Once upon a time',
        temperature: 0,
        max_output_tokens: 16,
      });
    const answers = await Promise.all([ask(), ask(), ask()]);
    for (const answer of answers) expect(answer.status).toBe(200);
    const texts = answers.map((a) => a.body.output_text);
    expect(new Set(texts).size).toBe(1);
    expect(KNOWN.startsWith(`Once upon a time${texts[0]}`)).toBe(true);
  });

  it('stops generating when the client goes away, freeing the model for the next request', async () => {
    const aborted = () =>
      streamThenHangUp(gw, {
        model: 'local/stories260K',
        input: 'Once upon a time',
        max_output_tokens: 1500,
      });
    // Both sequences busy with long generations, then dropped: a third request must not wait for them.
    await Promise.all([aborted(), aborted()]);
    const started = Date.now();
    const { body } = await gw.post('/v1/responses', {
      model: 'local/stories260K',
      input: 'Once upon a time',
      temperature: 0,
      max_output_tokens: 16,
    });
    expect(body.status).toBe('incomplete');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

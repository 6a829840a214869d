/**
 * POST /v1/responses over raw HTTP: the Response object, the event stream (framing, order, fold)
 * and what the Chat Completions upstream receives.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { collapse } from '../helpers/sse.js';
import { postStream } from '../helpers/test-gateway.js';
import { type Any, checkStream, withoutIds } from './stream-helpers.js';

const harness = useHarness({ kind: 'text', text: 'Hello from the mock upstream.' });

const create = (body: Record<string, unknown>) => harness.post('/v1/responses', body);
const upstreamBody = (n = 0): Any => harness.mock.requests[n]!.body;

const WEATHER_TOOL = {
  type: 'function',
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

describe('non-streaming create', () => {
  it('returns a Response with every field, echoing the request parameters', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: '{"answer":4}',
      usage: { prompt_tokens: 19, completion_tokens: 9, cached_tokens: 4, reasoning_tokens: 3 },
    });
    const format = {
      type: 'json_schema',
      name: 'answer',
      schema: {
        type: 'object',
        properties: { answer: { type: 'number' } },
        required: ['answer'],
        additionalProperties: false,
      },
      strict: true,
    };
    const before = Math.floor(Date.now() / 1000);
    const { status, headers, body } = await create({
      model: 'openai/gpt-echo',
      input: 'What is 2+2?',
      instructions: 'Answer in JSON.',
      temperature: 0.5,
      top_p: 0.9,
      max_output_tokens: 100,
      metadata: { project: 'e2e', empty: '' },
      tools: [{ type: 'function', name: 'noop' }],
      tool_choice: 'none',
      parallel_tool_calls: false,
      text: { format, verbosity: 'low' },
      reasoning: { effort: 'low', summary: 'auto' },
      store: false,
      truncation: 'auto',
      service_tier: 'default',
      top_logprobs: 2,
      prompt_cache_key: 'cache-key-1',
      safety_identifier: 'user-hash-1',
      user: 'legacy-user',
    });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{48}$/);
    expect(body).toEqual({
      id: expect.stringMatching(/^resp_[0-9a-f]{48}$/),
      object: 'response',
      created_at: expect.any(Number),
      status: 'completed',
      background: false,
      completed_at: expect.any(Number),
      content_filters: null,
      conversation: null,
      error: null,
      frequency_penalty: 0,
      incomplete_details: null,
      instructions: 'Answer in JSON.',
      max_output_tokens: 100,
      max_tool_calls: null,
      model: 'openai/gpt-echo',
      output: [
        {
          id: expect.stringMatching(/^msg_[0-9a-f]{48}$/),
          type: 'message',
          status: 'completed',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text: '{"answer":4}' }],
          role: 'assistant',
        },
      ],
      output_text: '{"answer":4}',
      parallel_tool_calls: false,
      presence_penalty: 0,
      previous_response_id: null,
      prompt: null,
      prompt_cache_key: 'cache-key-1',
      prompt_cache_retention: null,
      reasoning: { effort: 'low', summary: 'auto' },
      safety_identifier: 'user-hash-1',
      service_tier: 'default',
      store: false,
      temperature: 0.5,
      text: { format, verbosity: 'low' },
      tool_choice: 'none',
      tools: [{ type: 'function', name: 'noop', description: null, parameters: null, strict: null }],
      top_logprobs: 2,
      top_p: 0.9,
      truncation: 'auto',
      usage: {
        input_tokens: 19,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 9,
        output_tokens_details: { reasoning_tokens: 3 },
        total_tokens: 28,
      },
      user: 'legacy-user',
      metadata: { project: 'e2e', empty: '' },
    });
    expect(body.created_at).toBeGreaterThanOrEqual(before);
    expect(body.completed_at).toBeGreaterThanOrEqual(body.created_at);
    // The provider prefix routes; the upstream sees the bare model id.
    expect(upstreamBody().model).toBe('gpt-echo');
  });

  it('fills defaults for everything the request left out', async () => {
    const { status, body } = await create({ model: 'gpt-min', input: 'Hi' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'completed',
      model: 'gpt-min',
      instructions: null,
      max_output_tokens: null,
      metadata: {},
      parallel_tool_calls: true,
      reasoning: { effort: null, summary: null },
      service_tier: 'auto',
      store: true,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_logprobs: 0,
      top_p: 1,
      truncation: 'disabled',
      user: null,
      output_text: 'Hello from the mock upstream.',
    });
    expect(upstreamBody()).toEqual({
      model: 'gpt-min',
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });
});

describe('streaming create', () => {
  it('streams text with the exact event order and framing', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'Hello world', chunks: ['Hel', 'lo ', 'world'] });
    const result = await postStream(harness, { model: 'gpt-stream', input: 'Hi' });
    expect(result.headers.get('cache-control')).toBe('no-cache');
    const output = checkStream(result);
    expect(result.types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const data = result.data;
    expect(data[2].item).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      status: 'in_progress',
      content: [],
      role: 'assistant',
    });
    expect(data[3]).toMatchObject({
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
    });
    expect(data.slice(4, 7).map((d: Any) => d.delta)).toEqual(['Hel', 'lo ', 'world']);
    for (const d of data.slice(4, 7)) expect(d).toMatchObject({ logprobs: [], item_id: data[2].item.id });
    expect(data[7]).toMatchObject({ text: 'Hello world', logprobs: [] });
    const completed = data.at(-1).response;
    expect(completed).toMatchObject({ status: 'completed', model: 'gpt-stream', output_text: 'Hello world' });
    expect(completed.completed_at).toEqual(expect.any(Number));
    expect(completed.usage).toMatchObject({
      input_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    expect(output[0].content[0].text).toBe('Hello world');
    // The response.created snapshot names the same response.
    expect(data[0].response.id).toBe(completed.id);
    expect(data[1].response).toMatchObject({ id: completed.id, status: 'in_progress' });
    expect(upstreamBody().stream_options).toEqual({ include_usage: true });
    expect(upstreamBody().stream).toBe(true);
  });

  it('maps reasoning_content to a reasoning item with reasoning_text parts', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: 'It is 4.',
      reasoning: 'Two plus two is four.',
      usage: { prompt_tokens: 10, completion_tokens: 12, reasoning_tokens: 6 },
    });
    const result = await postStream(harness, {
      model: 'gpt-r',
      input: '2+2?',
      reasoning: { effort: 'high' },
    });
    const output = checkStream(result);
    expect(collapse(result.types)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta×3',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta×3',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(result.data[2].item).toEqual({
      id: expect.stringMatching(/^rs_[0-9a-f]{48}$/),
      type: 'reasoning',
      summary: [],
    });
    expect(result.data[3].part).toEqual({ type: 'reasoning_text', text: '' });
    expect(output[0]).toEqual({
      id: result.data[2].item.id,
      type: 'reasoning',
      summary: [],
      content: [{ type: 'reasoning_text', text: 'Two plus two is four.' }],
    });
    expect(result.data.at(-1).response.usage).toMatchObject({
      output_tokens: 12,
      output_tokens_details: { reasoning_tokens: 6 },
    });
    expect(upstreamBody().reasoning_effort).toBe('high');
  });

  it('also reads the `reasoning` delta field', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: 'Done.',
      reasoning: 'Thinking hard.',
      reasoningField: 'reasoning',
    });
    const result = await postStream(harness, { model: 'gpt-r', input: 'Go' });
    const output = checkStream(result);
    expect(output.map((item: Any) => item.type)).toEqual(['reasoning', 'message']);
    expect(output[0].content[0].text).toBe('Thinking hard.');
  });

  it('streams a refusal as refusal.delta / refusal.done', async () => {
    harness.mock.enqueue({ kind: 'text', text: '', refusal: "I can't help with that." });
    const result = await postStream(harness, { model: 'gpt-x', input: 'Something bad' });
    const output = checkStream(result);
    expect(collapse(result.types)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.refusal.delta×3',
      'response.refusal.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(result.data[3].part).toEqual({ type: 'refusal', refusal: '' });
    expect(output[0].content).toEqual([{ type: 'refusal', refusal: "I can't help with that." }]);
    expect(result.data.at(-1).response.output_text).toBe('');
  });

  it('streams a function call with its arguments, name and call_id', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [{ id: 'call_abc123', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    });
    const result = await postStream(harness, {
      model: 'gpt-x',
      input: 'Weather in Paris?',
      tools: [WEATHER_TOOL],
    });
    const output = checkStream(result);
    expect(collapse(result.types)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta×3',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(result.data[2].item).toEqual({
      id: expect.stringMatching(/^fc_[0-9a-f]{48}$/),
      type: 'function_call',
      status: 'in_progress',
      arguments: '',
      call_id: 'call_abc123',
      name: 'get_weather',
    });
    expect(result.data.at(-3)).toMatchObject({ arguments: '{"city":"Paris"}', name: 'get_weather' });
    expect(output).toEqual([
      {
        id: result.data[2].item.id,
        type: 'function_call',
        status: 'completed',
        arguments: '{"city":"Paris"}',
        call_id: 'call_abc123',
        name: 'get_weather',
      },
    ]);
    expect(result.data.at(-1).response.output_text).toBe('');
  });

  it('streams parallel tool calls as items one after the other, with increasing output_index', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: 'Checking both.',
      toolCalls: [
        { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_2', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
      ],
    });
    const result = await postStream(harness, {
      model: 'gpt-x',
      input: 'Paris and Tokyo?',
      tools: [WEATHER_TOOL],
    });
    const output = checkStream(result);
    expect(collapse(result.types)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta×3',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta×3',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta×3',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(output.map((item: Any) => [item.type, item.call_id, item.arguments])).toEqual([
      ['message', undefined, undefined],
      ['function_call', 'call_1', '{"city":"Paris"}'],
      ['function_call', 'call_2', '{"city":"Tokyo"}'],
    ]);
    const added = result.data.filter((d: Any) => d.type === 'response.output_item.added');
    expect(added.map((d: Any) => d.output_index)).toEqual([0, 1, 2]);
  });

  it('streams a custom tool call', async () => {
    harness.mock.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [
        {
          id: 'call_patch',
          name: 'apply_patch',
          arguments: '*** Begin Patch\n*** End Patch',
          type: 'custom',
        },
      ],
    });
    const result = await postStream(harness, {
      model: 'gpt-x',
      input: 'Patch it',
      tools: [{ type: 'custom', name: 'apply_patch', description: 'Applies a patch.' }],
    });
    const output = checkStream(result);
    expect(collapse(result.types)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.custom_tool_call_input.delta×3',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(output).toEqual([
      {
        id: expect.stringMatching(/^ctc_[0-9a-f]{48}$/),
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'call_patch',
        input: '*** Begin Patch\n*** End Patch',
        name: 'apply_patch',
      },
    ]);
    expect(upstreamBody().tools).toEqual([
      { type: 'custom', custom: { name: 'apply_patch', description: 'Applies a patch.' } },
    ]);
  });

  it('carries logprobs when message.output_text.logprobs is included', async () => {
    harness.mock.enqueue({ kind: 'text', text: 'Hi there', chunks: ['Hi', ' there'] });
    const result = await postStream(harness, {
      model: 'gpt-x',
      input: 'Hello',
      include: ['message.output_text.logprobs'],
      top_logprobs: 2,
    });
    const output = checkStream(result);
    expect(upstreamBody()).toMatchObject({ logprobs: true, top_logprobs: 2 });
    const deltas = result.data.filter((d: Any) => d.type === 'response.output_text.delta');
    expect(deltas.map((d: Any) => d.logprobs.map((l: Any) => l.token))).toEqual([['Hi'], [' there']]);
    const first = deltas[0].logprobs[0];
    expect(first).toEqual({
      token: 'Hi',
      logprob: expect.any(Number),
      bytes: [72, 105],
      top_logprobs: [
        { token: 'Hi', logprob: expect.any(Number), bytes: [72, 105] },
        { token: 'Hi~1', logprob: expect.any(Number), bytes: expect.any(Array) },
      ],
    });
    const added = result.data.find((d: Any) => d.type === 'response.content_part.added');
    expect(added.part).toEqual({ type: 'output_text', annotations: [], logprobs: [], text: '' });
    const done = result.data.find((d: Any) => d.type === 'response.output_text.done');
    expect(done.logprobs.map((l: Any) => l.token)).toEqual(['Hi', ' there']);
    expect(output[0].content[0].logprobs).toHaveLength(2);
    expect(result.data.at(-1).response.top_logprobs).toBe(2);
  });

  it('sends empty logprobs everywhere and asks none from upstream when they are not included', async () => {
    const result = await postStream(harness, { model: 'gpt-x', input: 'Hello', top_logprobs: 2 });
    checkStream(result);
    expect(upstreamBody().logprobs).toBeUndefined();
    expect(upstreamBody().top_logprobs).toBeUndefined();
    for (const d of result.data) {
      if (d.type === 'response.output_text.delta' || d.type === 'response.output_text.done') {
        expect(d.logprobs).toEqual([]);
      }
    }
    // The parts carry `logprobs` as OpenAI's do: empty, in the events and in the Response.
    const [added, done] = ['response.content_part.added', 'response.content_part.done'].map((type) =>
      result.data.find((d: Any) => d.type === type),
    );
    expect(added.part).toEqual({ type: 'output_text', annotations: [], logprobs: [], text: '' });
    expect(done.part).toMatchObject({ type: 'output_text', logprobs: [] });
    expect(result.data.at(-1).response.output[0].content[0]).toMatchObject({ logprobs: [] });
  });

  it('adds obfuscation to deltas by default and leaves it out when asked', async () => {
    harness.mock.defaultReply = {
      kind: 'text',
      text: 'Some text',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
    };
    const body = { model: 'gpt-x', input: 'Hi', tools: [WEATHER_TOOL] };
    const on = await postStream(harness, body);
    checkStream(on);
    const deltas = on.data.filter((d: Any) => d.type.endsWith('.delta'));
    expect(deltas.length).toBeGreaterThan(0);
    for (const d of deltas) expect(d.obfuscation).toMatch(/^[A-Za-z0-9]+$/);

    const off = await postStream(harness, { ...body, stream_options: { include_obfuscation: false } });
    checkStream(off);
    for (const d of off.data) expect(d).not.toHaveProperty('obfuscation');
    expect(off.raw).not.toContain('obfuscation');
  });

  it('ends with the same Response a non-streaming call returns for the same script', async () => {
    harness.mock.defaultReply = {
      kind: 'text',
      text: 'Let me look that up.',
      reasoning: 'The user wants weather.',
      toolCalls: [{ id: 'call_same', name: 'get_weather', arguments: '{"city":"Rome"}' }],
      usage: { prompt_tokens: 30, completion_tokens: 20, cached_tokens: 10, reasoning_tokens: 5 },
    };
    const body = {
      model: 'gpt-same',
      input: 'Weather in Rome?',
      tools: [WEATHER_TOOL],
      include: ['message.output_text.logprobs'],
      top_logprobs: 1,
      metadata: { run: 'same' },
    };
    const streamed = await postStream(harness, body);
    const output = checkStream(streamed);
    const { status, body: plain } = await create(body);
    expect(status).toBe(200);
    const completed = streamed.data.at(-1).response;
    expect(completed.output).toEqual(output);
    expect(withoutIds(completed)).toEqual(withoutIds(plain));
    expect(plain.output.map((item: Any) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(plain.output[1].content[0].logprobs.length).toBeGreaterThan(0);
  });

  it('keeps concurrent streams apart', async () => {
    harness.mock.defaultReply = (body: Any) => ({
      kind: 'text',
      text: `echo ${body.messages[0].content}`,
      delayMs: 5,
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => postStream(harness, { model: 'gpt-x', input: `n${i}` })),
    );
    results.forEach((result, i) => {
      checkStream(result);
      expect(result.data.at(-1).response.output_text).toBe(`echo n${i}`);
    });
    expect(new Set(results.map((r) => r.data[0].response.id)).size).toBe(6);
  });

  it('maps finish_reason length to an incomplete response (streaming and not)', async () => {
    harness.mock.defaultReply = { kind: 'text', text: 'This answer was cut', finishReason: 'length' };
    const body = { model: 'gpt-x', input: 'Long story', max_output_tokens: 16 };
    const streamed = await postStream(harness, body);
    const output = checkStream(streamed);
    expect(streamed.types.at(-1)).toBe('response.incomplete');
    expect(streamed.types).not.toContain('response.completed');
    const last = streamed.data.at(-1).response;
    expect(last).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      completed_at: null,
      error: null,
      output_text: 'This answer was cut',
    });
    expect(output[0].status).toBe('incomplete');
    expect(upstreamBody().max_completion_tokens).toBe(16);

    const { status, body: plain } = await create(body);
    expect(status).toBe(200);
    expect(withoutIds(plain)).toEqual(withoutIds(last));
  });

  it('maps finish_reason content_filter to an incomplete response', async () => {
    harness.mock.defaultReply = { kind: 'text', text: 'Partial', finishReason: 'content_filter' };
    const streamed = await postStream(harness, { model: 'gpt-x', input: 'Hmm' });
    checkStream(streamed);
    expect(streamed.types.at(-1)).toBe('response.incomplete');
    expect(streamed.data.at(-1).response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
    });
    const { body: plain } = await create({ model: 'gpt-x', input: 'Hmm' });
    expect(plain).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
  });
});

describe('request mapping to Chat Completions', () => {
  it('maps instructions and every input item kind to chat messages', async () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=';
    const pdf = 'data:application/pdf;base64,JVBERi0xLjQK';
    const { status } = await create({
      model: 'gpt-map',
      instructions: 'You are terse.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in these?' },
            { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'low' },
            { type: 'input_image', image_url: png, detail: 'high' },
            { type: 'input_image', image_url: 'https://example.com/dog.png' },
            { type: 'input_file', filename: 'report.pdf', file_data: pdf },
          ],
        },
        {
          type: 'message',
          id: 'msg_prev',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'A cat, a dot and a report.', annotations: [] }],
        },
        { role: 'user', content: 'Weather in Paris?' },
        {
          type: 'function_call',
          id: 'fc_prev',
          call_id: 'call_w1',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        },
        { type: 'function_call_output', call_id: 'call_w1', output: '{"temp_c":21}' },
        { role: 'developer', content: 'Answer in Celsius.' },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(status).toBe(200);
    expect(upstreamBody().messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
          { type: 'image_url', image_url: { url: png, detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/dog.png', detail: 'auto' } },
          { type: 'file', file: { file_data: pdf, filename: 'report.pdf' } },
        ],
      },
      { role: 'assistant', content: 'A cat, a dot and a report.' },
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_w1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_w1', content: '{"temp_c":21}' },
      { role: 'system', content: 'Answer in Celsius.' },
    ]);
  });

  it('maps tools, sampling, format, reasoning and token limits', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    };
    await create({
      model: 'gpt-map',
      input: 'Hi',
      tools: [WEATHER_TOOL, { type: 'function', name: 'no_params' }],
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'city', schema, strict: true, description: 'A city.' } },
      reasoning: { effort: 'medium' },
      max_output_tokens: 256,
      temperature: 0.2,
      top_p: 0.5,
      include: ['message.output_text.logprobs'],
      top_logprobs: 3,
    });
    expect(upstreamBody()).toEqual({
      model: 'gpt-map',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city.',
            parameters: WEATHER_TOOL.parameters,
            strict: true,
          },
        },
        { type: 'function', function: { name: 'no_params' } },
      ],
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'city', schema, strict: true, description: 'A city.' },
      },
      reasoning_effort: 'medium',
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.5,
      logprobs: true,
      top_logprobs: 3,
    });
  });

  it('maps text.format json_object', async () => {
    await create({ model: 'gpt-map', input: 'JSON please', text: { format: { type: 'json_object' } } });
    expect(upstreamBody().response_format).toEqual({ type: 'json_object' });
  });

  it.each([
    ['none', 'none'],
    ['auto', 'auto'],
    ['required', 'required'],
    [
      { type: 'function', name: 'get_weather' },
      { type: 'function', function: { name: 'get_weather' } },
    ],
    [
      { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'get_weather' }] },
      {
        type: 'allowed_tools',
        allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'get_weather' } }] },
      },
    ],
  ])('maps tool_choice %j', async (choice, expected) => {
    const { status, body } = await create({
      model: 'gpt-map',
      input: 'Hi',
      tools: [WEATHER_TOOL],
      tool_choice: choice,
    });
    expect(status).toBe(200);
    expect(upstreamBody().tool_choice).toEqual(expected);
    expect(body.tool_choice).toEqual(choice);
  });

  it('refuses a tool_choice naming a function that is not in tools', async () => {
    const { status, body } = await create({
      model: 'gpt-map',
      input: 'Hi',
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', name: 'missing' },
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'tool_choice' });
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('drops web_search tools without forwarding them', async () => {
    const { status, body } = await create({
      model: 'gpt-map',
      input: 'Hi',
      tools: [{ type: 'web_search' }, WEATHER_TOOL],
    });
    expect(status).toBe(200);
    expect(upstreamBody().tools).toEqual([
      expect.objectContaining({ function: expect.objectContaining({ name: 'get_weather' }) }),
    ]);
    expect(body.tools).toHaveLength(2);

    harness.mock.reset();
    await create({ model: 'gpt-map', input: 'Hi', tools: [{ type: 'web_search_preview' }] });
    expect(upstreamBody()).not.toHaveProperty('tools');
    expect(upstreamBody()).not.toHaveProperty('parallel_tool_calls');
  });

  it('refuses a built-in tool without a backend with 400 tools[0].type', async () => {
    const { status, body } = await create({
      model: 'gpt-map',
      input: 'Hi',
      // file_search and code_interpreter run in the gateway now; image generation has no backend.
      tools: [{ type: 'image_generation' }],
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        message: expect.stringContaining('image_generation'),
        type: 'invalid_request_error',
        param: 'tools[0].type',
        code: expect.any(String),
      },
    });
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('asks for usage on streamed calls only', async () => {
    await create({ model: 'gpt-map', input: 'Hi' });
    expect(upstreamBody()).not.toHaveProperty('stream_options');
    await postStream(harness, { model: 'gpt-map', input: 'Hi' });
    expect(upstreamBody(1)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('forwards user identity, service tier and prompt cache key', async () => {
    await create({
      model: 'gpt-map',
      input: 'Hi',
      safety_identifier: 'sid-1',
      service_tier: 'flex',
      prompt_cache_key: 'pck-1',
    });
    expect(upstreamBody()).toMatchObject({ user: 'sid-1', service_tier: 'flex', prompt_cache_key: 'pck-1' });
    expect(harness.mock.requests[0]!.headers.authorization).toBe('Bearer upstream-key');
  });
});

/** End to end: the gateway's Responses API in front of the Anthropic mock, over HTTP and the openai SDK. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collapse } from '../../helpers/sse.js';
import { type MockAnthropicUpstream, startMockAnthropicUpstream } from '../../mocks/anthropic-mock.js';
import { type Any, type ProviderGateway, startProviderGateway } from '../provider-gateway.js';

let mock: MockAnthropicUpstream;
let gw: ProviderGateway;

beforeAll(async () => {
  mock = await startMockAnthropicUpstream({ apiKey: 'k' });
  gw = await startProviderGateway({ ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'k' });
});
afterEach(() => mock.reset());
afterAll(async () => {
  await gw?.close();
  await mock?.close();
});

const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};

describe('Anthropic through the gateway', () => {
  it('routes anthropic/<model> to the Messages API and answers with a Response', async () => {
    mock.enqueue({
      kind: 'text',
      text: 'Hello there!',
      usage: { input_tokens: 12, output_tokens: 4, cache_read_input_tokens: 8 },
    });
    const { status, body } = await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      instructions: 'Be brief.',
      input: 'Hi',
      max_output_tokens: 256,
      temperature: 0.5,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'anthropic/claude-x',
      output_text: 'Hello there!',
      usage: {
        input_tokens: 20,
        input_tokens_details: { cached_tokens: 8 },
        output_tokens: 4,
        total_tokens: 24,
      },
    });
    expect(body.output).toHaveLength(1);
    expect(body.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    const sent = mock.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('k');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toEqual({
      model: 'claude-x',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 256,
      temperature: 0.5,
    });
  });

  it('streams thinking and text with the exact event sequence', async () => {
    mock.enqueue({
      kind: 'text',
      text: 'The answer is 4.',
      thinking: { thinking: 'Two plus two is four.', signature: 'c2ln' },
    });
    const { status, events } = await gw.stream({
      model: 'anthropic/claude-x',
      input: 'What is 2+2?',
      reasoning: { effort: 'medium' },
    });
    expect(status).toBe(200);
    expect(collapse(events.map((e) => e.event))).toEqual([
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
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    const done = events.at(-1)!.data.response;
    expect(done.output[0]).toMatchObject({
      type: 'reasoning',
      content: [{ type: 'reasoning_text', text: 'Two plus two is four.' }],
    });
    expect(done.output_text).toBe('The answer is 4.');
    expect(mock.requests[0]!.body).toMatchObject({
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 4096 },
      max_tokens: 8192,
    });
  });

  it('round-trips a function call: tool_use out, tool_result back', async () => {
    mock.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [{ id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }],
    });
    const first = await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: 'Weather in Paris?',
      tools: [weatherTool],
    });
    expect(first.status).toBe(200);
    const call = first.body.output[0];
    expect(call).toMatchObject({
      type: 'function_call',
      call_id: 'toolu_01',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      status: 'completed',
    });
    expect(mock.requests[0]!.body.tools).toEqual([
      { name: 'get_weather', description: 'Weather for a city', input_schema: weatherTool.parameters },
    ]);

    mock.enqueue({ kind: 'text', text: 'It is 18°C in Paris.' });
    const second = await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '{"temp":18}' },
      ],
      tools: [weatherTool],
    });
    expect(second.status).toBe(200);
    expect(second.body.output_text).toBe('It is 18°C in Paris.');
    expect(mock.requests[1]!.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '{"temp":18}' }] },
    ]);
  });

  it('streams parallel tool calls as consecutive function_call items and sends their results in one turn', async () => {
    mock.enqueue({
      kind: 'text',
      text: 'Checking both.',
      toolCalls: [
        { id: 'toolu_a', name: 'get_weather', input: { city: 'Paris' } },
        { id: 'toolu_b', name: 'get_weather', input: { city: 'Rome' } },
      ],
    });
    const { events } = await gw.stream({
      model: 'anthropic/claude-x',
      input: 'Paris and Rome?',
      tools: [weatherTool],
      parallel_tool_calls: false,
    });
    expect(mock.requests[0]!.body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    const added = events.filter((e) => e.event === 'response.output_item.added').map((e) => e.data);
    expect(added.map((d: Any) => [d.output_index, d.item.type, d.item.call_id])).toEqual([
      [0, 'message', undefined],
      [1, 'function_call', 'toolu_a'],
      [2, 'function_call', 'toolu_b'],
    ]);
    const output = events.at(-1)!.data.response.output;
    expect(output.slice(1).map((item: Any) => item.arguments)).toEqual([
      '{"city":"Paris"}',
      '{"city":"Rome"}',
    ]);

    mock.enqueue({ kind: 'text', text: 'Both sunny.' });
    const next = await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: [
        { role: 'user', content: 'Paris and Rome?' },
        ...output.slice(1).map((item: Any) => ({
          type: 'function_call',
          call_id: item.call_id,
          name: item.name,
          arguments: item.arguments,
        })),
        { type: 'function_call_output', call_id: 'toolu_a', output: 'sunny' },
        { type: 'function_call_output', call_id: 'toolu_b', output: 'sunny' },
      ],
      tools: [weatherTool],
    });
    expect(next.status).toBe(200);
    expect(mock.requests[1]!.body.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_a', content: 'sunny' },
        { type: 'tool_result', tool_use_id: 'toolu_b', content: 'sunny' },
      ],
    });
  });

  it('sends image URLs and data URLs as image blocks', async () => {
    const png = 'iVBORw0KGgo=';
    await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Compare these.' },
            { type: 'input_image', image_url: 'https://example.com/a.jpg', detail: 'auto' },
            { type: 'input_image', image_url: `data:image/png;base64,${png}`, detail: 'low' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
          ],
        },
      ],
    });
    expect(mock.requests[0]!.body.messages[0].content).toEqual([
      { type: 'text', text: 'Compare these.' },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
        title: 'a.pdf',
      },
    ]);
  });

  it('returns reasoning with encrypted content and replays it as a signed thinking block', async () => {
    mock.enqueue({
      kind: 'text',
      text: '',
      thinking: { thinking: 'I should check the weather.', signature: 'EqQBsig' },
      toolCalls: [{ id: 'toolu_r', name: 'get_weather', input: { city: 'Oslo' } }],
    });
    const first = await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: 'Weather in Oslo?',
      tools: [weatherTool],
      reasoning: { effort: 'low' },
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    expect(first.status).toBe(200);
    const [reasoning, call] = first.body.output;
    expect(reasoning).toMatchObject({
      type: 'reasoning',
      content: [{ type: 'reasoning_text', text: 'I should check the weather.' }],
    });
    expect(typeof reasoning.encrypted_content).toBe('string');
    expect(call).toMatchObject({ type: 'function_call', call_id: 'toolu_r' });

    mock.enqueue({ kind: 'text', text: 'Cold.' });
    const second = await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: [
        { role: 'user', content: 'Weather in Oslo?' },
        ...first.body.output,
        { type: 'function_call_output', call_id: 'toolu_r', output: '-3°C' },
      ],
      tools: [weatherTool],
      reasoning: { effort: 'low' },
      store: false,
    });
    expect(second.status).toBe(200);
    const sent = mock.requests[1]!.body;
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(sent.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'I should check the weather.', signature: 'EqQBsig' },
      { type: 'tool_use', id: 'toolu_r', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
  });

  it('streams redacted thinking as a reasoning item without text and replays it', async () => {
    mock.enqueue({
      kind: 'text',
      text: '',
      content: [
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
        { type: 'text', text: 'Done.' },
      ],
    });
    const { events } = await gw.stream({
      model: 'anthropic/claude-x',
      input: 'Hi',
      reasoning: { effort: 'low' },
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    expect(collapse(events.map((e) => e.event)).slice(2, 5)).toEqual([
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
    ]);
    const output = events.at(-1)!.data.response.output;
    expect(output[0]).toMatchObject({
      type: 'reasoning',
      summary: [],
      encrypted_content: expect.any(String),
    });

    mock.enqueue({ kind: 'text', text: 'Again.' });
    await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: [{ role: 'user', content: 'Hi' }, ...output, { role: 'user', content: 'More?' }],
      reasoning: { effort: 'low' },
      store: false,
    });
    expect(mock.requests[1]!.body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
        { type: 'text', text: 'Done.' },
      ],
    });
  });

  it('answers json_schema requests through a forced tool, as output_text', async () => {
    mock.enqueue({
      kind: 'text',
      text: '',
      toolCalls: [{ name: 'city_info', input: { city: 'Paris', country: 'France' } }],
    });
    const client = gw.client;
    const response = await client.responses.create({
      model: 'anthropic/claude-x',
      input: 'Where is the Eiffel tower?',
      text: {
        format: {
          type: 'json_schema',
          name: 'city_info',
          strict: true,
          schema: {
            type: 'object',
            properties: { city: { type: 'string' }, country: { type: 'string' } },
            required: ['city', 'country'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(response.status).toBe('completed');
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Paris', country: 'France' });
    expect(response.output.map((item) => item.type)).toEqual(['message']);
    expect(mock.requests[0]!.body.tool_choice).toEqual({ type: 'tool', name: 'city_info' });
  });

  it('works with the openai SDK, streaming', async () => {
    mock.enqueue({ kind: 'text', text: 'Streaming through the SDK.' });
    const stream = await gw.client.responses.create({
      model: 'anthropic/claude-x',
      input: 'Hi',
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe('Streaming through the SDK.');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('maps a refusal stop to an incomplete response (content_filter)', async () => {
    mock.enqueue({ kind: 'text', text: 'I can’t help with that.', stopReason: 'refusal' });
    const { body } = await gw.post('/v1/responses', { model: 'anthropic/claude-x', input: 'x' });
    expect(body).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
  });

  it('maps max_tokens to an incomplete response (max_output_tokens)', async () => {
    mock.enqueue({ kind: 'text', text: 'Partial', stopReason: 'max_tokens' });
    const { body } = await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: 'x',
      max_output_tokens: 16,
    });
    expect(body).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });
});

describe('Anthropic errors through the gateway', () => {
  it('passes a 429 on with its retry-after as a rate_limit_error', async () => {
    mock.enqueue({ kind: 'http-error', status: 429, headers: { 'retry-after': '7' } });
    const { status, headers, body } = await gw.post('/v1/responses', {
      model: 'anthropic/claude-x',
      input: 'x',
    });
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('7');
    expect(body).toEqual({
      error: {
        message: expect.stringContaining('rate limit'),
        type: 'rate_limit_error',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
  });

  it('maps 529 overloaded to 503', async () => {
    mock.enqueue({ kind: 'http-error', status: 529 });
    const { status, body } = await gw.post('/v1/responses', { model: 'anthropic/claude-x', input: 'x' });
    expect(status).toBe(503);
    expect(body.error).toMatchObject({
      type: 'server_error',
      code: 'upstream_overloaded',
      message: expect.stringContaining('Overloaded'),
    });
  });

  it('keeps Anthropic’s message for a refused request', async () => {
    mock.enqueue({
      kind: 'http-error',
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'prompt is too long: 210000 tokens > 200000 maximum',
        },
      },
    });
    const { status, body } = await gw.post('/v1/responses', { model: 'anthropic/claude-x', input: 'x' });
    expect(status).toBe(400);
    expect(body.error).toEqual({
      message: 'prompt is too long: 210000 tokens > 200000 maximum',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it('turns a rejected upstream key into a 502, not the client’s 401', async () => {
    const other = await startProviderGateway({ ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'wrong' });
    try {
      const { status, body } = await other.post('/v1/responses', { model: 'anthropic/claude-x', input: 'x' });
      expect(status).toBe(502);
      expect(body.error.code).toBe('upstream_authentication_error');
    } finally {
      await other.close();
    }
  });

  it('fails the response on a mid-stream error event', async () => {
    mock.enqueue({
      kind: 'stream-error',
      afterText: 'Partial answ',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const { status, events } = await gw.stream({ model: 'anthropic/claude-x', input: 'x' });
    expect(status).toBe(200);
    const last = events.at(-1)!;
    expect(last.event).toBe('response.failed');
    expect(last.data.response.error).toMatchObject({
      code: 'server_error',
      message: expect.stringContaining('Overloaded'),
    });
    expect(last.data.response.output[0].content[0].text).toBe('Partial answ');
  });

  it('answers 503 (retryable, before any event) when the stream opens with an overload error', async () => {
    mock.enqueue({ kind: 'stream-error', afterText: '' });
    const { status, raw } = await gw.stream({ model: 'anthropic/claude-x', input: 'x' });
    expect(status).toBe(503);
    expect(JSON.parse(raw).error).toMatchObject({ type: 'server_error', code: 'upstream_overloaded' });
  });

  it('fails the response when the stream ends before message_stop', async () => {
    mock.enqueue({ kind: 'truncate', afterText: 'Cut' });
    const { events } = await gw.stream({ model: 'anthropic/claude-x', input: 'x' });
    expect(events.at(-1)!.event).toBe('response.failed');
  });

  it('answers 502 for a body that is not JSON', async () => {
    mock.enqueue({ kind: 'garbage', body: '<html>bad gateway</html>' });
    const { status, body } = await gw.post('/v1/responses', { model: 'anthropic/claude-x', input: 'x' });
    expect(status).toBe(502);
    expect(body.error.code).toBe('upstream_invalid_response');
  });
});

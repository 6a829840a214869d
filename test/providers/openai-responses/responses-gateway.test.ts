/**
 * End to end: the gateway's Responses API in front of a native Responses upstream (OPENAI_API=
 * responses), over HTTP and the openai SDK. The gateway keeps the state; the upstream is called
 * statelessly with the whole context every time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collapse } from '../../helpers/sse.js';
import { streamThenHangUp } from '../../helpers/test-gateway.js';
import { type MockResponsesUpstream, startMockResponsesUpstream } from '../../mocks/responses-mock.js';
import { type Any, type ProviderGateway, startProviderGateway } from '../provider-gateway.js';

let mock: MockResponsesUpstream;
let gw: ProviderGateway;

beforeAll(async () => {
  mock = await startMockResponsesUpstream({ apiKey: 'k' });
  gw = await startProviderGateway({
    OPENAI_BASE_URL: mock.baseUrl,
    OPENAI_API: 'responses',
    OPENAI_API_KEY: 'k',
  });
});
afterEach(() => mock.reset());
afterAll(async () => {
  await gw?.close();
  await mock?.close();
});

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};

describe('a Responses upstream through the gateway', () => {
  it('answers a text request through the SDK, calling the upstream statelessly', async () => {
    mock.enqueue({
      kind: 'response',
      text: 'Hello there!',
      usage: { input_tokens: 12, output_tokens: 4, cached_tokens: 8 },
    });
    const response = await gw.client.responses.create({
      model: 'gpt-x',
      instructions: 'Be brief.',
      input: 'Hi',
      max_output_tokens: 256,
      temperature: 0.5,
    });
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-x',
      output_text: 'Hello there!',
      usage: {
        input_tokens: 12,
        input_tokens_details: { cached_tokens: 8 },
        output_tokens: 4,
        total_tokens: 16,
      },
    });
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    const sent = mock.requests[0]!;
    expect(sent.path).toBe('/v1/responses');
    expect(sent.headers.authorization).toBe('Bearer k');
    expect(sent.body).toEqual({
      model: 'gpt-x',
      input: [
        { type: 'message', role: 'system', content: 'Be brief.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
      ],
      store: false,
      max_output_tokens: 256,
      temperature: 0.5,
    });
  });

  it('streams reasoning summaries and text with the exact event sequence', async () => {
    mock.enqueue({
      kind: 'response',
      reasoning: { summary: ['Adding two and two.', 'It is four.'] },
      text: 'The answer is 4.',
    });
    const { status, events } = await gw.stream({
      model: 'gpt-x',
      input: 'What is 2+2?',
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    expect(status).toBe(200);
    expect(collapse(events.map((e) => e.event))).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta×2',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta×2',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
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
      summary: [
        { type: 'summary_text', text: 'Adding two and two.' },
        { type: 'summary_text', text: 'It is four.' },
      ],
    });
    // The gateway hands out its own sealed token that carries the upstream's inside.
    expect(done.output[0].encrypted_content).toMatch(/^rgw1\./);
    expect(done.output_text).toBe('The answer is 4.');
    expect(mock.requests[0]!.body).toMatchObject({
      stream: true,
      store: false,
      include: ['reasoning.encrypted_content'],
      reasoning: { effort: 'medium', summary: 'auto' },
    });
  });

  it('round-trips a function call with encrypted reasoning, statelessly (store:false)', async () => {
    mock.enqueue({
      kind: 'response',
      reasoning: { summary: ['Need the weather tool.'], encryptedContent: 'gAAAA-upstream-token' },
      toolCalls: [{ callId: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    });
    const first = await gw.client.responses.create({
      model: 'gpt-x',
      input: 'Weather in Paris?',
      tools: [weatherTool],
      reasoning: { effort: 'low' },
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    const call = first.output[1] as Any;
    expect(call).toMatchObject({
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      status: 'completed',
    });
    expect(mock.requests[0]!.body.tools).toEqual([weatherTool]);

    mock.enqueue({ kind: 'response', text: 'It is 18°C in Paris.' });
    const second = await gw.client.responses.create({
      model: 'gpt-x',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        ...(first.output as Any[]),
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":18}' },
      ],
      tools: [weatherTool],
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    expect(second.output_text).toBe('It is 18°C in Paris.');
    // The upstream got its own token back verbatim (it refuses tokens it did not issue), no ids.
    expect(mock.requests[1]!.body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
      {
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Need the weather tool.' }],
        encrypted_content: 'gAAAA-upstream-token',
      },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"temp":18}' },
    ]);
    expect(mock.requests[1]!.body.include).toEqual(['reasoning.encrypted_content']);
  });

  it('continues a stored response by previous_response_id, replaying its reasoning and call', async () => {
    mock.enqueue({
      kind: 'response',
      reasoning: { summary: [] },
      toolCalls: [{ callId: 'call_7', name: 'get_weather', arguments: '{"city":"Rome"}' }],
    });
    const first = await gw.client.responses.create({
      model: 'gpt-x',
      input: 'Weather in Rome?',
      tools: [weatherTool],
      reasoning: { effort: 'low' },
      include: ['reasoning.encrypted_content'],
    });
    const token = [...mock.issuedEncryptedContent].at(-1);
    mock.enqueue({ kind: 'response', text: 'Sunny.' });
    const second = await gw.client.responses.create({
      model: 'gpt-x',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_7', output: 'sunny' }],
      tools: [weatherTool],
    });
    expect(second.output_text).toBe('Sunny.');
    expect(mock.requests[1]!.body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Rome?' }] },
      { type: 'reasoning', summary: [], encrypted_content: token },
      { type: 'function_call', call_id: 'call_7', name: 'get_weather', arguments: '{"city":"Rome"}' },
      { type: 'function_call_output', call_id: 'call_7', output: 'sunny' },
    ]);
  });

  it('keeps the message phase: on the output, streamed and not, stored, and sent back on later turns', async () => {
    mock.enqueue({ kind: 'response', text: 'Looking into it.', phase: 'commentary' });
    const first = (await gw.client.responses.create({ model: 'gpt-x', input: 'Plan it.' })) as Any;
    expect(first.output[0]).toMatchObject({ type: 'message', phase: 'commentary' });
    expect(((await gw.client.responses.retrieve(first.id)) as Any).output[0].phase).toBe('commentary');
    mock.enqueue({ kind: 'response', text: 'Done.', phase: 'final_answer' });
    const stream = await gw.client.responses.create({
      model: 'gpt-x',
      previous_response_id: first.id,
      // A client's own assistant message keeps the phase it gave, too.
      input: [
        { type: 'message', role: 'assistant', content: 'Noted.', phase: 'final_answer' },
        { type: 'message', role: 'user', content: 'Go on.' },
      ],
      stream: true,
    } as never);
    const events: Any[] = [];
    for await (const event of stream as unknown as AsyncIterable<Any>) events.push(event);
    const added = events.find((e) => e.type === 'response.output_item.added');
    expect(added.item).toMatchObject({ type: 'message', phase: 'final_answer' });
    expect(events.at(-1)!.response.output[0].phase).toBe('final_answer');
    expect(mock.requests[1]!.body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Plan it.' }] },
      {
        type: 'message',
        role: 'assistant',
        phase: 'commentary',
        content: [{ type: 'output_text', text: 'Looking into it.' }],
      },
      // Told apart by their phase, the two assistant messages stay two.
      {
        type: 'message',
        role: 'assistant',
        phase: 'final_answer',
        content: [{ type: 'output_text', text: 'Noted.' }],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Go on.' }] },
    ]);
  });

  it('streams custom tool calls and refusals through the SDK', async () => {
    mock.enqueue({
      kind: 'response',
      refusal: 'I will not delete files.',
      toolCalls: [{ callId: 'call_c', name: 'shell', arguments: 'ls -la', type: 'custom' }],
    });
    const stream = await gw.client.responses.create({
      model: 'gpt-x',
      input: 'Clean up',
      tools: [{ type: 'custom', name: 'shell', description: 'Runs a command' }],
      stream: true,
    });
    const types: string[] = [];
    let final: Any;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') final = event.response;
    }
    expect(types).toContain('response.refusal.delta');
    expect(types).toContain('response.custom_tool_call_input.delta');
    expect(final.output).toMatchObject([
      { type: 'message', content: [{ type: 'refusal', refusal: 'I will not delete files.' }] },
      { type: 'custom_tool_call', call_id: 'call_c', name: 'shell', input: 'ls -la' },
    ]);
    expect(mock.requests[0]!.body.tools).toEqual([
      { type: 'custom', name: 'shell', description: 'Runs a command' },
    ]);
  });

  it('passes logprobs through and reports max_output_tokens as incomplete', async () => {
    mock.enqueue({
      kind: 'response',
      text: 'Once upon',
      status: 'incomplete',
      incompleteReason: 'max_output_tokens',
    });
    const response = await gw.client.responses.create({
      model: 'gpt-x',
      input: 'Tell a story',
      max_output_tokens: 16,
      include: ['message.output_text.logprobs'],
      top_logprobs: 1,
    });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    const part = (response.output[0] as Any).content[0];
    expect(part.text).toBe('Once upon');
    expect(part.logprobs.map((l: Any) => l.token).join('')).toBe('Once upon');
    expect(part.logprobs[0]).toMatchObject({ bytes: expect.any(Array), top_logprobs: [expect.any(Object)] });
    expect(mock.requests[0]!.body).toMatchObject({
      include: ['message.output_text.logprobs'],
      top_logprobs: 1,
    });
  });
});

describe('upstream failures', () => {
  it('maps HTTP errors before the first byte like the chat provider', async () => {
    mock.enqueue(
      { kind: 'http-error', status: 429, headers: { 'retry-after': '2' } },
      { kind: 'http-error', status: 401 },
      {
        kind: 'http-error',
        status: 400,
        body: {
          error: {
            message: 'Your input exceeds the context window.',
            type: 'invalid_request_error',
            param: 'input',
            code: 'context_length_exceeded',
          },
        },
      },
      { kind: 'garbage', body: 'not json' },
    );
    const limited = await gw.post('/v1/responses', { model: 'gpt-x', input: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    const auth = await gw.post('/v1/responses', { model: 'gpt-x', input: 'x' });
    expect(auth.status).toBe(502);
    expect(auth.body.error.code).toBe('upstream_authentication_error');
    const tooLong = await gw.post('/v1/responses', { model: 'gpt-x', input: 'x' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({
      message: 'Your input exceeds the context window.',
      code: 'context_length_exceeded',
    });
    const garbage = await gw.post('/v1/responses', { model: 'gpt-x', input: 'x' });
    expect(garbage.status).toBe(502);
    expect(garbage.body.error.code).toBe('upstream_invalid_response');
  });

  it('turns error events, response.failed and truncated streams into response.failed', async () => {
    mock.enqueue(
      { kind: 'stream-error', afterText: 'So far', error: { message: 'boom', code: 'server_error' } },
      {
        kind: 'failed',
        afterText: 'Half',
        error: { code: 'rate_limit_exceeded', message: 'Too many tokens.' },
      },
      { kind: 'truncate', afterText: 'cut' },
    );
    for (const expected of [
      { code: 'server_error', message: 'boom', text: 'So far' },
      { code: 'rate_limit_exceeded', message: 'Too many tokens.', text: 'Half' },
      { code: 'server_error', message: 'ended the stream before finishing', text: 'cut' },
    ]) {
      const { status, events } = await gw.stream({ model: 'gpt-x', input: 'x' });
      expect(status).toBe(200);
      const last = events.at(-1)!;
      expect(last.event).toBe('response.failed');
      expect(last.data.response.status).toBe('failed');
      expect(last.data.response.error.code).toBe(expected.code);
      expect(last.data.response.error.message).toContain(expected.message);
      expect(last.data.response.output_text).toBe(expected.text);
    }
  });

  it('fails a non-streamed response the upstream reports as failed', async () => {
    mock.enqueue({ kind: 'failed', error: { code: 'server_error', message: 'The model crashed.' } });
    const { status, body } = await gw.post('/v1/responses', { model: 'gpt-x', input: 'x' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(body.error.message).toContain('The model crashed.');
  });

  it('stops the upstream call when the client goes away', async () => {
    mock.enqueue({ kind: 'response', text: 'slow '.repeat(20), chunks: ['a', 'b', 'c', 'd'], delayMs: 100 });
    await streamThenHangUp(gw, { model: 'gpt-x', input: 'x' });
    await mock.waitForAbort(1, 2000);
    expect(mock.requests[0]!.aborted).toBe(true);
  });
});

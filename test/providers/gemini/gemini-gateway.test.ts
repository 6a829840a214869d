/** End to end: the gateway's Responses API in front of the Gemini mock, over HTTP and the openai SDK. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collapse } from '../../helpers/sse.js';
import { type MockGeminiUpstream, startMockGeminiUpstream } from '../../mocks/gemini-mock.js';
import { type MediaServer, startMediaServer } from '../../mocks/media-server.js';
import { type Any, type ProviderGateway, startProviderGateway } from '../provider-gateway.js';

let mock: MockGeminiUpstream;
let gw: ProviderGateway;
let media: MediaServer;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

beforeAll(async () => {
  mock = await startMockGeminiUpstream({ apiKey: 'k' });
  media = await startMediaServer({ '/cat.jpg': { body: JPEG, contentType: 'image/jpeg' } });
  // The media server is on loopback: only the allow list lets the gateway fetch from it.
  gw = await startProviderGateway({
    GEMINI_BASE_URL: mock.url,
    GEMINI_API_KEY: 'k',
    RGW_OUTBOUND_ALLOW: '127.0.0.1',
  });
});
afterEach(() => mock.reset());
afterAll(async () => {
  await gw?.close();
  await mock?.close();
  await media?.close();
});

const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};

describe('Gemini through the gateway', () => {
  it('routes gemini/<model> to generateContent and answers with a Response', async () => {
    mock.enqueue({
      kind: 'text',
      text: 'Hello from Gemini.',
      usage: { promptTokenCount: 30, candidatesTokenCount: 5, cachedContentTokenCount: 20 },
    });
    const { status, body } = await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      instructions: 'Be brief.',
      input: 'Hi',
      max_output_tokens: 200,
      top_p: 0.8,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'completed',
      model: 'gemini/gemini-2.5-flash',
      output_text: 'Hello from Gemini.',
      usage: {
        input_tokens: 30,
        input_tokens_details: { cached_tokens: 20 },
        output_tokens: 5,
        total_tokens: 35,
      },
    });
    const sent = mock.requests[0]!;
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('k');
    expect(sent.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      generationConfig: { maxOutputTokens: 200, topP: 0.8 },
    });
  });

  it('streams thought summaries and text over alt=sse with the exact event sequence', async () => {
    mock.enqueue({
      kind: 'text',
      text: 'The answer is 4.',
      thoughts: 'Adding two and two.',
      thoughtSignature: 'sigT',
    });
    const { status, events } = await gw.stream({
      model: 'gemini/gemini-2.5-pro',
      input: 'What is 2+2?',
      reasoning: { effort: 'high', summary: 'auto' },
    });
    expect(status).toBe(200);
    const sent = mock.requests[0]!;
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-pro:streamGenerateContent');
    expect(sent.query.get('alt')).toBe('sse');
    expect(sent.body.generationConfig).toEqual({
      thinkingConfig: { includeThoughts: true, thinkingBudget: 24576 },
    });
    expect(collapse(events.map((e) => e.event))).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
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
    const response = events.at(-1)!.data.response;
    expect(response.output[0]).toMatchObject({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Adding two and two.' }],
    });
    expect(response.output_text).toBe('The answer is 4.');
    expect(response.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });

  it('round-trips a function call, naming the functionResponse after the call', async () => {
    mock.enqueue({
      kind: 'text',
      text: '',
      functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }],
    });
    const first = await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      input: 'Weather in Paris?',
      tools: [weatherTool],
      tool_choice: 'required',
    });
    expect(first.status).toBe(200);
    const call = first.body.output[0];
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(call.call_id).toMatch(/^call_/);
    expect(mock.requests[0]!.body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parametersJsonSchema: weatherTool.parameters,
          },
        ],
      },
    ]);
    expect(mock.requests[0]!.body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });

    mock.enqueue({ kind: 'text', text: 'It is 18°C.' });
    const second = await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '18°C' },
      ],
      tools: [weatherTool],
    });
    expect(second.body.output_text).toBe('It is 18°C.');
    expect(mock.requests[1]!.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '18°C' } } }] },
    ]);
  });

  it('streams parallel calls as consecutive items and replays their thought signature', async () => {
    mock.enqueue({
      kind: 'text',
      text: '',
      thoughtSignature: 'sigCalls',
      functionCalls: [
        { name: 'get_weather', args: { city: 'Paris' } },
        { name: 'get_weather', args: { city: 'Rome' } },
      ],
    });
    const { events } = await gw.stream({
      model: 'gemini/gemini-3-pro',
      input: 'Paris and Rome?',
      tools: [weatherTool],
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    const output = events.at(-1)!.data.response.output;
    expect(output.map((item: Any) => item.type)).toEqual(['reasoning', 'function_call', 'function_call']);
    expect(output.map((item: Any) => item.arguments).slice(1)).toEqual([
      '{"city":"Paris"}',
      '{"city":"Rome"}',
    ]);
    expect(typeof output[0].encrypted_content).toBe('string');

    mock.enqueue({ kind: 'text', text: 'Sunny in both.' });
    const next = await gw.post('/v1/responses', {
      model: 'gemini/gemini-3-pro',
      input: [
        { role: 'user', content: 'Paris and Rome?' },
        ...output,
        { type: 'function_call_output', call_id: output[1].call_id, output: 'sunny' },
        { type: 'function_call_output', call_id: output[2].call_id, output: 'sunny' },
      ],
      tools: [weatherTool],
      store: false,
    });
    expect(next.status).toBe(200);
    expect(mock.requests[1]!.body.contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sigCalls' },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
          { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
        ],
      },
    ]);
  });

  it('sends images as inlineData, fetching a URL first (Gemini reads only its own URIs)', async () => {
    await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Describe.' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            { type: 'input_image', image_url: `${media.url}/cat.jpg`, detail: 'auto' },
          ],
        },
      ],
    });
    expect(mock.requests[0]!.body.contents[0].parts).toEqual([
      { text: 'Describe.' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { inlineData: { mimeType: 'image/jpeg', data: JPEG.toString('base64') } },
    ]);
  });

  it('asks for JSON with the schema and returns it as output_text (openai SDK)', async () => {
    mock.enqueue({ kind: 'text', text: '{"city":"Paris","country":"France"}' });
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, country: { type: 'string' } },
      required: ['city', 'country'],
      additionalProperties: false,
    };
    const response = await gw.client.responses.create({
      model: 'gemini/gemini-2.5-flash',
      input: 'Where is the Eiffel tower?',
      text: { format: { type: 'json_schema', name: 'city_info', strict: true, schema } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Paris', country: 'France' });
    expect(mock.requests[0]!.body.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
    });
  });

  it('works with the openai SDK, streaming', async () => {
    mock.enqueue({ kind: 'text', text: 'Streaming through the SDK.' });
    const stream = await gw.client.responses.create({
      model: 'gemini/gemini-2.5-flash',
      input: 'Hi',
      stream: true,
    });
    let text = '';
    let last = '';
    for await (const event of stream) {
      last = event.type;
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe('Streaming through the SDK.');
    expect(last).toBe('response.completed');
  });

  it('maps a blocked prompt and a safety stop to incomplete (content_filter)', async () => {
    mock.enqueue({ kind: 'blocked', blockReason: 'SAFETY' });
    const blocked = await gw.post('/v1/responses', { model: 'gemini/gemini-2.5-flash', input: 'x' });
    expect(blocked.body).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
    });
    mock.enqueue({ kind: 'text', text: 'Partial', finishReason: 'SAFETY' });
    const { events } = await gw.stream({ model: 'gemini/gemini-2.5-flash', input: 'x' });
    expect(events.at(-1)!.event).toBe('response.incomplete');
  });

  it('maps MAX_TOKENS to incomplete (max_output_tokens)', async () => {
    mock.enqueue({ kind: 'text', text: 'Cut', finishReason: 'MAX_TOKENS' });
    const { body } = await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      input: 'x',
      max_output_tokens: 16,
    });
    expect(body).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });
});

describe('Gemini errors through the gateway', () => {
  it('passes a quota error on as 429 with the retry delay', async () => {
    mock.enqueue({ kind: 'http-error', status: 429 });
    const { status, headers, body } = await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      input: 'x',
    });
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('7');
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null });
  });

  it('passes an overloaded model on as 503', async () => {
    mock.enqueue({ kind: 'http-error', status: 503 });
    const { status, body } = await gw.post('/v1/responses', { model: 'gemini/gemini-2.5-flash', input: 'x' });
    expect(status).toBe(503);
    expect(body.error).toMatchObject({
      type: 'server_error',
      message: expect.stringContaining('overloaded'),
    });
  });

  it('keeps Gemini’s message for a refused request, and 404 for an unknown model', async () => {
    mock.enqueue({ kind: 'http-error', status: 400 }, { kind: 'http-error', status: 404 });
    const refused = await gw.post('/v1/responses', { model: 'gemini/gemini-2.5-flash', input: 'x' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({
      message: 'Request contains an invalid argument.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    const missing = await gw.post('/v1/responses', { model: 'gemini/gemini-nope', input: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('model_not_found');
  });

  it('turns an invalid upstream key into a 502', async () => {
    const other = await startProviderGateway({ GEMINI_BASE_URL: mock.url, GEMINI_API_KEY: 'wrong' });
    try {
      const { status, body } = await other.post('/v1/responses', {
        model: 'gemini/gemini-2.5-flash',
        input: 'x',
      });
      expect(status).toBe(502);
      expect(body.error.code).toBe('upstream_authentication_error');
    } finally {
      await other.close();
    }
  });

  it('fails the response on a mid-stream error chunk, keeping what was streamed', async () => {
    mock.enqueue({ kind: 'stream-error', afterText: 'Partial answer' });
    const { events } = await gw.stream({ model: 'gemini/gemini-2.5-flash', input: 'x' });
    const last = events.at(-1)!;
    expect(last.event).toBe('response.failed');
    expect(last.data.response.error.message).toContain('overloaded');
    expect(last.data.response.output[0].content[0].text).toBe('Partial answer');
  });

  it('fails the response when the stream ends without a finish reason', async () => {
    mock.enqueue({ kind: 'truncate', afterText: 'Cut' });
    const { events } = await gw.stream({ model: 'gemini/gemini-2.5-flash', input: 'x' });
    expect(events.at(-1)!.event).toBe('response.failed');
  });

  it('refuses a function_call_output whose call is not in the input', async () => {
    const { status, body } = await gw.post('/v1/responses', {
      model: 'gemini/gemini-2.5-flash',
      input: [{ type: 'function_call_output', call_id: 'call_nowhere', output: 'x' }],
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining('call_nowhere'),
    });
    expect(mock.requests).toHaveLength(0);
  });
});

/**
 * One suite, every provider: the same requests through the gateway's HTTP API and the openai SDK,
 * the same rules for what comes back, against each provider's mock (scripted in neutral terms by
 * its driver) and the bundled local model. Assertions follow each adapter's declared capabilities;
 * what an adapter or the tiny model cannot do is skipped with its declared reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { supports } from '../../src/providers/capabilities.js';
import { checkStream } from '../e2e/stream-helpers.js';
import { streamThenHangUp } from '../helpers/test-gateway.js';
import { type MediaServer, startMediaServer } from '../mocks/media-server.js';
import type { Any, ProviderGateway } from '../providers/provider-gateway.js';
import { isEnvelope, noteUnsupported, reasoningText, requireFeature, shape } from './conformance-helpers.js';
import { anthropicDriver } from './drivers/anthropic-driver.js';
import { chatDriver } from './drivers/chat-driver.js';
import type { ConformanceDriver } from './drivers/driver.js';
import { geminiDriver } from './drivers/gemini-driver.js';
import { localDriver } from './drivers/local-driver.js';
import { responsesDriver } from './drivers/responses-driver.js';
import { cityFormat, MESSAGE_STREAM, PNG, weatherTool } from './fixtures.js';

const DRIVERS: ConformanceDriver[] = [
  chatDriver(),
  responsesDriver(),
  anthropicDriver(),
  geminiDriver(),
  localDriver(),
];

let media: MediaServer;
beforeAll(async () => {
  media = await startMediaServer({
    '/pixel.png': { body: Buffer.from(PNG.split(',')[1]!, 'base64'), contentType: 'image/png' },
  });
});
afterAll(() => media?.close());

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))('%s', (_name, driver) => {
  let gw: ProviderGateway;
  const script = driver.script;
  const body = (extra: Record<string, unknown>) => ({ model: driver.model, ...driver.defaults, ...extra });
  const finished = script ? ['completed'] : ['completed', 'incomplete'];

  beforeAll(async () => {
    gw = await driver.start();
  });
  afterEach(() => driver.reset());
  afterAll(async () => {
    await gw?.close();
    await driver.close();
  });

  it('answers a text request through the openai SDK', async () => {
    script?.text('Hello from the conformance suite.');
    const response: Any = await gw.client.responses.create(body({ input: 'Say hello.' }) as Any);
    expect(response).toMatchObject({ object: 'response', model: driver.model, error: null });
    expect(finished).toContain(response.status);
    expect(response.output.at(-1)).toMatchObject({ type: 'message', role: 'assistant' });
    expect(response.output_text.length).toBeGreaterThan(0);
    const { input_tokens, output_tokens, total_tokens } = response.usage;
    expect(input_tokens).toBeGreaterThan(0);
    expect(output_tokens).toBeGreaterThan(0);
    expect(total_tokens).toBe(input_tokens + output_tokens);
    if (script) {
      expect(response.output_text).toBe('Hello from the conformance suite.');
      expect(driver.sent(0).model).toBe(driver.upstreamModel);
      expect(driver.sent(0).messages).toEqual([{ role: 'user', text: 'Say hello.' }]);
    }
  });

  it('streams the same event sequence, raw and through the SDK', async () => {
    script?.text('Streaming from the conformance suite.');
    const result = await gw.stream(body({ input: 'Tell me something.' }));
    const output = checkStream(result);
    const terminal = result.types.at(-1)!;
    expect(finished.map((status) => `response.${status}`)).toContain(terminal);
    expect(shape(result.types)).toEqual([...MESSAGE_STREAM, terminal]);
    const deltas = result.data.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
    expect(deltas.join('')).toBe(output[0].content[0].text);
    expect(result.data.at(-1).response.model).toBe(driver.model);

    script?.text('Streaming again.');
    const events: Any[] = [];
    const stream = (await gw.client.responses.create({
      ...(body({ input: 'Tell me something.' }) as Any),
      stream: true,
    })) as unknown as AsyncIterable<Any>;
    for await (const event of stream) events.push(event);
    expect(shape(events.map((e) => e.type))).toEqual([...MESSAGE_STREAM, events.at(-1).type]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  });

  it('continues a stored response by previous_response_id', async () => {
    script?.text('Nice to meet you, Ada.');
    const first = await gw.post('/v1/responses', body({ input: 'My name is Ada.' }));
    expect(first.status).toBe(200);
    script?.text('Your name is Ada.');
    const second = await gw.post(
      '/v1/responses',
      body({ input: 'What is my name?', previous_response_id: first.body.id }),
    );
    expect(second.status).toBe(200);
    expect(second.body.previous_response_id).toBe(first.body.id);
    if (script) {
      expect(driver.sent(1).messages).toEqual([
        { role: 'user', text: 'My name is Ada.' },
        { role: 'assistant', text: 'Nice to meet you, Ada.' },
        { role: 'user', text: 'What is my name?' },
      ]);
    } else {
      // Unscripted: the earlier turn shows in what the model read.
      const fresh = await gw.post('/v1/responses', body({ input: 'What is my name?' }));
      expect(second.body.usage.input_tokens).toBeGreaterThan(fresh.body.usage.input_tokens);
    }
  });

  it('round-trips a function call', async (ctx) => {
    const forced = driver.limits.toolCalls !== undefined || !supports(driver.capabilities.toolCalls);
    if (forced) await noteUnsupported(ctx, `tool_choice forced: ${driver.limits.toolCalls}`);
    script?.toolCalls([{ callId: 'call_conf_1', name: 'get_weather', args: { city: 'Paris' } }]);
    const first = await gw.post(
      '/v1/responses',
      body({
        input: 'What is the weather in Paris?',
        tools: [weatherTool],
        ...(forced ? { tool_choice: { type: 'function', name: 'get_weather' }, max_output_tokens: 64 } : {}),
      }),
    );
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('completed');
    expect(first.body.output.map((item: Any) => item.type)).toEqual(['function_call']);
    const call = first.body.output[0];
    expect(call).toMatchObject({ name: 'get_weather', status: 'completed', call_id: expect.any(String) });
    expect(['Paris', 'Rome']).toContain(JSON.parse(call.arguments).city);

    script?.text('It is sunny in Paris.');
    const second = await gw.post(
      '/v1/responses',
      body({
        previous_response_id: first.body.id,
        input: [{ type: 'function_call_output', call_id: call.call_id, output: 'Sunny, 20 degrees.' }],
        tools: [weatherTool],
      }),
    );
    expect(second.status).toBe(200);
    expect(second.body.output.at(-1).type).toBe('message');
    if (script) {
      expect(second.body.output_text).toBe('It is sunny in Paris.');
      const sent = driver.sent(1);
      expect(sent.toolCalls).toHaveLength(1);
      expect(sent.toolCalls[0]).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
      // Gemini's functionCall carries no id; the others replay the upstream's own.
      expect([undefined, 'call_conf_1']).toContain(sent.toolCalls[0]!.callId);
      expect(sent.toolResults).toHaveLength(1);
      expect(sent.toolResults[0]!.output).toContain('Sunny, 20 degrees.');
      // The result names its call: by id, or (Gemini) by the function's name.
      expect(sent.toolResults[0]!.callId ?? sent.toolResults[0]!.name).toBe(
        sent.toolCalls[0]!.callId ?? sent.toolCalls[0]!.name,
      );
    }
  });

  it('runs a built-in tool in the loop and answers with its result, whole and streamed', async (ctx) => {
    requireFeature(ctx, driver, 'toolCalls');
    const request = body({
      input: 'What do the notes say about the gateway?',
      tools: [{ type: 'file_search', vector_store_ids: ['vs_test'] }],
      include: ['file_search_call.results'],
    });
    script!.toolCalls([{ callId: 'call_fs1', name: 'file_search', args: { queries: ['gateway'] } }]);
    script!.text('The notes cover the gateway.');
    const whole = await gw.client.responses.create(request as never);
    expect(whole.status).toBe('completed');
    expect(whole.output.map((item) => item.type)).toEqual(['file_search_call', 'message']);
    expect(whole.output[0]).toMatchObject({
      type: 'file_search_call',
      status: 'completed',
      queries: ['gateway'],
      results: [{ file_id: 'file-test', text: 'About gateway.' }],
    });
    expect(whole.output_text).toBe('The notes cover the gateway.');
    const sent = driver.sent(1);
    expect(sent.toolCalls).toMatchObject([{ name: 'file_search', args: { queries: ['gateway'] } }]);
    expect(sent.toolResults[0]!.output).toContain('About gateway.');
    expect(whole.usage!.input_tokens).toBeGreaterThan(0);

    driver.reset();
    script!.toolCalls([{ callId: 'call_fs2', name: 'file_search', args: { queries: ['gateway'] } }]);
    script!.text('The notes cover the gateway.');
    const streamed = await gw.stream({ ...request, stream: true });
    const types = streamed.types.filter(
      (type) => type.includes('file_search') || type.startsWith('response.output_item'),
    );
    expect(types).toEqual([
      'response.output_item.added',
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
    ]);
    expect(streamed.data.map((event) => event.sequence_number)).toEqual(streamed.data.map((_, i) => i));
    expect(streamed.data.at(-1)!.response.output.map((item: Any) => item.type)).toEqual([
      'file_search_call',
      'message',
    ]);
  });

  it('streams parallel calls as consecutive items and takes their results back in one turn', async (ctx) => {
    requireFeature(ctx, driver, 'parallelToolCalls');
    script!.toolCalls([
      { callId: 'call_p1', name: 'get_weather', args: { city: 'Paris' } },
      { callId: 'call_p2', name: 'get_weather', args: { city: 'Rome' } },
    ]);
    const result = await gw.stream(body({ input: 'Weather in Paris and Rome?', tools: [weatherTool] }));
    const output = checkStream(result);
    const oneCall = [
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
    ];
    expect(shape(result.types)).toEqual([
      'response.created',
      'response.in_progress',
      ...oneCall,
      ...oneCall,
      'response.completed',
    ]);
    expect(output.map((item) => JSON.parse(item.arguments).city)).toEqual(['Paris', 'Rome']);
    expect(new Set(output.map((item) => item.call_id)).size).toBe(2);

    script!.text('Sunny in Paris, rainy in Rome.');
    const next = await gw.post(
      '/v1/responses',
      body({
        previous_response_id: result.data.at(-1).response.id,
        input: output.map((item, i) => ({
          type: 'function_call_output',
          call_id: item.call_id,
          output: i === 0 ? 'Sunny' : 'Rainy',
        })),
        tools: [weatherTool],
      }),
    );
    expect(next.status).toBe(200);
    expect(driver.sent(1).toolCalls.map((c) => c.args)).toEqual([{ city: 'Paris' }, { city: 'Rome' }]);
    expect(driver.sent(1).toolResults.map((r) => r.output)).toEqual([
      expect.stringContaining('Sunny'),
      expect.stringContaining('Rainy'),
    ]);
  });

  it.for([
    ['images', { type: 'input_image', image_url: PNG, detail: 'auto' }],
    ['files', { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' }],
  ] as const)('passes %s to the model', async ([feature, part], ctx) => {
    script?.text('I see it.');
    const { status, body: response } = await gw.post(
      '/v1/responses',
      body({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, part] }] }),
    );
    expect(status).toBe(200);
    expect(finished).toContain(response.status);
    const capability = driver.capabilities[feature];
    if (supports(capability)) {
      expect(driver.sent(0)[feature]).toBe(1);
      expect(driver.sent(0).messages[0]).toEqual({ role: 'user', text: 'What is this?' });
    } else {
      // Declared unsupported: the request is still answered, from the text.
      await noteUnsupported(ctx, capability.unsupported);
      expect(response.output_text.length).toBeGreaterThan(0);
    }
  });

  it('passes an image URL, fetched by the gateway when the adapter cannot take URLs', async (ctx) => {
    script?.text('I see it.');
    media.hits.clear();
    const { status, body: response } = await gw.post(
      '/v1/responses',
      body({
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is this?' },
              { type: 'input_image', image_url: `${media.url}/pixel.png` },
            ],
          },
        ],
      }),
    );
    expect(status).toBe(200);
    expect(finished).toContain(response.status);
    if (!supports(driver.capabilities.images)) {
      await noteUnsupported(ctx, driver.capabilities.images.unsupported);
      expect(media.hits.size).toBe(0);
      return;
    }
    expect(driver.sent(0).images).toBe(1);
    expect(media.hits.get('/pixel.png') ?? 0).toBe(supports(driver.capabilities.imageUrls) ? 0 : 1);
  });

  it('follows a json_schema text format', async () => {
    script?.json('city_info', { city: 'Paris', country: 'France' });
    const response: Any = await gw.client.responses.create(
      body({
        input: 'Where is the Eiffel tower?',
        text: { format: cityFormat },
        max_output_tokens: 64,
      }) as Any,
    );
    expect(supports(driver.capabilities.jsonSchema)).toBe(true);
    expect(response.status).toBe('completed');
    expect(response.output.map((item: Any) => item.type)).toEqual(['message']);
    const parsed = JSON.parse(response.output_text);
    expect(['Paris', 'Rome']).toContain(parsed.city);
    expect(['France', 'Italy']).toContain(parsed.country);
    if (script) {
      expect(parsed).toEqual({ city: 'Paris', country: 'France' });
      expect(driver.sent(0).schema).toMatchObject({ properties: { city: { enum: ['Paris', 'Rome'] } } });
    }
  });

  it('streams reasoning as a reasoning item before the answer', async (ctx) => {
    requireFeature(ctx, driver, 'reasoning');
    script!.reasoning('Two plus two is four.', 'The answer is 4.');
    const result = await gw.stream(
      body({ input: 'What is 2+2?', reasoning: { effort: 'low', summary: 'auto' }, store: false }),
    );
    const output = checkStream(result);
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(reasoningText(output[0])).toContain('Two plus two is four.');
    expect(output[1].content[0].text).toBe('The answer is 4.');
  });

  it('replays reasoning given back as encrypted_content', async (ctx) => {
    requireFeature(ctx, driver, 'reasoning');
    script!.reasoning('Two plus two is four.', 'The answer is 4.');
    const first = await gw.post(
      '/v1/responses',
      body({
        input: 'What is 2+2?',
        reasoning: { effort: 'low' },
        include: ['reasoning.encrypted_content'],
        store: false,
      }),
    );
    expect(first.body.output[0]).toMatchObject({ type: 'reasoning', encrypted_content: expect.any(String) });
    script!.text('Yes, I am sure.');
    const second = await gw.post(
      '/v1/responses',
      body({
        input: [
          { role: 'user', content: 'What is 2+2?' },
          ...first.body.output,
          { role: 'user', content: 'Sure?' },
        ],
        reasoning: { effort: 'low' },
        store: false,
      }),
    );
    expect(second.status).toBe(200);
    const sent = driver.sent(1);
    expect(sent.messages.map((m) => m.text)).toEqual(['What is 2+2?', 'The answer is 4.', 'Sure?']);
    const replay = driver.capabilities.reasoningReplay;
    if (supports(replay)) {
      expect(sent.reasoningReplayed).toHaveLength(1);
      expect(sent.reasoningReplayed[0]!.length).toBeGreaterThan(0);
    } else {
      await noteUnsupported(ctx, replay.unsupported);
      expect(sent.reasoningReplayed).toEqual([]);
    }
  });

  it('returns logprobs when asked', async (ctx) => {
    script?.text('Four.');
    const { status, body: response } = await gw.post(
      '/v1/responses',
      body({ input: '2+2?', include: ['message.output_text.logprobs'], top_logprobs: 2 }),
    );
    expect(status).toBe(200);
    const part = response.output.at(-1).content[0];
    const capability = driver.capabilities.logprobs;
    if (supports(capability)) {
      expect(part.logprobs.length).toBeGreaterThan(0);
      for (const logprob of part.logprobs) {
        expect(logprob).toMatchObject({ token: expect.any(String), logprob: expect.any(Number) });
        expect(logprob.top_logprobs.length).toBeGreaterThan(0);
        expect(logprob.top_logprobs.length).toBeLessThanOrEqual(2);
      }
    } else {
      await noteUnsupported(ctx, capability.unsupported);
      expect(part.logprobs ?? []).toEqual([]);
    }
  });

  it('refuses input longer than the context window', async () => {
    if (script) script.httpError(400);
    const input = script ? 'Too long.' : 'The cat sat on the mat. '.repeat(400);
    const { status, body: error } = await gw.post('/v1/responses', body({ input }));
    expect(status).toBe(400);
    expect(isEnvelope(error)).toBe(true);
    expect(error.error.type).toBe('invalid_request_error');
    if (!script) expect(error.error).toMatchObject({ param: 'input', code: 'context_length_exceeded' });
  });

  it('maps upstream failures before the first byte to the error envelope', async (ctx) => {
    requireFeature(ctx, driver, 'upstreamErrors');
    script!.httpError(429, 3);
    const limited = await gw.post('/v1/responses', body({ input: 'Hi' }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(isEnvelope(limited.body)).toBe(true);
    expect(limited.body.error.type).toBe('rate_limit_error');
    for (const upstream of [500, 503]) {
      script!.httpError(upstream);
      const failed = await gw.stream(body({ input: 'Hi' }));
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(failed.headers.get('content-type')).toMatch(/^application\/json/);
      const envelope = JSON.parse(failed.raw);
      expect(isEnvelope(envelope)).toBe(true);
      expect(envelope.error.type).toBe('server_error');
    }
  });

  it('fails the response when the upstream fails after the first byte', async (ctx) => {
    requireFeature(ctx, driver, 'upstreamErrors');
    script!.midStreamError('Partial answer');
    const result = await gw.stream(body({ input: 'Hi' }));
    checkStream(result);
    const last = result.data.at(-1);
    expect(last.type).toBe('response.failed');
    expect(last.response).toMatchObject({ status: 'failed', model: driver.model });
    expect(last.response.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('stops the upstream call when the client goes away', async (ctx) => {
    if (script) {
      script.slow();
      await streamThenHangUp(gw, body({ input: 'Tell me a long story.' }));
      await driver.waitForAbort(1);
      return;
    }
    await noteUnsupported(ctx, 'in-process: checked by the model being free again at once');
    // Both sequences busy with long generations, then dropped: the next request must not wait.
    const long = body({ input: 'Once upon a time', max_output_tokens: 1500 });
    await Promise.all([streamThenHangUp(gw, long), streamThenHangUp(gw, long)]);
    const started = Date.now();
    const next = await gw.post('/v1/responses', body({ input: 'Once upon a time', max_output_tokens: 16 }));
    expect(next.body).toMatchObject({ status: 'incomplete' });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

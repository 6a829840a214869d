/**
 * OpenTelemetry traces end to end: a gateway pointed (by OTEL_EXPORTER_OTLP_ENDPOINT) at a fake
 * OTLP/HTTP collector, driven through the openai SDK against the Chat Completions mock. Spans, their
 * links and attributes are read from what the exporter posted; no prompt, output or key may be in it.
 */
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { sdkClient, TEST_KEY } from '../helpers/test-gateway.js';
import { testSearchTool } from '../helpers/test-tool.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { type CollectedSpan, type OtlpCollector, startOtlpCollector } from '../mocks/otlp-collector.js';

const PROMPT = 'PROMPT-TEXT-7f3a what is the secret?';
const OUTPUT = 'OUTPUT-TEXT-91bc the answer is here.';
const usage = { prompt_tokens: 11, completion_tokens: 7 };
const SERVER = 2;
const CLIENT = 3;

let collector: OtlpCollector;
let harness: Harness;
let client: OpenAI;
const scheduleDelay = process.env.OTEL_BSP_SCHEDULE_DELAY;

beforeAll(async () => {
  // Batches go out every 10 ms instead of 5 s (the batch processor reads this itself).
  process.env.OTEL_BSP_SCHEDULE_DELAY = '10';
  collector = await startOtlpCollector();
  harness = await startHarness({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'rgw-under-test' },
    extras: { tools: [testSearchTool()] },
    config: { background: { workers: 1, cancelPollMs: 20 } },
  });
  client = sdkClient(harness);
});

afterAll(async () => {
  await harness?.close();
  await collector?.close();
  if (scheduleDelay === undefined) delete process.env.OTEL_BSP_SCHEDULE_DELAY;
  else process.env.OTEL_BSP_SCHEDULE_DELAY = scheduleDelay;
});

beforeEach(() => {
  harness.mock.reset();
  harness.mock.defaultReply = { kind: 'text', text: OUTPUT, usage };
});

/** The server span of request `requestId` and the spans of its trace, once `count` have arrived. */
async function traceOf(
  requestId: string,
  count: number,
): Promise<{ root: CollectedSpan; spans: CollectedSpan[] }> {
  const find = (spans: CollectedSpan[]) => spans.find((s) => s.attributes['rgw.request.id'] === requestId);
  await collector.waitFor((spans) => {
    const root = find(spans);
    return root !== undefined && spans.filter((s) => s.traceId === root.traceId).length >= count;
  });
  const root = find(collector.spans)!;
  return { root, spans: collector.spans.filter((s) => s.traceId === root.traceId) };
}

const traceparentOf = (span: CollectedSpan) => `00-${span.traceId}-${span.spanId}-01`;

describe('tracing on', () => {
  it('posts JSON to /v1/traces under the configured service name', async () => {
    await client.responses.create(
      { model: 'gpt-trace', input: PROMPT },
      { headers: { 'x-request-id': 'req-svc' } },
    );
    const { root } = await traceOf('req-svc', 2);
    expect(root.resource['service.name']).toBe('rgw-under-test');
    expect(collector.requests[0]).toMatchObject({ path: '/v1/traces', contentType: 'application/json' });
  });

  it('traces a non-streamed request: a server span with one model-call child', async () => {
    const response = await client.responses.create(
      { model: 'gpt-trace', input: PROMPT },
      { headers: { 'x-request-id': 'req-plain' } },
    );
    const { root, spans } = await traceOf('req-plain', 2);
    expect(root).toMatchObject({ name: 'POST /v1/responses', kind: SERVER, parentSpanId: undefined });
    expect(root.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/responses',
      'http.response.status_code': 200,
      'rgw.request.id': 'req-plain',
      'rgw.tenant.id': expect.any(String),
      'rgw.response.id': response.id,
    });
    const call = spans.find((s) => s.parentSpanId === root.spanId)!;
    expect(call).toMatchObject({ name: 'chat gpt-trace', kind: CLIENT, statusCode: 0 });
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-trace',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
      'rgw.stream': false,
    });
    // The upstream call carried the model-call span as its parent.
    expect(harness.mock.requests[0]!.headers.traceparent).toBe(traceparentOf(call));
  });

  it('ends a streamed request’s spans when its stream ends', async () => {
    harness.mock.enqueue({ kind: 'text', text: OUTPUT, usage, delayMs: 20 });
    const stream = await client.responses.create(
      { model: 'gpt-trace', input: PROMPT, stream: true },
      { headers: { 'x-request-id': 'req-stream' } },
    );
    let lastEventAt = 0n;
    for await (const event of stream) {
      if (event.type === 'response.completed') lastEventAt = process.hrtime.bigint();
    }
    expect(lastEventAt).toBeGreaterThan(0n);
    const { root, spans } = await traceOf('req-stream', 2);
    const call = spans.find((s) => s.parentSpanId === root.spanId)!;
    expect(call.attributes).toMatchObject({ 'rgw.stream': true, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(call.attributes['gen_ai.usage.output_tokens']).toBe(7);
    // Three chunks 20 ms apart: the call's span covers the stream, and the request's covers the call.
    expect(call.endNs - call.startNs).toBeGreaterThan(40_000_000n);
    expect(root.endNs).toBeGreaterThanOrEqual(call.endNs);
    expect(root.attributes['http.response.status_code']).toBe(200);
    expect(harness.mock.requests[0]!.headers.traceparent).toBe(traceparentOf(call));
  });

  it('gives each built-in tool call a span beside the model calls', async () => {
    const toolCall: MockReply = {
      kind: 'text',
      text: '',
      toolCalls: [{ id: 'call_1', name: 'file_search', arguments: JSON.stringify({ queries: ['alpha'] }) }],
      finishReason: 'tool_calls',
      usage,
    };
    harness.mock.enqueue(toolCall, { kind: 'text', text: OUTPUT, usage });
    const response = await client.responses.create(
      {
        model: 'gpt-trace',
        input: PROMPT,
        tools: [{ type: 'file_search', vector_store_ids: ['vs_notes'] }],
      },
      { headers: { 'x-request-id': 'req-tool' } },
    );
    const item = response.output.find((entry) => entry.type === 'file_search_call')!;
    const { root, spans } = await traceOf('req-tool', 4);
    const children = spans.filter((s) => s.parentSpanId === root.spanId);
    expect(children.map((s) => s.name).sort()).toEqual([
      'chat gpt-trace',
      'chat gpt-trace',
      'execute_tool file_search',
    ]);
    const tool = children.find((s) => s.name === 'execute_tool file_search')!;
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'file_search',
      'gen_ai.tool.call.id': 'call_1',
      'rgw.tool.item_id': item.id,
      'rgw.tool.status': 'completed',
    });
    const calls = children
      .filter((s) => s.name === 'chat gpt-trace')
      .sort((a, b) => Number(a.startNs - b.startNs));
    expect(calls[0]!.attributes['gen_ai.response.finish_reasons']).toEqual(['tool-calls']);
    // Each turn's upstream request carried its own call's span.
    expect(harness.mock.requests.map((r) => r.headers.traceparent)).toEqual(calls.map(traceparentOf));
  });

  it('continues the trace of a caller that sent a traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    await client.responses.create(
      { model: 'gpt-trace', input: PROMPT },
      { headers: { 'x-request-id': 'req-parent', traceparent: `00-${traceId}-${parentId}-01` } },
    );
    const { root, spans } = await traceOf('req-parent', 2);
    expect(root.traceId).toBe(traceId);
    expect(root.parentSpanId).toBe(parentId);
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
    expect(String(harness.mock.requests[0]!.headers.traceparent)).toMatch(new RegExp(`^00-${traceId}-`));
  });

  it('gives each WebSocket response.create a server span, under the upgrade’s traceparent', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const ws = new WebSocket(`${harness.url.replace('http', 'ws')}/v1/responses`, {
      headers: { authorization: `Bearer ${TEST_KEY}`, traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const done = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'response.completed') resolve();
      }),
    );
    ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-trace', input: PROMPT }));
    await done;
    ws.close();
    const spans = await collector.waitFor(
      (all) => all.filter((s) => s.traceId === traceId && s.name === 'chat gpt-trace').length > 0,
    );
    const root = spans.find((s) => s.traceId === traceId && s.name === 'WebSocket response.create')!;
    expect(root).toMatchObject({ kind: SERVER, parentSpanId: 'b7ad6b7169203331' });
    expect(spans.find((s) => s.name === 'chat gpt-trace' && s.traceId === traceId)!.parentSpanId).toBe(
      root.spanId,
    );
  });

  it('traces a background response’s run', async () => {
    const queued = await client.responses.create({ model: 'gpt-trace', input: PROMPT, background: true });
    await collector.waitFor((spans) =>
      spans.some((s) => s.name === 'background response' && s.attributes['rgw.response.id'] === queued.id),
    );
    const run = collector.spans.find(
      (s) => s.attributes['rgw.response.id'] === queued.id && s.name === 'background response',
    )!;
    expect(run.attributes['rgw.response.status']).toBe('completed');
    await collector.waitFor((spans) => spans.some((s) => s.parentSpanId === run.spanId));
    expect(collector.spans.find((s) => s.parentSpanId === run.spanId)).toMatchObject({
      name: 'chat gpt-trace',
    });
  });

  it('marks a refused upstream call failed, with its code and not its message', async () => {
    harness.mock.enqueue({ kind: 'http-error', status: 400, body: { error: { message: `bad: ${PROMPT}` } } });
    await expect(
      client.responses.create(
        { model: 'gpt-trace', input: PROMPT },
        { headers: { 'x-request-id': 'req-fail' } },
      ),
    ).rejects.toThrow();
    const { root, spans } = await traceOf('req-fail', 2);
    const call = spans.find((s) => s.parentSpanId === root.spanId)!;
    expect(call.statusCode).toBe(2);
    expect(call.attributes['error.type']).toEqual(expect.any(String));
    expect(root.attributes['http.response.status_code']).toBe(400);
  });

  it('never exports prompts, outputs or keys', () => {
    expect(collector.bodies.length).toBeGreaterThan(0);
    const exported = collector.bodies.join('\n');
    for (const secret of ['PROMPT-TEXT', 'OUTPUT-TEXT', 'upstream-key', 'Bearer']) {
      expect(exported).not.toContain(secret);
    }
  });
});

describe('tracing off', () => {
  it('hooks nothing, sends no traceparent, exports nothing and registers no tracer provider', async () => {
    const exportsBefore = collector.requests.length;
    const plain = await startHarness();
    try {
      // No hook was registered: the request decorator comes with it.
      expect(plain.gateway.app.hasRequestDecorator('traceSpan')).toBe(false);
      await sdkClient(plain).responses.create({ model: 'gpt-trace', input: PROMPT });
      expect(plain.mock.requests[0]!.headers.traceparent).toBeUndefined();
    } finally {
      await plain.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(collector.requests.length).toBe(exportsBefore);
    // Nothing is put behind the global API (the gateway never registers globally, on or off).
    expect(trace.getTracerProvider()).toBeInstanceOf(ProxyTracerProvider);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });
});

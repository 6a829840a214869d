/**
 * Every client-executed tool type on every provider mock, through the openai SDK: the model's call
 * comes back as the tool's own item (streamed with its events, and whole), is stored, and the
 * client's answer reaches the upstream on the next turn — with previous_response_id, in a
 * conversation, and statelessly as full input. A native Responses upstream gets the tools and
 * items as they are; the others get functions. The bundled local model is skipped (declared).
 */
import type { ResponseCreateParamsStreaming } from 'openai/resources/responses/responses';
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { checkStream } from '../e2e/stream-helpers.js';
import type { Any, ProviderGateway } from '../providers/provider-gateway.js';
import { CLIENT_TOOL_CASES, type ClientToolCase, PENDING_SAFETY_CHECK } from './client-tool-cases.js';
import { requireFeature } from './conformance-helpers.js';
import { anthropicDriver } from './drivers/anthropic-driver.js';
import { chatDriver } from './drivers/chat-driver.js';
import type { ConformanceDriver, SentRequest } from './drivers/driver.js';
import { geminiDriver } from './drivers/gemini-driver.js';
import { localDriver } from './drivers/local-driver.js';
import { responsesDriver } from './drivers/responses-driver.js';

const DRIVERS: ConformanceDriver[] = [
  chatDriver(),
  responsesDriver(),
  anthropicDriver(),
  geminiDriver(),
  localDriver(),
];

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))('%s', (_name, driver) => {
  let gw: ProviderGateway;
  const native = driver.name === 'openai-responses';
  const body = (extra: Record<string, unknown>) => ({ model: driver.model, ...driver.defaults, ...extra });

  beforeAll(async () => {
    gw = await driver.start();
  });
  afterEach(() => driver.reset());
  afterAll(async () => {
    await gw?.close();
    await driver.close();
  });

  /** The model calls the case's tool (the suite's only scripted turn before the answer). */
  const scriptCall = (ctx: TestContext, c: ClientToolCase, callId: string) => {
    if (!driver.script) ctx.skip(`${driver.model}: no mock to script, and a story model calls no tools`);
    requireFeature(ctx, driver, 'toolCalls');
    driver.script!.toolCalls([{ callId, ...c.call }]);
  };

  const expectItem = (c: ClientToolCase, item: Any) => {
    expect(item).toMatchObject({ ...c.item, status: 'completed' });
    expect(item.call_id).toEqual(expect.any(String));
    if (c.name.startsWith('computer_use_preview'))
      expect(item.pending_safety_checks).toEqual(native ? [PENDING_SAFETY_CHECK] : []);
  };

  /** The upstream saw the call replayed and the client's answer to it. */
  const expectAnswered = (c: ClientToolCase, sent: SentRequest) => {
    expect(sent.toolCalls).toHaveLength(1);
    expect(sent.toolResults).toHaveLength(1);
    if (c.marker === 'image') {
      if (native) expect(sent.toolResults[0]!.output).toContain('computer_screenshot');
      else expect(sent.images).toBeGreaterThan(0);
    } else {
      expect(sent.toolResults[0]!.output).toContain(c.marker);
    }
  };

  describe.each(CLIENT_TOOL_CASES.map((c) => [c.name, c] as const))('%s', (_case, c) => {
    it('streams its item and events, is stored, and takes its output with previous_response_id', async (ctx) => {
      scriptCall(ctx, c, 'call_ct_1');
      const result = await gw.stream(body({ input: 'Go.', tools: [c.tool] }));
      const output = checkStream(result);
      expect(result.types.at(-1)).toBe('response.completed');
      expect(output).toHaveLength(1);
      expectItem(c, output[0]);
      for (const type of c.events ?? []) expect(result.types).toContain(type);
      const id = result.data.at(-1).response.id;
      const stored: Any = await gw.client.responses.retrieve(id);
      expect(stored.output).toEqual(result.data.at(-1).response.output);

      driver.script!.text('Done.');
      const next: Any = await gw.client.responses.create(
        body({ previous_response_id: id, tools: [c.tool], input: [c.answer(output[0].call_id)] }) as Any,
      );
      expect(next.status).toBe('completed');
      expect(next.output_text).toBe('Done.');
      expectAnswered(c, driver.sent(1));
      const items: Any = await gw.client.responses.inputItems.list(next.id);
      expect(items.data[0].type).toBe(c.answer('x').type);
    });

    it('answers whole and takes its output statelessly as full input (store: false)', async (ctx) => {
      scriptCall(ctx, c, 'call_ct_2');
      const first: Any = await gw.client.responses.create(
        body({ input: 'Go.', tools: [c.tool], store: false }) as Any,
      );
      expect(first.output).toHaveLength(1);
      expectItem(c, first.output[0]);

      driver.script!.text('Done.');
      const next: Any = await gw.client.responses.create(
        body({
          store: false,
          tools: [c.tool],
          input: [{ role: 'user', content: 'Go.' }, first.output[0], c.answer(first.output[0].call_id)],
        }) as Any,
      );
      expect(next.output_text).toBe('Done.');
      expectAnswered(c, driver.sent(1));
    });

    it('streams through the SDK and goes on in a conversation', async (ctx) => {
      scriptCall(ctx, c, 'call_ct_3');
      const conversation = await gw.client.conversations.create({});
      const first = await sdkStream(
        gw,
        body({ input: 'Go.', tools: [c.tool], conversation: conversation.id }),
        c,
      );
      expectItem(c, first.output[0]);
      driver.script!.text('Done.');
      const next: Any = await gw.client.responses.create(
        body({
          conversation: conversation.id,
          tools: [c.tool],
          input: [c.answer(first.output[0].call_id)],
        }) as Any,
      );
      expect(next.output_text).toBe('Done.');
      expectAnswered(c, driver.sent(1));
      const items = await gw.client.conversations.items.list(conversation.id, { order: 'asc' });
      expect(items.data.map((item) => item.type)).toEqual([
        'message',
        c.item.type,
        c.answer('x').type,
        'message',
      ]);
    });
  });
});

/**
 * The final Response of a stream read through the SDK: its `responses.stream()` accumulator, or —
 * where the stream carries events openai 6.49's accumulator does not know yet (apply_patch's diff
 * events, which its exhaustive switch throws on) — the raw event stream of `create({stream})`.
 */
async function sdkStream(
  gw: ProviderGateway,
  params: Record<string, unknown>,
  c: ClientToolCase,
): Promise<Any> {
  if (c.events === undefined) return gw.client.responses.stream(params as Any).finalResponse();
  const events = await gw.client.responses.create({
    ...params,
    stream: true,
  } as ResponseCreateParamsStreaming);
  let final: Any;
  for await (const event of events) if (event.type === 'response.completed') final = event.response;
  return final;
}

describe('tool types', () => {
  let gw: ProviderGateway;
  const driver = chatDriver();
  beforeAll(async () => {
    gw = await driver.start();
  });
  afterAll(async () => {
    await gw?.close();
    await driver.close();
  });

  it('refuses an unknown type with a 400 naming it', async () => {
    const response = await fetch(`${gw.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: driver.model,
        input: 'Hi',
        tools: [{ type: 'function', name: 'f', parameters: {} }, { type: 'teleport' }],
      }),
    });
    expect(response.status).toBe(400);
    const body: Any = await response.json();
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'tools[1].type' });
    expect(body.error.message).toContain('teleport');
    expect(driver.requestCount).toBe(0);
  });
});

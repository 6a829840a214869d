/**
 * Garbage from every upstream wire format (fast-check): broken SSE framing, invalid or mutated
 * JSON events, events out of order, huge chunks, truncated and dropped streams, odd statuses.
 * Each request ends — a failed response or an error in OpenAI's envelope, streaming or not — and
 * the gateway keeps answering the next request normally.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicDriver } from '../conformance/drivers/anthropic-driver.js';
import { chatDriver } from '../conformance/drivers/chat-driver.js';
import type { ConformanceDriver } from '../conformance/drivers/driver.js';
import { geminiDriver } from '../conformance/drivers/gemini-driver.js';
import { responsesDriver } from '../conformance/drivers/responses-driver.js';
import { TEST_KEY } from '../helpers/test-gateway.js';
import type { ScriptedFailure } from '../mocks/mock-http.js';
import type { ProviderGateway } from '../providers/provider-gateway.js';
import { type Answer, FuzzClient, mutate, mutation, type Sent } from './fuzz-helpers.js';

type Json = Parameters<typeof mutate>[0];

/** Events shaped like each wire format's, for the mutations to start from. */
const EVENTS: Json[] = [
  { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' } }] },
  {
    choices: [
      { index: 0, delta: { tool_calls: [{ index: 0, id: 't', function: { name: 'f', arguments: '{' } }] } },
    ],
  },
  {
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1 },
  },
  { type: 'message_start', message: { id: 'm', role: 'assistant', content: [], usage: { input_tokens: 1 } } },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
  { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } },
  { type: 'message_stop' },
  { candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }] },
  { type: 'response.created', response: { id: 'r', status: 'in_progress', output: [] } },
  { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'Hi' },
  { type: 'response.completed', response: { id: 'r', status: 'completed', output: [] } },
];

const frame = (event: Json, name: string | undefined) =>
  `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(event)}\n\n`;

const garbage: fc.Arbitrary<ScriptedFailure> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom(...EVENTS), fc.array(mutation, { maxLength: 2 }), fc.boolean()), {
        minLength: 1,
        maxLength: 8,
      })
      .chain((frames) =>
        fc
          .constantFrom('', 'data: [DONE]\n\n', 'data: {"unterminated', 'event: error\ndata: {}\n\n')
          .map((tail) => ({
            kind: 'garbage' as const,
            body:
              frames
                .map(([event, edits, named]) =>
                  frame(
                    edits.reduce(mutate, event),
                    named ? String((event as { type?: string }).type) : undefined,
                  ),
                )
                .join('') + tail,
          })),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 300 }),
        fc.constantFrom(
          'data: {}\n\n',
          'data:\n\n',
          ':\n\n',
          'data: null\n\n',
          '\r\n\r\n',
          'event: message_stop\n\n',
          `data: ${'x'.repeat(2_000_000)}\n\n`,
          `data: {"choices":[{"delta":{"content":"${'y'.repeat(1_000_000)}"}}]}\n\n`,
          '<html><body>502 Bad Gateway</body></html>',
          '{"error":{"message":"overloaded"}}',
        ),
      )
      .map((body) => ({ kind: 'garbage' as const, body })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(200, 201, 204, 301, 400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 529),
        fc.string({ maxLength: 80 }),
      )
      .map(([status, body]) => ({ kind: 'http-error' as const, status, body })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<ScriptedFailure>({ kind: 'drop', afterText: 'Partial' }, { kind: 'drop' }),
  },
  { weight: 1, arbitrary: fc.constant<ScriptedFailure>({ kind: 'truncate', afterText: 'Half an answ' }) },
);

const DRIVERS: ConformanceDriver[] = [chatDriver(), responsesDriver(), anthropicDriver(), geminiDriver()];

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))('garbage from %s', (_name, driver) => {
  let gw: ProviderGateway;
  let client: FuzzClient;
  beforeAll(async () => {
    gw = await driver.start();
    client = new FuzzClient(gw.url, TEST_KEY);
  });
  afterAll(async () => {
    await client?.close();
    await gw?.close();
    await driver.close();
  });

  const ask = (stream: boolean): Sent => ({
    method: 'POST',
    path: '/v1/responses',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: driver.model, input: 'Hello', stream }),
  });

  it('ends every request with a failed response or an error, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(garbage, fc.boolean(), async (failure, stream) => {
        driver.reset();
        driver.script!.raw(failure);
        const sent = ask(stream);
        const answer: Answer = await client.send(sent);
        const what = `${JSON.stringify(failure).slice(0, 300)} → ${answer.status} ${answer.text.slice(0, 300)}`;
        if (answer.contentType.startsWith('text/event-stream')) {
          expect(answer.status, what).toBe(200);
          expect(answer.text, what).toMatch(
            /event: (response\.(completed|incomplete|failed)|error)\ndata: .*\n\n$/s,
          );
        } else {
          const body = JSON.parse(answer.text);
          if (answer.status === 200)
            expect(['completed', 'incomplete', 'failed'], what).toContain(body.status);
          else {
            expect(answer.status, what).toBeGreaterThanOrEqual(400);
            // Upstream trouble is the upstream's (502/503/504, or its own 4xx/429), never our 500.
            expect(answer.status, what).not.toBe(500);
            expect(Object.keys(body.error).sort(), what).toEqual(['code', 'message', 'param', 'type']);
          }
        }
      }),
      { numRuns: 150 },
    );
    driver.reset();
    driver.script!.text('Still here.');
    const after = await client.send(ask(false));
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text).output_text).toBe('Still here.');
  }, 180_000);
});

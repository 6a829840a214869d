/**
 * Codex-style stateless replay: `store: false` + `include: ["reasoning.encrypted_content"]`. The
 * gateway seals reasoning into `encrypted_content` (`rgw1.` prefix), opens it when the client sends
 * the items back, refuses content it did not seal, keeps opening content sealed under an older key
 * after rotation, and stores nothing.
 */
import type OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReasoningSealer } from '../../src/engine/reasoning-seal.js';
import { type Harness, startHarness, useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import type { MockReply } from '../mocks/chat-completions-mock.js';
import { expectError, finalResponse, streamEvents, transcript, upstreamMessages } from './state-helpers.js';
import type { Any } from './stream-helpers.js';

const KEY = 'current-secret-key-0123456789';
const OLD_KEY = 'old-secret-key-abcdefghijklmn';
const NEW_KEY = 'new-secret-key-nopqrstuvwxyz0';

let client: OpenAI;

const harness = useHarness({ kind: 'text', text: 'Default reply.' }, { env: { RGW_SECRET_KEYS: KEY } });
beforeAll(() => {
  client = sdkClient(harness);
});

const MODEL = 'gpt-codex';
const STATELESS = { model: MODEL, store: false, include: ['reasoning.encrypted_content'] };
const REASONING_REPLY: MockReply = {
  kind: 'text',
  text: 'The answer is 4.',
  reasoning: 'Two plus two is four.',
};

/** A stateless turn that must succeed; returns the Response. */
async function statelessTurn(h: Harness, input: unknown, stream = false): Promise<Any> {
  const body = { ...STATELESS, input };
  if (stream) return finalResponse(await streamEvents(h, body));
  const result = await h.post('/v1/responses', body);
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}

const question = { type: 'message', role: 'user', content: 'What is 2+2?' };
const followUp = { type: 'message', role: 'user', content: 'And doubled?' };

describe('sealing', () => {
  it.each([false, true])('returns reasoning with rgw1. encrypted_content (stream: %s)', async (stream) => {
    harness.mock.enqueue(REASONING_REPLY);
    const response = await statelessTurn(harness, [question], stream);
    expect(response.store).toBe(false);
    const [reasoning, message] = response.output;
    expect(reasoning.type).toBe('reasoning');
    expect(reasoning.id).toMatch(/^rs_[0-9a-f]{48}$/);
    expect(reasoning.encrypted_content).toMatch(/^rgw1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(message.type).toBe('message');
    expect(response.output_text).toBe('The answer is 4.');
    // Sealed with the configured key: it opens to the reasoning the model produced.
    expect(new ReasoningSealer([KEY]).open(reasoning.encrypted_content)).toEqual({
      text: 'Two plus two is four.',
      summary: [],
    });
    expect(new ReasoningSealer([OLD_KEY]).open(reasoning.encrypted_content)).toBeUndefined();
  });

  it('carries the sealed content on output_item.done when streaming', async () => {
    harness.mock.enqueue(REASONING_REPLY);
    const events = await streamEvents(harness, { ...STATELESS, input: [question] });
    const done = events.find(
      (event) => event.type === 'response.output_item.done' && event.item.type === 'reasoning',
    );
    expect(done.item.encrypted_content).toMatch(/^rgw1\./);
    expect(done.item.encrypted_content).toBe(finalResponse(events).output[0].encrypted_content);
  });

  it('does not seal without the include', async () => {
    harness.mock.enqueue(REASONING_REPLY);
    const response = (await harness.post('/v1/responses', { model: MODEL, store: false, input: [question] }))
      .body;
    expect(response.output[0].type).toBe('reasoning');
    expect(response.output[0].encrypted_content ?? null).toBeNull();
  });

  it('stores nothing', async () => {
    harness.mock.enqueue(REASONING_REPLY);
    const response = await statelessTurn(harness, [question]);
    expectError(await harness.get(`/v1/responses/${response.id}`), 404);
    expectError(await harness.get(`/v1/responses/${response.id}/input_items`), 404);
    // Its items cannot be referenced either.
    expectError(
      await harness.post('/v1/responses', {
        model: MODEL,
        input: [{ type: 'item_reference', id: response.output[0].id }],
      }),
      400,
      { param: 'input[0].id' },
    );
  });
});

describe('replaying output as input', () => {
  it.each([false, true])(
    'continues the conversation from the sent-back items (stream: %s)',
    async (stream) => {
      harness.mock.enqueue(REASONING_REPLY);
      const first = await statelessTurn(harness, [question], stream);
      harness.mock.enqueue({ kind: 'text', text: 'Eight.', reasoning: 'Four times two.' });
      const second = await statelessTurn(harness, [question, ...first.output, followUp], stream);
      expect(second.output_text).toBe('Eight.');
      expect(transcript(upstreamMessages(harness))).toEqual([
        'user: What is 2+2?',
        'assistant: The answer is 4.',
        'user: And doubled?',
      ]);
      // The new reasoning is sealed too, and the next turn replays both.
      expect(second.output[0].encrypted_content).toMatch(/^rgw1\./);
      await statelessTurn(harness, [question, ...first.output, followUp, ...second.output, followUp], stream);
      expect(upstreamMessages(harness)).toHaveLength(5);
    },
  );

  it('accepts reasoning items the way Codex CLI sends them (no id, content null)', async () => {
    harness.mock.enqueue(REASONING_REPLY);
    const first = await statelessTurn(harness, [question]);
    const { id: _id, ...reasoning } = first.output[0];
    const codexReasoning = { ...reasoning, content: null };
    await statelessTurn(harness, [question, codexReasoning, first.output[1], followUp]);
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: What is 2+2?',
      'assistant: The answer is 4.',
      'user: And doubled?',
    ]);
  });

  it('round-trips through the SDK', async () => {
    harness.mock.enqueue(REASONING_REPLY, { kind: 'text', text: 'Eight.' });
    const first = await client.responses.create({
      model: MODEL,
      store: false,
      include: ['reasoning.encrypted_content'],
      input: 'What is 2+2?',
    });
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning?.encrypted_content).toMatch(/^rgw1\./);
    const second = await client.responses.create({
      model: MODEL,
      store: false,
      include: ['reasoning.encrypted_content'],
      input: [
        { role: 'user', content: 'What is 2+2?' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { role: 'user', content: 'And doubled?' },
      ],
    });
    expect(second.output_text).toBe('Eight.');
  });

  it('refuses tampered encrypted content with invalid_encrypted_content', async () => {
    harness.mock.enqueue(REASONING_REPLY);
    const first = await statelessTurn(harness, [question]);
    const sealed: string = first.output[0].encrypted_content;
    const middle = Math.floor(sealed.length * 0.6);
    const flipped = sealed[middle] === 'A' ? 'B' : 'A';
    const tampered = sealed.slice(0, middle) + flipped + sealed.slice(middle + 1);
    harness.mock.reset();
    const result = await harness.post('/v1/responses', {
      ...STATELESS,
      input: [question, { ...first.output[0], encrypted_content: tampered }, followUp],
    });
    expectError(result, 400, { param: 'input[1].encrypted_content', code: 'invalid_encrypted_content' });
    // Truncated, and with a wrong key id.
    for (const bad of [sealed.slice(0, 20), sealed.replace(/^rgw1\.[0-9a-f]{8}/, 'rgw1.00000000'), 'rgw1.']) {
      expectError(
        await harness.post('/v1/responses', {
          ...STATELESS,
          input: [{ ...first.output[0], encrypted_content: bad }],
        }),
        400,
        { param: 'input[0].encrypted_content', code: 'invalid_encrypted_content' },
      );
    }
    expect(harness.mock.requests).toHaveLength(0);
  });

  it("refuses foreign encrypted content (OpenAI's gAAAA… tokens)", async () => {
    const foreign = {
      type: 'reasoning',
      id: 'rs_68c0ffee0123456789abcdef0123456789abcdef01234567',
      summary: [],
      encrypted_content: `gAAAAABo${'x'.repeat(120)}==`,
    };
    const result = await harness.post('/v1/responses', {
      ...STATELESS,
      input: [question, foreign, followUp],
    });
    expectError(result, 400, { param: 'input[1].encrypted_content', code: 'invalid_encrypted_content' });
    expect(result.body.error.message).toContain(foreign.id);
    expect(harness.mock.requests).toHaveLength(0);
  });
});

describe('key rotation', () => {
  it('opens content sealed under an old key after rotation, and seals with the new key', async () => {
    const before = await startHarness({ env: { RGW_SECRET_KEYS: OLD_KEY } });
    const rotated = await startHarness({ env: { RGW_SECRET_KEYS: `${NEW_KEY},${OLD_KEY}` } });
    const newOnly = await startHarness({ env: { RGW_SECRET_KEYS: NEW_KEY } });
    try {
      before.mock.enqueue(REASONING_REPLY);
      const first = await statelessTurn(before, [question]);
      const oldSealed: string = first.output[0].encrypted_content;

      rotated.mock.enqueue({ kind: 'text', text: 'Eight.', reasoning: 'Doubling.' });
      const second = await statelessTurn(rotated, [question, ...first.output, followUp]);
      expect(transcript(upstreamMessages(rotated))).toEqual([
        'user: What is 2+2?',
        'assistant: The answer is 4.',
        'user: And doubled?',
      ]);
      const newSealed: string = second.output[0].encrypted_content;
      expect(newSealed.split('.')[1]).not.toBe(oldSealed.split('.')[1]);
      expect(new ReasoningSealer([NEW_KEY]).open(newSealed)?.text).toBe('Doubling.');

      // Once the old key is retired, its content is refused.
      const refused = await newOnly.post('/v1/responses', {
        ...STATELESS,
        input: [question, ...first.output],
      });
      expectError(refused, 400, { param: 'input[1].encrypted_content', code: 'invalid_encrypted_content' });
      expect(newOnly.mock.requests).toHaveLength(0);
    } finally {
      await Promise.all([before.close(), rotated.close(), newOnly.close()]);
    }
  });
});

describe('stored responses with sealed reasoning', () => {
  it('continues a stored response whose reasoning was sealed', async () => {
    harness.mock.enqueue(REASONING_REPLY, { kind: 'text', text: 'Eight.' });
    const first = (
      await harness.post('/v1/responses', {
        model: MODEL,
        include: ['reasoning.encrypted_content'],
        input: 'What is 2+2?',
      })
    ).body;
    expect(first.output[0].encrypted_content).toMatch(/^rgw1\./);
    // Reads show the sealed reasoning only when they include it, as the create did.
    const included = await harness.get(`/v1/responses/${first.id}?include[]=reasoning.encrypted_content`);
    expect(included.body).toEqual(first);
    const plain = (await harness.get(`/v1/responses/${first.id}`)).body;
    expect(plain.output[0]).not.toHaveProperty('encrypted_content');
    expect({ ...plain, output: [] }).toEqual({ ...first, output: [] });
    const second = await harness.post('/v1/responses', {
      model: MODEL,
      input: 'And doubled?',
      previous_response_id: first.id,
    });
    expect(second.status).toBe(200);
    expect(transcript(upstreamMessages(harness))).toEqual([
      'user: What is 2+2?',
      'assistant: The answer is 4.',
      'user: And doubled?',
    ]);
  });
});

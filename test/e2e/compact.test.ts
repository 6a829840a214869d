/** POST /v1/responses/compact, compaction items as input, and automatic compaction on create. */
import type OpenAI from 'openai';
import type { ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SUMMARIZER_INSTRUCTIONS } from '../../src/engine/compaction/summarize.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import { expectError, transcript, upstreamMessages } from './state-helpers.js';
import type { Any } from './stream-helpers.js';

let client: OpenAI;
let summaries = 0;

/** Summarisation calls answer with a numbered summary; every other call with a plain reply. */
function isSummaryCall(body: Any): boolean {
  return body.messages?.[0]?.content === SUMMARIZER_INSTRUCTIONS;
}

const harness = useHarness((body: Any) =>
  isSummaryCall(body)
    ? { kind: 'text', text: `SUMMARY-${++summaries}: the user likes cats; the assistant said meow.` }
    : { kind: 'text', text: 'Reply from the model.' },
);
beforeAll(() => {
  client = sdkClient(harness);
});
beforeEach(() => {
  summaries = 0;
});

const HISTORY: ResponseInputItem[] = [
  { role: 'user', content: 'I like cats.' },
  { role: 'assistant', content: 'Meow! Cats are great.' },
  { role: 'user', content: 'Tell me more.' },
  { role: 'assistant', content: 'They sleep a lot.' },
];

describe('POST /v1/responses/compact', () => {
  it('summarises the context with the model and returns the user messages and a compaction item', async () => {
    const compacted = await client.responses.compact({ model: 'gpt-4o', input: HISTORY });
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(compacted.output.map((item) => item.type)).toEqual(['message', 'message', 'compaction']);
    expect(compacted.output[0]).toMatchObject({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'I like cats.' }],
    });
    const item = compacted.output[2] as Any;
    expect(item.id).toMatch(/^cmp_[0-9a-f]{48}$/);
    expect(item.encrypted_content).toEqual(expect.any(String));
    expect(item.encrypted_content).not.toContain('SUMMARY');
    expect(compacted.usage.total_tokens).toBeGreaterThan(0);

    // One non-streaming call with the summarisation instruction and the turns as a transcript.
    expect(harness.mock.requests).toHaveLength(1);
    const request = harness.mock.requests[0]!.body;
    expect(request.stream ?? false).toBe(false);
    expect(request.model).toBe('gpt-4o');
    const prompt = JSON.stringify(request.messages[1]);
    for (const text of ['I like cats.', 'Meow! Cats are great.', 'They sleep a lot.'])
      expect(prompt).toContain(text);
  });

  it('continues from the compacted window: the model sees the summary instead of the replaced turns', async () => {
    const compacted = await client.responses.compact({ model: 'gpt-4o', input: HISTORY });
    harness.mock.reset();
    const next = await client.responses.create({
      model: 'gpt-4o',
      input: [...(compacted.output as ResponseInputItem[]), { role: 'user', content: 'And dogs?' }],
    });
    expect(next.output_text).toBe('Reply from the model.');
    expect(transcript(upstreamMessages(harness))).toEqual([
      'system: Summary of the earlier conversation: SUMMARY-1: the user likes cats; the assistant said meow.',
      'user: I like cats.',
      'user: Tell me more.',
      'user: And dogs?',
    ]);
  });

  it('compacts a previous_response_id chain', async () => {
    const first = await client.responses.create({ model: 'gpt-4o', input: 'I like cats.' });
    const compacted = await client.responses.compact({
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: 'Tell me more.',
    });
    expect(compacted.output.map((item) => item.type)).toEqual(['message', 'message', 'compaction']);
    expect(JSON.stringify(harness.mock.requests.at(-1)!.body.messages[1])).toContain('Reply from the model.');
  });

  it('refuses a tampered compaction item with a 400, before any upstream call', async () => {
    const compacted = await client.responses.compact({ model: 'gpt-4o', input: HISTORY });
    harness.mock.reset();
    const item = compacted.output[2] as Any;
    const blob: string = item.encrypted_content;
    const middle = Math.floor(blob.length / 2);
    const flipped = blob.slice(0, middle) + (blob[middle] === 'A' ? 'B' : 'A') + blob.slice(middle + 1);
    const result = await harness.post('/v1/responses', {
      model: 'gpt-4o',
      input: [
        { ...item, encrypted_content: flipped },
        { role: 'user', content: 'And dogs?' },
      ],
    });
    expectError(result, 400, { param: 'input[0].encrypted_content', code: 'invalid_encrypted_content' });
    const forged = await harness.post('/v1/responses', {
      model: 'gpt-4o',
      input: [
        { type: 'compaction', encrypted_content: 'made up' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expectError(forged, 400, { param: 'input[0].encrypted_content', code: 'invalid_encrypted_content' });
    expect(harness.mock.requests).toHaveLength(0);
  });

  it('validates its body', async () => {
    expectError(await harness.post('/v1/responses/compact', { input: 'x' }), 400, {
      param: 'model',
      code: 'missing_required_parameter',
    });
    expectError(await harness.post('/v1/responses/compact', { model: 'gpt-4o', tools: [] }), 400, {
      param: 'tools',
      code: 'unknown_parameter',
    });
    expectError(await harness.post('/v1/responses/compact', { model: 'gpt-4o' }), 400, { param: 'input' });
    expect(harness.mock.requests).toHaveLength(0);
  });
});

describe('context_management compaction on create', () => {
  const LONG = 'The cat sat on the mat and looked at the hat. '.repeat(120);

  it('compacts first when the context passes compact_threshold; later turns use the compaction', async () => {
    const first = await client.responses.create({ model: 'gpt-4o', input: LONG });
    expect(harness.mock.requests).toHaveLength(1);

    const second = await client.responses.create({
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: 'What did I say?',
      context_management: [{ type: 'compaction', compact_threshold: 1000 }],
    });
    expect(second.output.map((item) => item.type)).toEqual(['compaction', 'message']);
    expect(second.output[0]!.id).toMatch(/^cmp_[0-9a-f]{48}$/);
    expect(second.output_text).toBe('Reply from the model.');
    // A summarisation call, then the model call with the summary instead of the long turn.
    expect(harness.mock.requests).toHaveLength(3);
    expect(isSummaryCall(harness.mock.requests[1]!.body)).toBe(true);
    expect(JSON.stringify(harness.mock.requests[1]!.body)).toContain('The cat sat on the mat');
    expect(transcript(upstreamMessages(harness))).toEqual([
      'system: Summary of the earlier conversation: SUMMARY-1: the user likes cats; the assistant said meow.',
      'user: What did I say?',
    ]);

    // Below the threshold now: no new compaction, and the chain starts at the summary.
    const third = await client.responses.create({
      model: 'gpt-4o',
      previous_response_id: second.id,
      input: 'Thanks.',
      context_management: [{ type: 'compaction', compact_threshold: 1000 }],
    });
    expect(third.output.map((item) => item.type)).toEqual(['message']);
    expect(harness.mock.requests).toHaveLength(4);
    expect(transcript(upstreamMessages(harness))).toEqual([
      'system: Summary of the earlier conversation: SUMMARY-1: the user likes cats; the assistant said meow.',
      'user: What did I say?',
      'assistant: Reply from the model.',
      'user: Thanks.',
    ]);

    // The stored response lists the compaction item first.
    const stored = await client.responses.retrieve(second.id);
    expect(stored.output.map((item) => item.type)).toEqual(['compaction', 'message']);
  });

  it('does nothing under the threshold, and streams the compaction item before the reply', async () => {
    const quiet = await client.responses.create({
      model: 'gpt-4o',
      input: 'Hi',
      context_management: [{ type: 'compaction', compact_threshold: 1000 }],
    });
    expect(quiet.output.map((item) => item.type)).toEqual(['message']);
    harness.mock.reset();

    const stream = await client.responses.create({
      model: 'gpt-4o',
      stream: true,
      input: [
        { role: 'user', content: LONG },
        { role: 'assistant', content: 'Nice.' },
        { role: 'user', content: 'Summarise please.' },
      ],
      context_management: [{ type: 'compaction', compact_threshold: 1000 }],
    });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const added = events.filter((event) => event.type === 'response.output_item.added') as Any[];
    expect(added.map((event) => [event.output_index, event.item.type])).toEqual([
      [0, 'compaction'],
      [1, 'message'],
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const completed = events.at(-1) as Any;
    expect(completed.type).toBe('response.completed');
    expect(completed.response.output.map((item: Any) => item.type)).toEqual(['compaction', 'message']);
    // Stateless: the input's older items were summarised, its last user message kept.
    expect(transcript(upstreamMessages(harness))).toEqual([
      'system: Summary of the earlier conversation: SUMMARY-1: the user likes cats; the assistant said meow.',
      'user: Summarise please.',
    ]);

    // Sent back with the input it came with, the compaction item replaces what it summarised.
    harness.mock.reset();
    await client.responses.create({
      model: 'gpt-4o',
      input: [
        { role: 'user', content: LONG },
        { role: 'assistant', content: 'Nice.' },
        { role: 'user', content: 'Summarise please.' },
        ...(completed.response.output as ResponseInputItem[]),
        { role: 'user', content: 'Go on.' },
      ],
    });
    expect(transcript(upstreamMessages(harness))).toEqual([
      'system: Summary of the earlier conversation: SUMMARY-1: the user likes cats; the assistant said meow.',
      'user: Summarise please.',
      'assistant: Reply from the model.',
      'user: Go on.',
    ]);
  });
});

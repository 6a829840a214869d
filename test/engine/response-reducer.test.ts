/**
 * The reducer folds every event type: the Response a consumer rebuilds from the streamed events
 * (after a JSON round trip, as a client sees them) is the one the emitter holds.
 */
import { describe, expect, it } from 'vitest';
import { initialResponse } from '../../src/engine/initial-response.js';
import { ResponseEmitter } from '../../src/engine/response-emitter.js';
import { ResponseReducer } from '../../src/engine/response-reducer.js';
import type { CreateResponseBody } from '../../src/protocol/create-response.js';
import type { ResponseEvent } from '../../src/protocol/events.js';
import type { StreamPart } from '../../src/providers/types.js';

function emitterWithLog() {
  const events: ResponseEvent[] = [];
  const initial = initialResponse('resp_r', { model: 'm', input: 'hi' } as CreateResponseBody, 1);
  const emitter = new ResponseEmitter(initial, (event) => events.push(JSON.parse(JSON.stringify(event))), {
    includeLogprobs: true,
    obfuscate: true,
  });
  const fold = () => {
    const reducer = new ResponseReducer(
      initialResponse('resp_r', { model: 'm', input: 'hi' } as CreateResponseBody, 1),
    );
    for (const event of events) reducer.apply(event);
    return reducer.response;
  };
  return { emitter, events, fold };
}

const MODEL_PARTS: StreamPart[] = [
  { type: 'reasoning-start', id: 'r' },
  { type: 'reasoning-delta', id: 'r', delta: 'sum', kind: 'summary' },
  { type: 'reasoning-delta', id: 'r', delta: 'mary', kind: 'summary' },
  { type: 'reasoning-delta', id: 'r', delta: 'raw', kind: 'text' },
  { type: 'reasoning-end', id: 'r' },
  { type: 'text-start', id: 't' },
  {
    type: 'text-delta',
    id: 't',
    delta: 'Hi',
    logprobs: [{ token: 'Hi', bytes: [72, 105], logprob: -0.1, topLogprobs: [] }],
  },
  { type: 'text-end', id: 't' },
  { type: 'refusal-start', id: 'n' },
  { type: 'refusal-delta', id: 'n', delta: 'No.' },
  { type: 'refusal-end', id: 'n' },
  { type: 'tool-input-start', id: 'f', callId: 'call_f', toolName: 'f', toolKind: 'function' },
  { type: 'tool-input-delta', id: 'f', delta: '{}' },
  { type: 'tool-input-end', id: 'f' },
  { type: 'tool-input-start', id: 'c', callId: 'call_c', toolName: 'c', toolKind: 'custom' },
  { type: 'tool-input-delta', id: 'c', delta: 'raw input' },
  { type: 'tool-input-end', id: 'c' },
];

describe('ResponseReducer', () => {
  it('folds model items and every built-in item event into the emitted Response', () => {
    const { emitter, events, fold } = emitterWithLog();
    emitter.created();
    emitter.inProgress();
    for (const part of MODEL_PARTS) emitter.part(part);
    emitter.endCurrentItem();
    const search = emitter.hosted.open('file_search_call', 'fs_1', { queries: ['q'], results: null });
    emitter.hosted.progress(search, { type: 'phase', phase: 'searching' });
    emitter.hosted.done(search, { status: 'completed', results: [{ file_id: 'file-1', score: 1 }] });
    const code = emitter.hosted.open('code_interpreter_call', 'ci_1', {
      code: '',
      container_id: 'cntr_1',
      outputs: null,
    });
    emitter.hosted.progress(code, {
      type: 'delta',
      event: 'response.code_interpreter_call_code',
      delta: 'print(',
    });
    emitter.hosted.progress(code, {
      type: 'delta',
      event: 'response.code_interpreter_call_code',
      delta: '1)',
    });
    emitter.hosted.progress(code, {
      type: 'delta-done',
      event: 'response.code_interpreter_call_code',
      field: 'code',
      value: 'print(1)',
    });
    emitter.hosted.progress(code, { type: 'phase', phase: 'interpreting' });
    const mcp = emitter.hosted.open('mcp_call', 'mcp_1', { arguments: '', name: 'add', server_label: 's' });
    emitter.hosted.progress(mcp, { type: 'delta', event: 'response.mcp_call_arguments', delta: '{"a":1}' });
    emitter.hosted.progress(mcp, {
      type: 'delta-done',
      event: 'response.mcp_call_arguments',
      field: 'arguments',
      value: '{"a":1}',
    });
    emitter.hosted.done(mcp, { status: 'failed', error: 'down' });
    // Before the code call is done, a reader folding the events sees it mid-run.
    expect(fold().output[code]).toMatchObject({ status: 'interpreting', code: 'print(1)' });
    emitter.hosted.done(code, { status: 'completed', outputs: [{ type: 'logs', logs: '1\n' }] });
    emitter.finish('stop', { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, reasoningTokens: 1 }, 2);

    const types = new Set(events.map((event) => event.type));
    for (const type of [
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.done',
      'response.reasoning_text.done',
      'response.output_text.done',
      'response.refusal.done',
      'response.function_call_arguments.done',
      'response.custom_tool_call_input.done',
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
      'response.code_interpreter_call_code.delta',
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call.completed',
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.failed',
    ]) {
      expect(types, type).toContain(type);
    }
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const folded = fold();
    expect(folded).toEqual(JSON.parse(JSON.stringify(emitter.response)));
    expect(folded.output.map((item) => [item.type, 'status' in item ? item.status : undefined])).toEqual([
      ['reasoning', undefined],
      ['message', 'completed'],
      ['function_call', 'completed'],
      ['custom_tool_call', 'completed'],
      ['file_search_call', 'completed'],
      ['code_interpreter_call', 'completed'],
      ['mcp_call', 'failed'],
    ]);
    expect(folded.output[0]).toMatchObject({ summary: [{ text: 'summary' }], content: [{ text: 'raw' }] });
  });

  it('marks a built-in item still running incomplete when the response fails', () => {
    const { emitter, fold } = emitterWithLog();
    emitter.created();
    emitter.inProgress();
    const search = emitter.hosted.open('file_search_call', 'fs_2', { queries: [] });
    emitter.hosted.progress(search, { type: 'phase', phase: 'searching' });
    emitter.fail({ code: 'server_error', message: 'gone' });
    expect(fold().output[0]).toMatchObject({ type: 'file_search_call', status: 'incomplete' });
    expect(fold().status).toBe('failed');
  });

  it('folds annotations onto their text part, and ignores events that change nothing', () => {
    const { emitter, events, fold } = emitterWithLog();
    emitter.created();
    emitter.inProgress();
    emitter.part({ type: 'text-start', id: 't' });
    emitter.part({ type: 'text-delta', id: 't', delta: 'cited' });
    const reducer = new ResponseReducer(fold());
    const ref = { item_id: reducer.response.output[0]!.id, output_index: 0, sequence_number: events.length };
    const annotation = { type: 'file_citation' as const, file_id: 'file-1', filename: 'a.txt', index: 5 };
    reducer.apply({
      type: 'response.output_text.annotation.added',
      ...ref,
      content_index: 0,
      annotation,
      annotation_index: 0,
    });
    reducer.apply({
      type: 'response.image_generation_call.partial_image',
      ...ref,
      partial_image_b64: 'x',
      partial_image_index: 0,
    });
    reducer.apply({ type: 'error', sequence_number: 99, code: null, message: 'x', param: null });
    const part = reducer.response.output[0]!;
    expect(part.type === 'message' && part.content[0]).toMatchObject({
      text: 'cited',
      annotations: [annotation],
    });
  });
});

describe('reasoning blocks', () => {
  it('keeps back-to-back signed reasoning blocks as separate items, each with its own seal', () => {
    const initial = initialResponse('resp_s', { model: 'm', input: 'hi' } as CreateResponseBody, 1);
    const emitter = new ResponseEmitter(initial, () => {}, {
      includeLogprobs: false,
      obfuscate: false,
      sealReasoning: (payload) => `sealed:${payload.upstream}`,
      exposeReasoningSeal: true,
    });
    for (const [id, sig] of [
      ['a', 'sig-a'],
      ['b', 'sig-b'],
    ] as const) {
      emitter.part({ type: 'reasoning-start', id });
      emitter.part({ type: 'reasoning-delta', id, delta: `think ${id}`, kind: 'text' });
      emitter.part({ type: 'reasoning-end', id, encryptedContent: sig });
    }
    emitter.finish('stop', undefined, 2);
    const reasoning = emitter.response.output.filter((item) => item.type === 'reasoning');
    expect(reasoning.map((item) => item.encrypted_content)).toEqual(['sealed:sig-a', 'sealed:sig-b']);
    expect(reasoning.map((item) => item.content?.[0]?.text)).toEqual(['think a', 'think b']);
  });
});

import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors.js';
import { responseToParts } from '../../../src/providers/openai-responses/map-responses-response.js';
import type { ResponsesStreamEvent } from '../../../src/providers/openai-responses/responses-api.js';
import { ResponsesEventTranslator } from '../../../src/providers/openai-responses/responses-event-translator.js';
import type { StreamPart } from '../../../src/providers/types.js';

function translate(events: ResponsesStreamEvent[]): { parts: StreamPart[]; ended: boolean } {
  const translator = new ResponsesEventTranslator('up');
  const parts: StreamPart[] = [];
  for (const event of events) translator.translate(event, parts);
  return { parts, ended: translator.sawTerminal };
}

const usage = {
  input_tokens: 10,
  input_tokens_details: { cached_tokens: 4 },
  output_tokens: 7,
  output_tokens_details: { reasoning_tokens: 3 },
  total_tokens: 17,
};

describe('ResponsesEventTranslator', () => {
  it('follows message parts, with logprobs, refusals and usage', () => {
    const ref = { item_id: 'msg_1', output_index: 0 };
    const { parts, ended } = translate([
      { type: 'response.created', response: { status: 'in_progress' } },
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { id: 'msg_1', type: 'message', content: [] },
      },
      {
        type: 'response.content_part.added',
        ...ref,
        content_index: 0,
        part: { type: 'output_text', text: '' },
      },
      {
        type: 'response.output_text.delta',
        ...ref,
        content_index: 0,
        delta: 'Hel',
        logprobs: [{ token: 'Hel', logprob: -0.1, top_logprobs: [{ token: 'He', logprob: -2 }] }],
      },
      { type: 'response.output_text.delta', ...ref, content_index: 0, delta: 'lo' },
      // the done text has more than the deltas gave: the rest is sent
      { type: 'response.output_text.done', ...ref, content_index: 0, text: 'Hello!' },
      {
        type: 'response.content_part.added',
        ...ref,
        content_index: 1,
        part: { type: 'refusal', refusal: '' },
      },
      { type: 'response.refusal.delta', ...ref, content_index: 1, delta: 'No.' },
      { type: 'response.refusal.done', ...ref, content_index: 1, refusal: 'No.' },
      { type: 'response.output_item.done', output_index: 0, item: { id: 'msg_1', type: 'message' } },
      { type: 'response.completed', response: { status: 'completed', usage } },
    ]);
    expect(ended).toBe(true);
    expect(parts).toEqual([
      { type: 'text-start', id: 'o0c0' },
      {
        type: 'text-delta',
        id: 'o0c0',
        delta: 'Hel',
        logprobs: [
          {
            token: 'Hel',
            bytes: [72, 101, 108],
            logprob: -0.1,
            topLogprobs: [{ token: 'He', bytes: [72, 101], logprob: -2 }],
          },
        ],
      },
      { type: 'text-delta', id: 'o0c0', delta: 'lo' },
      { type: 'text-delta', id: 'o0c0', delta: '!' },
      { type: 'text-end', id: 'o0c0' },
      { type: 'refusal-start', id: 'o0c1' },
      { type: 'refusal-delta', id: 'o0c1', delta: 'No.' },
      { type: 'refusal-end', id: 'o0c1' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 10, outputTokens: 7, cachedInputTokens: 4, reasoningTokens: 3 },
      },
    ]);
  });

  it('gives each summary part its own block and passes encrypted content through on reasoning-end', () => {
    const ref = { item_id: 'rs_1', output_index: 0 };
    const { parts } = translate([
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { id: 'rs_1', type: 'reasoning', summary: [] },
      },
      { type: 'response.reasoning_summary_part.added', ...ref, summary_index: 0 },
      { type: 'response.reasoning_summary_text.delta', ...ref, summary_index: 0, delta: 'First' },
      { type: 'response.reasoning_summary_text.done', ...ref, summary_index: 0, text: 'First' },
      { type: 'response.reasoning_summary_part.added', ...ref, summary_index: 1 },
      { type: 'response.reasoning_summary_text.delta', ...ref, summary_index: 1, delta: 'Second' },
      { type: 'response.reasoning_text.delta', ...ref, content_index: 0, delta: 'raw' },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: {
          id: 'rs_1',
          type: 'reasoning',
          summary: [{ text: 'First' }, { text: 'Second' }],
          encrypted_content: 'gAAAA-token',
        },
      },
      { type: 'response.completed', response: { status: 'completed' } },
    ]);
    expect(parts).toEqual([
      { type: 'reasoning-start', id: 'o0r0' },
      { type: 'reasoning-delta', id: 'o0r0', delta: 'First', kind: 'summary' },
      { type: 'reasoning-end', id: 'o0r0' },
      { type: 'reasoning-start', id: 'o0r1' },
      { type: 'reasoning-delta', id: 'o0r1', delta: 'Second', kind: 'summary' },
      { type: 'reasoning-end', id: 'o0r1' },
      { type: 'reasoning-start', id: 'o0r2' },
      { type: 'reasoning-delta', id: 'o0r2', delta: 'raw', kind: 'text' },
      { type: 'reasoning-end', id: 'o0r2', encryptedContent: 'gAAAA-token' },
      { type: 'finish', finishReason: 'stop', usage: undefined },
    ]);
  });

  it('keeps an empty reasoning item that only carries encrypted content', () => {
    const { parts } = translate([
      { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_1', type: 'reasoning' } },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'enc' },
      },
    ]);
    expect(parts).toEqual([
      { type: 'reasoning-start', id: 'o0r0' },
      { type: 'reasoning-end', id: 'o0r0', encryptedContent: 'enc' },
    ]);
  });

  it('streams function and custom tool calls with their call ids; tool calls finish as tool-calls', () => {
    const { parts } = translate([
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { id: 'fc_1', type: 'function_call', call_id: 'call_a', name: 'weather', arguments: '' },
      },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 0, delta: '{"city":' },
      {
        type: 'response.function_call_arguments.done',
        item_id: 'fc_1',
        output_index: 0,
        arguments: '{"city":"P"}',
      },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { type: 'function_call', arguments: '{"city":"P"}' },
      },
      {
        type: 'response.output_item.added',
        output_index: 1,
        item: { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_b', name: 'shell', input: '' },
      },
      { type: 'response.custom_tool_call_input.delta', item_id: 'ctc_1', output_index: 1, delta: 'ls' },
      {
        type: 'response.output_item.done',
        output_index: 1,
        item: { type: 'custom_tool_call', input: 'ls -la' },
      },
      { type: 'response.completed', response: { status: 'completed' } },
    ]);
    expect(parts).toEqual([
      { type: 'tool-input-start', id: 'o0', callId: 'call_a', toolName: 'weather', toolKind: 'function' },
      { type: 'tool-input-delta', id: 'o0', delta: '{"city":' },
      { type: 'tool-input-delta', id: 'o0', delta: '"P"}' },
      { type: 'tool-input-end', id: 'o0' },
      { type: 'tool-input-start', id: 'o1', callId: 'call_b', toolName: 'shell', toolKind: 'custom' },
      { type: 'tool-input-delta', id: 'o1', delta: 'ls' },
      { type: 'tool-input-delta', id: 'o1', delta: ' -la' },
      { type: 'tool-input-end', id: 'o1' },
      { type: 'finish', finishReason: 'tool-calls', usage: undefined },
    ]);
  });

  it('maps incomplete reasons and closes what the upstream left open', () => {
    const open = [
      { type: 'response.output_item.added', output_index: 0, item: { type: 'message' } },
      { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'Once' },
    ];
    const length = translate([
      ...open,
      {
        type: 'response.incomplete',
        response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
      },
    ]).parts;
    expect(length).toEqual([
      { type: 'text-start', id: 'o0c0' },
      { type: 'text-delta', id: 'o0c0', delta: 'Once' },
      { type: 'text-end', id: 'o0c0' },
      { type: 'finish', finishReason: 'length', usage: undefined },
    ]);
    const filtered = translate([
      {
        type: 'response.incomplete',
        response: { status: 'incomplete', incomplete_details: { reason: 'content_filter' } },
      },
    ]).parts;
    expect(filtered).toEqual([{ type: 'finish', finishReason: 'content-filter', usage: undefined }]);
  });

  it('turns response.failed and error events into error parts, and stops there', () => {
    const failed = translate([
      {
        type: 'response.failed',
        response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'slow down' } },
      },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'late' },
    ]);
    expect(failed.ended).toBe(true);
    expect(failed.parts).toHaveLength(1);
    const error = (failed.parts[0] as Extract<StreamPart, { type: 'error' }>).error as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(error.message).toContain('slow down');

    const streamError = translate([{ type: 'error', code: 'server_error', message: 'boom', param: null }]);
    expect((streamError.parts[0] as Extract<StreamPart, { type: 'error' }>).error).toMatchObject({
      status: 502,
      code: 'server_error',
      message: expect.stringContaining('boom'),
    });
  });

  it('warns once about output items it cannot represent', () => {
    const { parts } = translate([
      { type: 'response.output_item.added', output_index: 0, item: { type: 'computer_call' } },
      { type: 'response.output_item.done', output_index: 0, item: { type: 'computer_call' } },
      { type: 'response.output_item.added', output_index: 1, item: { type: 'computer_call' } },
    ]);
    expect(parts).toEqual([{ type: 'warning', message: expect.stringContaining("'computer_call'") }]);
  });

  it('reports a web_search_call the upstream ran, whole, and the annotations of its text', () => {
    const annotation = {
      type: 'url_citation',
      url: 'https://a.example/',
      title: 'A',
      start_index: 0,
      end_index: 2,
    };
    const action = { type: 'search', query: 'q' };
    const { parts } = translate([
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { id: 'ws_1', type: 'web_search_call', status: 'in_progress' },
      },
      { type: 'response.web_search_call.searching', output_index: 0, item_id: 'ws_1' },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { id: 'ws_1', type: 'web_search_call', status: 'completed', action },
      },
      {
        type: 'response.content_part.added',
        output_index: 1,
        content_index: 0,
        part: { type: 'output_text', text: '' },
      },
      { type: 'response.output_text.delta', output_index: 1, content_index: 0, delta: 'Hi' },
      { type: 'response.output_text.annotation.added', output_index: 1, content_index: 0, annotation },
    ]);
    expect(parts).toEqual([
      { type: 'upstream-call', itemType: 'web_search_call', fields: { status: 'completed', action } },
      { type: 'text-start', id: 'o1c0' },
      { type: 'text-delta', id: 'o1c0', delta: 'Hi' },
      { type: 'text-annotation', id: 'o1c0', annotation },
    ]);
  });
});

describe('responseToParts', () => {
  it('gives a whole Response as the parts its stream would give', () => {
    const parts = responseToParts(
      {
        status: 'completed',
        output: [
          {
            id: 'rs_1',
            type: 'reasoning',
            summary: [{ type: 'summary_text', text: 'Think' }],
            encrypted_content: 'enc',
          },
          {
            id: 'msg_1',
            type: 'message',
            content: [
              {
                type: 'output_text',
                text: 'Hi',
                logprobs: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [] }],
              },
            ],
          },
          { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        ],
        usage,
      },
      'up',
    );
    expect(parts).toEqual([
      { type: 'reasoning-start', id: 'o0r0' },
      { type: 'reasoning-delta', id: 'o0r0', delta: 'Think', kind: 'summary' },
      { type: 'reasoning-end', id: 'o0r0', encryptedContent: 'enc' },
      { type: 'text-start', id: 'o1c0' },
      {
        type: 'text-delta',
        id: 'o1c0',
        delta: 'Hi',
        logprobs: [{ token: 'Hi', bytes: [72, 105], logprob: -0.5, topLogprobs: [] }],
      },
      { type: 'text-end', id: 'o1c0' },
      { type: 'tool-input-start', id: 'o2', callId: 'call_1', toolName: 'f', toolKind: 'function' },
      { type: 'tool-input-delta', id: 'o2', delta: '{}' },
      { type: 'tool-input-end', id: 'o2' },
      {
        type: 'finish',
        finishReason: 'tool-calls',
        usage: { inputTokens: 10, outputTokens: 7, cachedInputTokens: 4, reasoningTokens: 3 },
      },
    ]);
  });

  it('ends failed or unfinished Responses with an error part', () => {
    const failed = responseToParts(
      { status: 'failed', error: { code: 'server_error', message: 'broke' }, output: [] },
      'up',
    );
    expect(failed).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'server_error' }) }]);
    const queued = responseToParts({ status: 'queued', output: [] }, 'up');
    expect(queued).toEqual([
      { type: 'error', error: expect.objectContaining({ message: expect.stringContaining("'queued'") }) },
    ]);
  });
});

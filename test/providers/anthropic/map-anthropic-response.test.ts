import { describe, expect, it } from 'vitest';
import type { AnthropicStreamEvent } from '../../../src/providers/anthropic/anthropic-api.js';
import { anthropicStatusError } from '../../../src/providers/anthropic/anthropic-errors.js';
import { mapAnthropicFinishReason } from '../../../src/providers/anthropic/map-anthropic-finish-reason.js';
import {
  AnthropicStreamTranslator,
  mapAnthropicUsage,
  messageToParts,
  type ResponseMapOptions,
} from '../../../src/providers/anthropic/map-anthropic-response.js';
import type { StreamPart } from '../../../src/providers/types.js';

const OPTIONS: ResponseMapOptions = { jsonToolName: undefined, customToolNames: new Set() };

function translate(events: AnthropicStreamEvent[], options: ResponseMapOptions = OPTIONS): StreamPart[] {
  const translator = new AnthropicStreamTranslator('anthropic', options);
  const out: StreamPart[] = [];
  for (const event of events) translator.translate(event, out);
  if (!translator.failed) translator.end(out);
  return out;
}

const start = (usage = { input_tokens: 10, output_tokens: 1 }): AnthropicStreamEvent => ({
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage },
});
const stop = (reason: string, output_tokens = 20): AnthropicStreamEvent[] => [
  { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage: { output_tokens } },
  { type: 'message_stop' },
];

describe('AnthropicStreamTranslator', () => {
  it('maps thinking (with its signature), text and usage', () => {
    const parts = translate([
      start({
        input_tokens: 10,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 5,
        output_tokens: 1,
      } as never),
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'think.' } },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hello' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'citations_delta', citation: {} } },
      { type: 'content_block_stop', index: 1 },
      ...stop('end_turn', 42),
    ]);
    expect(parts).toEqual([
      { type: 'reasoning-start', id: 'b0' },
      { type: 'reasoning-delta', id: 'b0', delta: 'Let me ', kind: 'text' },
      { type: 'reasoning-delta', id: 'b0', delta: 'think.', kind: 'text' },
      { type: 'reasoning-end', id: 'b0', encryptedContent: 'EqQBCgIYAhIM' },
      { type: 'text-start', id: 'b1' },
      { type: 'text-delta', id: 'b1', delta: 'Hello' },
      { type: 'text-end', id: 'b1' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 115, outputTokens: 42, cachedInputTokens: 100, reasoningTokens: 0 },
      },
    ]);
  });

  it('carries redacted thinking as prefixed encrypted content', () => {
    const parts = translate([
      start(),
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'redacted_thinking', data: 'EmwKAhgB' },
      },
      { type: 'content_block_stop', index: 0 },
      ...stop('end_turn'),
    ]);
    expect(parts.slice(0, 2)).toEqual([
      { type: 'reasoning-start', id: 'b0' },
      { type: 'reasoning-end', id: 'b0', encryptedContent: 'redacted_thinking:EmwKAhgB' },
    ]);
  });

  it('streams parallel tool calls one after the other, filling empty input with {}', () => {
    const parts = translate([
      start(),
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_a', name: 'weather', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"city":' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '"Paris"}' },
      },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_b', name: 'time', input: {} },
      },
      { type: 'content_block_stop', index: 1 },
      ...stop('tool_use'),
    ]);
    expect(parts).toEqual([
      { type: 'tool-input-start', id: 'b0', callId: 'toolu_a', toolName: 'weather', toolKind: 'function' },
      { type: 'tool-input-delta', id: 'b0', delta: '{"city":' },
      { type: 'tool-input-delta', id: 'b0', delta: '"Paris"}' },
      { type: 'tool-input-end', id: 'b0' },
      { type: 'tool-input-start', id: 'b1', callId: 'toolu_b', toolName: 'time', toolKind: 'function' },
      { type: 'tool-input-delta', id: 'b1', delta: '{}' },
      { type: 'tool-input-end', id: 'b1' },
      { type: 'finish', finishReason: 'tool-calls', usage: expect.any(Object) },
    ]);
  });

  it('streams the structured-output tool as text and unwraps custom tool input', () => {
    const options = { jsonToolName: 'answer', customToolNames: new Set(['shell']) };
    const parts = translate(
      [
        start(),
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't0', name: 'answer', input: {} },
        },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '1}' } },
        { type: 'content_block_stop', index: 0 },
        ...stop('tool_use'),
      ],
      options,
    );
    expect(parts).toEqual([
      { type: 'text-start', id: 'b0' },
      { type: 'text-delta', id: 'b0', delta: '{"a":' },
      { type: 'text-delta', id: 'b0', delta: '1}' },
      { type: 'text-end', id: 'b0' },
      { type: 'finish', finishReason: 'stop', usage: expect.any(Object) },
    ]);
    const custom = translate(
      [
        start(),
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't1', name: 'shell', input: {} },
        },
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '{"input":"ls' },
        },
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: ' -la"}' },
        },
        { type: 'content_block_stop', index: 0 },
        ...stop('tool_use'),
      ],
      options,
    );
    expect(custom.slice(0, 3)).toEqual([
      { type: 'tool-input-start', id: 'b0', callId: 't1', toolName: 'shell', toolKind: 'custom' },
      { type: 'tool-input-delta', id: 'b0', delta: 'ls -la' },
      { type: 'tool-input-end', id: 'b0' },
    ]);
  });

  it('reports a mid-stream error event as an error part, keeping overload retryable', () => {
    const parts = translate([
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ]);
    const error = parts.at(-1);
    expect(error?.type).toBe('error');
    expect(error).toMatchObject({
      error: { status: 503, retryable: true, message: expect.stringContaining('Overloaded') },
    });
  });

  it('skips unknown block types with one warning and closes blocks left open', () => {
    const parts = translate([
      start(),
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'server_tool_use', id: 's', name: 'web_search' },
      },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'web_search_tool_result', content: [] },
      },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: 'Hi' } },
      ...stop('max_tokens'),
    ]);
    expect(parts).toEqual([
      { type: 'warning', message: expect.stringContaining('server_tool_use') },
      { type: 'text-start', id: 'b2' },
      { type: 'text-delta', id: 'b2', delta: 'Hi' },
      { type: 'text-end', id: 'b2' },
      { type: 'finish', finishReason: 'length', usage: expect.any(Object) },
    ]);
  });
});

describe('messageToParts', () => {
  it('maps a whole message like the stream', () => {
    const parts = messageToParts(
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Hmm.', signature: 'sig==' },
          { type: 'text', text: 'Calling.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 5, output_tokens: 7 },
      },
      'anthropic',
      OPTIONS,
    );
    expect(parts).toEqual([
      { type: 'reasoning-start', id: 'b0' },
      { type: 'reasoning-delta', id: 'b0', delta: 'Hmm.', kind: 'text' },
      { type: 'reasoning-end', id: 'b0', encryptedContent: 'sig==' },
      { type: 'text-start', id: 'b1' },
      { type: 'text-delta', id: 'b1', delta: 'Calling.' },
      { type: 'text-end', id: 'b1' },
      { type: 'tool-input-start', id: 'b2', callId: 'toolu_1', toolName: 'weather', toolKind: 'function' },
      { type: 'tool-input-delta', id: 'b2', delta: '{"city":"Paris"}' },
      { type: 'tool-input-end', id: 'b2' },
      {
        type: 'finish',
        finishReason: 'tool-calls',
        usage: { inputTokens: 5, outputTokens: 7, cachedInputTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('throws on error bodies and content-less messages', () => {
    expect(() =>
      messageToParts({ type: 'error', error: { type: 'api_error', message: 'boom' } }, 'anthropic', OPTIONS),
    ).toThrow(/boom/);
    expect(() => messageToParts({ id: 'x' }, 'anthropic', OPTIONS)).toThrow(/without content/);
  });
});

describe('finish reasons, usage and HTTP errors', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['pause_turn', 'other'],
    [null, 'other'],
  ])('maps stop_reason %s to %s', (reason, expected) => {
    expect(mapAnthropicFinishReason(reason)).toBe(expected);
  });

  it('counts cache reads and writes as input', () => {
    expect(
      mapAnthropicUsage({
        input_tokens: 3,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 200,
        output_tokens: 9,
      }),
    ).toEqual({ inputTokens: 1203, outputTokens: 9, cachedInputTokens: 1000, reasoningTokens: 0 });
    expect(mapAnthropicUsage(null)).toBeUndefined();
  });

  const body = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message } });

  it('maps 529 overloaded to a retryable 503', () => {
    const error = anthropicStatusError(
      529,
      { 'retry-after': '3' },
      body('overloaded_error', 'Overloaded'),
      'anthropic',
    );
    expect(error).toMatchObject({
      status: 503,
      retryable: true,
      code: 'upstream_overloaded',
      retryAfterMs: 3000,
    });
  });

  it('keeps Anthropic’s message for refused requests', () => {
    expect(
      anthropicStatusError(400, {}, body('invalid_request_error', 'max_tokens: Field required'), 'a'),
    ).toMatchObject({
      status: 400,
      message: 'max_tokens: Field required',
      code: null,
      type: 'invalid_request_error',
      retryable: false,
    });
    expect(anthropicStatusError(404, {}, body('not_found_error', 'model: claude-nope'), 'a')).toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('gives rate limits OpenAI’s code and keeps their retry-after', () => {
    expect(
      anthropicStatusError(429, { 'retry-after': '2' }, body('rate_limit_error', 'slow down'), 'a'),
    ).toMatchObject({
      status: 429,
      retryable: true,
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
      retryAfterMs: 2000,
    });
  });

  it('leaves auth and server errors to the generic mapping', () => {
    expect(
      anthropicStatusError(401, {}, body('authentication_error', 'invalid x-api-key'), 'a'),
    ).toBeUndefined();
    expect(anthropicStatusError(500, {}, body('api_error', 'oops'), 'a')).toBeUndefined();
    expect(anthropicStatusError(400, {}, 'not json', 'a')).toBeUndefined();
  });
});

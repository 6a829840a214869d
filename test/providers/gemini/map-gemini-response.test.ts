import { describe, expect, it } from 'vitest';
import type { GeminiResponse } from '../../../src/providers/gemini/gemini-api.js';
import { geminiStatusError } from '../../../src/providers/gemini/gemini-errors.js';
import { mapGeminiFinishReason } from '../../../src/providers/gemini/map-gemini-finish-reason.js';
import {
  GeminiStreamTranslator,
  mapGeminiUsage,
  responseToParts,
} from '../../../src/providers/gemini/map-gemini-response.js';
import type { StreamPart } from '../../../src/providers/types.js';

const OPTIONS = { customToolNames: new Set<string>(['shell']) };

function translate(chunks: GeminiResponse[]): StreamPart[] {
  const translator = new GeminiStreamTranslator('gemini', OPTIONS);
  const out: StreamPart[] = [];
  for (const chunk of chunks) translator.translate(chunk, out);
  if (!translator.failed) translator.end(out);
  return out;
}

const parts = (p: GeminiResponse['candidates'] extends Array<infer C> | undefined ? C : never) => ({
  candidates: [p],
});

describe('GeminiStreamTranslator', () => {
  it('maps thought summaries, their signature and text, with usage', () => {
    const out = translate([
      parts({ content: { role: 'model', parts: [{ text: '**Planning** ', thought: true }] } }),
      parts({ content: { role: 'model', parts: [{ text: 'the answer', thought: true }] } }),
      parts({ content: { role: 'model', parts: [{ text: 'Hello', thoughtSignature: 'sig1' }] } }),
      {
        ...parts({ content: { role: 'model', parts: [{ text: ' world' }] }, finishReason: 'STOP' }),
        usageMetadata: {
          promptTokenCount: 100,
          candidatesTokenCount: 5,
          thoughtsTokenCount: 40,
          cachedContentTokenCount: 60,
          totalTokenCount: 145,
        },
      },
    ]);
    expect(out).toEqual([
      { type: 'reasoning-start', id: 'b0' },
      { type: 'reasoning-delta', id: 'b0', delta: '**Planning** ', kind: 'summary' },
      { type: 'reasoning-delta', id: 'b0', delta: 'the answer', kind: 'summary' },
      { type: 'reasoning-end', id: 'b0', encryptedContent: 'sig1' },
      { type: 'text-start', id: 'b1' },
      { type: 'text-delta', id: 'b1', delta: 'Hello' },
      { type: 'text-delta', id: 'b1', delta: ' world' },
      { type: 'text-end', id: 'b1' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 100, outputTokens: 45, cachedInputTokens: 60, reasoningTokens: 40 },
      },
    ]);
  });

  it('maps parallel function calls, carrying the signature on the first call and a reasoning part', () => {
    const out = translate([
      parts({
        content: {
          role: 'model',
          parts: [
            { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'sigF' },
            { functionCall: { id: 'fc-2', name: 'shell', args: { input: 'ls -la' } } },
          ],
        },
        finishReason: 'STOP',
      }),
    ]);
    expect(out).toEqual([
      { type: 'reasoning-start', id: 'b0' },
      { type: 'reasoning-end', id: 'b0', encryptedContent: 'sigF' },
      {
        type: 'tool-input-start',
        id: 'c0',
        callId: expect.stringMatching(/^call_[0-9a-f]{24}$/),
        toolName: 'weather',
        toolKind: 'function',
        signature: 'sigF',
      },
      { type: 'tool-input-delta', id: 'c0', delta: '{"city":"Paris"}' },
      { type: 'tool-input-end', id: 'c0' },
      { type: 'tool-input-start', id: 'c1', callId: 'fc-2', toolName: 'shell', toolKind: 'custom' },
      { type: 'tool-input-delta', id: 'c1', delta: 'ls -la' },
      { type: 'tool-input-end', id: 'c1' },
      { type: 'finish', finishReason: 'tool-calls', usage: undefined },
    ]);
  });

  it('closes open thoughts with the call’s signature', () => {
    const out = translate([
      parts({ content: { role: 'model', parts: [{ text: 'Need weather.', thought: true }] } }),
      parts({
        content: {
          role: 'model',
          parts: [{ functionCall: { name: 'weather', args: {} }, thoughtSignature: 'S' }],
        },
        finishReason: 'STOP',
      }),
    ]);
    expect(out.slice(0, 4)).toEqual([
      { type: 'reasoning-start', id: 'b0' },
      { type: 'reasoning-delta', id: 'b0', delta: 'Need weather.', kind: 'summary' },
      { type: 'reasoning-end', id: 'b0', encryptedContent: 'S' },
      expect.objectContaining({ type: 'tool-input-start', signature: 'S' }),
    ]);
  });

  it('reports a blocked prompt as content-filter and safety stops likewise', () => {
    expect(translate([{ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }])).toEqual([
      { type: 'finish', finishReason: 'content-filter', usage: undefined },
    ]);
    expect(
      translate([parts({ content: { parts: [{ text: 'Some' }] }, finishReason: 'SAFETY' })]).at(-1),
    ).toMatchObject({
      finishReason: 'content-filter',
    });
  });

  it('reports an error chunk as an error part', () => {
    const out = translate([
      parts({ content: { parts: [{ text: 'Par' }] } }),
      { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
    ]);
    expect(out.at(-1)).toMatchObject({ type: 'error', error: { status: 503, retryable: true } });
  });

  it('skips media parts with a warning', () => {
    const out = translate([
      parts({
        content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'x' } }, { text: 'ok' }] },
        finishReason: 'STOP',
      }),
    ]);
    expect(out[0]).toMatchObject({ type: 'warning' });
    expect(out.filter((p) => p.type === 'text-delta')).toHaveLength(1);
  });
});

describe('responseToParts', () => {
  it('maps a whole response like the stream and throws on an error body', () => {
    const out = responseToParts(
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'MAX_TOKENS' }],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1 },
      },
      'gemini',
      OPTIONS,
    );
    expect(out).toEqual([
      { type: 'text-start', id: 'b0' },
      { type: 'text-delta', id: 'b0', delta: 'Hi' },
      { type: 'text-end', id: 'b0' },
      {
        type: 'finish',
        finishReason: 'length',
        usage: { inputTokens: 3, outputTokens: 1, cachedInputTokens: 0, reasoningTokens: 0 },
      },
    ]);
    expect(() =>
      responseToParts({ error: { code: 500, message: 'boom', status: 'INTERNAL' } }, 'gemini', OPTIONS),
    ).toThrow(/boom/);
  });
});

describe('finish reasons, usage and HTTP errors', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool-calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content-filter'],
    ['RECITATION', false, 'content-filter'],
    ['BLOCKLIST', false, 'content-filter'],
    ['PROHIBITED_CONTENT', false, 'content-filter'],
    ['SPII', false, 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['OTHER', false, 'other'],
  ])('maps %s (calls: %s) to %s', (reason, calls, expected) => {
    expect(mapGeminiFinishReason(reason, calls)).toBe(expected);
  });

  it('counts tool-use prompt tokens as input and thoughts as output', () => {
    expect(
      mapGeminiUsage({
        promptTokenCount: 10,
        toolUsePromptTokenCount: 5,
        candidatesTokenCount: 2,
        thoughtsTokenCount: 3,
      }),
    ).toEqual({ inputTokens: 15, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 3 });
  });

  const body = (error: Record<string, unknown>) => JSON.stringify({ error });

  it('treats an invalid API key (400 API_KEY_INVALID) as the gateway’s credentials problem', () => {
    const error = geminiStatusError(
      400,
      {},
      body({
        code: 400,
        message: 'API key not valid.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
      }),
      'gemini',
    );
    expect(error).toMatchObject({ status: 502, code: 'upstream_authentication_error' });
  });

  it('reads the retry delay of a quota error', () => {
    const error = geminiStatusError(
      429,
      {},
      body({
        code: 429,
        message: 'Quota exceeded',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }],
      }),
      'gemini',
    );
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      retryable: true,
      retryAfterMs: 12000,
    });
  });

  it('keeps Gemini’s message for refused requests and leaves server errors to the generic mapping', () => {
    expect(
      geminiStatusError(
        400,
        {},
        body({ code: 400, message: 'Invalid JSON payload', status: 'INVALID_ARGUMENT' }),
        'g',
      ),
    ).toMatchObject({
      status: 400,
      message: 'Invalid JSON payload',
      code: null,
      type: 'invalid_request_error',
    });
    expect(
      geminiStatusError(
        404,
        {},
        body({ code: 404, message: 'models/x is not found', status: 'NOT_FOUND' }),
        'g',
      ),
    ).toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    expect(
      geminiStatusError(503, {}, body({ code: 503, message: 'overloaded', status: 'UNAVAILABLE' }), 'g'),
    ).toBeUndefined();
    expect(geminiStatusError(400, {}, 'not json', 'g')).toBeUndefined();
  });
});

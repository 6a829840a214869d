import * as lib from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import {
  BUNDLED_MODEL_PATH,
  BUNDLED_MODEL_SOFT_MAX_OUTPUT_TOKENS,
  loadConfig,
} from '../../../src/config/load-config.js';
import { toLocalHistory } from '../../../src/providers/local/convert-to-local-history.js';
import {
  callFromForcedAnswer,
  callFromFunction,
  planLocalTools,
  withInstructions,
} from '../../../src/providers/local/local-prepare-tools.js';
import { mapLocalFinishReason } from '../../../src/providers/local/map-local-finish-reason.js';
import { PartQueue } from '../../../src/providers/local/part-queue.js';
import { createPlainTextChatWrapper } from '../../../src/providers/local/plain-text-chat-wrapper.js';
import { SentenceStop } from '../../../src/providers/local/sentence-stop.js';
import type { StreamPart, ToolSpec } from '../../../src/providers/types.js';

const weather: ToolSpec = {
  kind: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const shell: ToolSpec = { kind: 'custom', name: 'shell' };

describe('toLocalHistory', () => {
  it('keeps turns in order and puts each tool result with its call', () => {
    const { history, warnings } = toLocalHistory(
      [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'auto' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: '', summary: ['Need weather.'] },
            { type: 'text', text: 'Checking.' },
            {
              type: 'tool-call',
              callId: 'c1',
              toolName: 'get_weather',
              input: '{"city":"Paris"}',
              toolKind: 'function',
            },
            { type: 'tool-call', callId: 'c2', toolName: 'shell', input: 'ls', toolKind: 'custom' },
          ],
        },
        { role: 'tool', callId: 'c1', toolKind: 'function', output: '18C' },
        { role: 'tool', callId: 'c2', toolKind: 'custom', output: [{ type: 'text', text: 'a.txt' }] },
        { role: 'tool', callId: 'unknown', toolKind: 'function', output: 'orphan' },
      ],
      [weather, shell],
    );
    expect(history).toEqual([
      { type: 'system', text: 'Be brief.' },
      { type: 'user', text: 'Look:\n[image]' },
      {
        type: 'model',
        response: [
          { type: 'segment', segmentType: 'thought', text: 'Need weather.', ended: true },
          'Checking.',
          { type: 'functionCall', name: 'get_weather', params: { city: 'Paris' }, result: '18C' },
          { type: 'functionCall', name: 'shell', params: { input: 'ls' }, result: 'a.txt' },
        ],
      },
      { type: 'user', text: 'Result of tool call unknown:\norphan' },
    ]);
    expect(warnings).toEqual([expect.stringContaining('image input was replaced')]);
  });
});

describe('planLocalTools', () => {
  it('offers tools through function calling by default, and none for tool_choice none', () => {
    const plan = planLocalTools({ tools: [weather, shell], toolChoice: undefined, parallelToolCalls: false });
    expect(plan).toMatchObject({
      kind: 'functions',
      functions: {
        get_weather: { description: 'Weather for a city', params: weather.parameters },
        shell: { params: { type: 'object', required: ['input'] } },
      },
      maxParallelFunctionCalls: 1,
    });
    expect(
      planLocalTools({ tools: [weather], toolChoice: { type: 'none' }, parallelToolCalls: undefined }),
    ).toEqual({
      kind: 'none',
    });
    expect(
      planLocalTools({ tools: [], toolChoice: { type: 'required' }, parallelToolCalls: undefined }),
    ).toEqual({
      kind: 'none',
    });
  });

  it('forces a required call with a grammar: the arguments of one tool, or a named call among several', () => {
    const one = planLocalTools({
      tools: [weather, shell],
      toolChoice: { type: 'tool', name: 'get_weather' },
      parallelToolCalls: undefined,
    });
    expect(one).toMatchObject({ kind: 'forced-one', tool: weather, schema: weather.parameters });
    const custom = planLocalTools({
      tools: [weather, shell],
      toolChoice: { type: 'allowed', mode: 'required', names: ['shell'] },
      parallelToolCalls: undefined,
    });
    expect(custom).toMatchObject({ kind: 'forced-one', tool: shell, schema: undefined });
    const any = planLocalTools({
      tools: [weather, shell],
      toolChoice: { type: 'required' },
      parallelToolCalls: undefined,
    });
    expect(any.kind).toBe('forced-any');
    if (any.kind !== 'forced-any') return;
    expect(any.schema).toEqual({
      oneOf: [
        {
          type: 'object',
          properties: { name: { const: 'get_weather' }, arguments: weather.parameters },
          required: ['name', 'arguments'],
        },
        {
          type: 'object',
          properties: { name: { const: 'shell' }, arguments: { type: 'string' } },
          required: ['name', 'arguments'],
        },
      ],
    });
    expect(any.instructions).toContain('get_weather: Weather for a city');
  });

  it('reads calls back in normalized form', () => {
    expect(callFromFunction('get_weather', { city: 'Rome' }, [weather])).toEqual({
      toolName: 'get_weather',
      toolKind: 'function',
      input: '{"city":"Rome"}',
    });
    expect(callFromFunction('shell', { input: 'pwd' }, [shell])).toEqual({
      toolName: 'shell',
      toolKind: 'custom',
      input: 'pwd',
    });
    expect(callFromForcedAnswer('{ "name": "shell", "arguments": "ls" }\n', [weather, shell])).toEqual({
      toolName: 'shell',
      toolKind: 'custom',
      input: 'ls',
    });
    expect(callFromForcedAnswer('{"name": "get_weather", "argu', [weather])).toBeUndefined();
    expect(withInstructions([{ type: 'user', text: 'Hi' }], 'Call it.')).toEqual([
      { type: 'system', text: 'Call it.' },
      { type: 'user', text: 'Hi' },
    ]);
    expect(withInstructions([{ type: 'system', text: 'Be brief.' }], 'Call it.')).toEqual([
      { type: 'system', text: 'Be brief.\n\nCall it.' },
    ]);
  });

  it('maps stop reasons', () => {
    expect(mapLocalFinishReason('maxTokens', false)).toBe('length');
    expect(mapLocalFinishReason('eogToken', false)).toBe('stop');
    expect(mapLocalFinishReason('stopGenerationTrigger', true)).toBe('tool-calls');
    expect(mapLocalFinishReason('functionCalls', false)).toBe('tool-calls');
  });
});

describe('plain-text chat wrapper', () => {
  it('renders a base-model transcript: the model continues the last user text', () => {
    const wrapper = createPlainTextChatWrapper(lib);
    const { contextText } = wrapper.generateContextState({
      chatHistory: [
        { type: 'system', text: 'Stories for children.' },
        { type: 'user', text: 'Once upon a time' },
        { type: 'model', response: [', there was a cat.'] },
        { type: 'user', text: 'The end' },
        { type: 'model', response: [] },
      ],
    });
    expect(contextText.toJSON()).toEqual([
      { type: 'specialToken', value: 'BOS' },
      'Stories for children.\n\nOnce upon a time, there was a cat.\n\nThe end',
    ]);
  });

  it('stops at EOS and at the BOS that starts the next document', () => {
    const wrapper = createPlainTextChatWrapper(lib);
    const { stopGenerationTriggers } = wrapper.generateContextState({
      chatHistory: [{ type: 'user', text: 'Once upon a time' }],
    });
    expect(stopGenerationTriggers.map((trigger) => trigger.toJSON())).toEqual([
      [{ type: 'specialToken', value: 'EOS' }],
      [{ type: 'specialToken', value: 'BOS' }],
    ]);
  });
});

describe('SentenceStop', () => {
  /** Feeds one-token chunks; returns the text kept and the chunk index where it stopped. */
  function run(budget: number, chunks: string[]): { text: string; stoppedAt: number | undefined } {
    const stop = new SentenceStop(budget);
    let text = '';
    for (const [index, chunk] of chunks.entries()) {
      const taken = stop.take(chunk, 1);
      text += taken.keep;
      if (taken.stop) return { text, stoppedAt: index };
    }
    return { text, stoppedAt: undefined };
  }

  it('lets the text run until the budget, then ends it at the next sentence end', () => {
    const chunks = ['One', ' day', '.', ' The', ' cat', ' sat', '.', ' It', ' slept', '.'];
    expect(run(5, chunks)).toEqual({ text: 'One day. The cat sat.', stoppedAt: 7 });
    // A sentence end is known at the whitespace after it: one that came just before the budget ran
    // out still ends the answer.
    expect(run(4, chunks)).toEqual({ text: 'One day.', stoppedAt: 3 });
    expect(run(100, chunks)).toEqual({ text: chunks.join(''), stoppedAt: undefined });
  });

  it('cuts a chunk that holds a sentence end and keeps closing quotes', () => {
    expect(run(1, ['Hi', '. Bye'])).toEqual({ text: 'Hi.', stoppedAt: 1 });
    expect(run(1, ['She said "go', '!" Then', ' more'])).toEqual({ text: 'She said "go!"', stoppedAt: 1 });
  });

  it('does not end inside a quotation or after an abbreviation', () => {
    const quoted = ['"I', ' am', ' here.', ' Come', '!"', ' he', ' said.', ' Next'];
    expect(run(1, quoted)).toEqual({ text: '"I am here. Come!"', stoppedAt: 5 });
    expect(run(1, ['Mr.', ' Brown', ' ran', '.', ' Then']).text).toBe('Mr. Brown ran.');
  });

  it('is a bound: a long quotation, then even a sentence that never ends, stops past the budget', () => {
    // An open quotation holds the end back only for 40 tokens past the budget.
    const quoted = ['"It', ...Array.from({ length: 60 }, (_, i) => (i === 50 ? ' end.' : ' word'))];
    const inQuote = run(1, [...quoted, ' more']);
    expect(inQuote.stoppedAt).toBe(52);
    expect(inQuote.text.endsWith(' end.')).toBe(true);
    // No sentence end at all: the answer ends at a blank 80 tokens past the budget.
    const endless = run(
      10,
      Array.from({ length: 200 }, () => ' word'),
    );
    expect(endless.stoppedAt).toBe(89);
    expect(endless.text).toBe(' word'.repeat(89));
  });

  it('is set for the bundled model only', () => {
    expect(loadConfig({}, { RGW_CONFIG: undefined }).providers[0]?.softMaxOutputTokens).toBe(
      BUNDLED_MODEL_SOFT_MAX_OUTPUT_TOKENS,
    );
    const own = loadConfig({}, { RGW_LOCAL_MODEL: '/models/other.gguf' });
    expect(own.providers[0]?.softMaxOutputTokens).toBeUndefined();
  });
});

describe('PartQueue', () => {
  it('hands parts out in order, rethrows a failure and reports a consumer that stops early', async () => {
    const queue = new PartQueue(() => {});
    queue.push({ type: 'text-start', id: 't' });
    setTimeout(() => {
      queue.push({ type: 'text-end', id: 't' });
      queue.fail(new Error('boom'));
    }, 5);
    const seen: StreamPart[] = [];
    await expect(
      (async () => {
        for await (const part of queue) seen.push(part);
      })(),
    ).rejects.toThrow('boom');
    expect(seen.map((p) => p.type)).toEqual(['text-start', 'text-end']);

    let stopped = false;
    const early = new PartQueue(() => {
      stopped = true;
    });
    early.push({ type: 'text-start', id: 't' });
    for await (const _ of early) break;
    expect(stopped).toBe(true);
  });
});

describe('config', () => {
  it('serves the bundled model as provider local when nothing else is configured', () => {
    expect(BUNDLED_MODEL_PATH).toMatch(/models[/\\]stories260K\.gguf$/);
    const bundled = loadConfig({}, { RGW_CONFIG: undefined });
    expect(bundled.providers).toEqual([
      expect.objectContaining({ name: 'local', type: 'local', modelPath: BUNDLED_MODEL_PATH }),
    ]);
    const upstream = loadConfig({}, { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API: 'responses' });
    expect(upstream.providers.map((p) => [p.name, p.type])).toEqual([['openai', 'openai-responses']]);
    const own = loadConfig({}, { RGW_LOCAL_MODEL: '/models/other.gguf' });
    expect(own.providers).toEqual([
      expect.objectContaining({ name: 'local', type: 'local', modelPath: '/models/other.gguf' }),
    ]);
  });
});

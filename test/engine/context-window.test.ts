/** Context windows: model limits, token counting, truncation (auto / disabled), compaction items. */
import { describe, expect, it } from 'vitest';
import { autoCompact, compactThreshold } from '../../src/engine/compaction/auto-compact.js';
import {
  applyCompaction,
  openCompaction,
  openCompactionItem,
  sealCompaction,
} from '../../src/engine/compaction/compaction-item.js';
import { toModelMessages } from '../../src/engine/convert-input.js';
import { fitContext, groupUnits, outputReserve } from '../../src/engine/fit-context.js';
import { DEFAULT_CONTEXT_WINDOW, ModelCatalog } from '../../src/engine/model-limits.js';
import { ReasoningSealer } from '../../src/engine/reasoning-seal.js';
import {
  countContext,
  countItem,
  IMAGE_TOKENS,
  IMAGE_TOKENS_LOW,
  MESSAGE_OVERHEAD,
  REPLY_PRIMING,
} from '../../src/engine/tokens/count-tokens.js';
import { estimateTokenizer, loadTokenizer, tokenizerNameFor } from '../../src/engine/tokens/tokenizer.js';
import { GatewayError } from '../../src/errors.js';
import type { InputItem } from '../../src/protocol/create-response.js';
import type { LanguageModel, ModelRequest, StreamPart } from '../../src/providers/types.js';

/** One token per character: makes budgets easy to reason about. */
const charTokenizer = { name: 'estimate' as const, exact: false, count: (text: string) => text.length };
const NO_FIXED = { instructions: undefined, tools: [] };

const user = (text: string): InputItem => ({ role: 'user', content: text });
const assistant = (text: string): InputItem => ({ role: 'assistant', content: text });
const call = (id: string, args = '{}'): InputItem => ({
  type: 'function_call',
  call_id: id,
  name: 'f',
  arguments: args,
});
const output = (id: string, text = 'ok'): InputItem => ({
  type: 'function_call_output',
  call_id: id,
  output: text,
});
const reasoning = (text: string): InputItem => ({
  type: 'reasoning',
  summary: [{ type: 'summary_text', text }],
});

describe('tokenizers', () => {
  it('uses o200k_base for OpenAI-family ids, cl100k_base for gpt-4 and gpt-3.5, an estimate otherwise', () => {
    for (const id of [
      'gpt-4o',
      'gpt-4o-mini-2024-07-18',
      'gpt-4.1',
      'gpt-5',
      'gpt-5.1-codex',
      'o1',
      'o3-mini',
      'o4-mini',
    ])
      expect(tokenizerNameFor(id)).toBe('o200k_base');
    expect(tokenizerNameFor('openai/gpt-4o')).toBe('o200k_base');
    expect(tokenizerNameFor('ft:gpt-4o-mini:org::abc')).toBe('o200k_base');
    expect(tokenizerNameFor('gpt-4-turbo')).toBe('cl100k_base');
    expect(tokenizerNameFor('gpt-3.5-turbo')).toBe('cl100k_base');
    for (const id of ['claude-sonnet-4-5', 'gemini-2.5-pro', 'llama-3.1-70b', 'omni', 'o'])
      expect(tokenizerNameFor(id)).toBe('estimate');
  });

  it('counts with the real encoding, special-token text as plain text', async () => {
    const o200k = await loadTokenizer('o200k_base');
    expect(o200k.exact).toBe(true);
    expect(o200k.count('Hello world')).toBe(2);
    expect(o200k.count('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(o200k.count('')).toBe(0);
    expect(o200k.count('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('estimates UTF-8 bytes / 4, flagged inexact', () => {
    expect(estimateTokenizer.exact).toBe(false);
    expect(estimateTokenizer.count('abcd')).toBe(1);
    expect(estimateTokenizer.count('abcde')).toBe(2);
    expect(estimateTokenizer.count('日本')).toBe(2); // 6 bytes
  });
});

describe('counting a context', () => {
  it('adds per-message overhead, the reply priming, instructions and tools', async () => {
    const o200k = await loadTokenizer('o200k_base');
    expect(countItem(user('Hello world'), o200k)).toBe(MESSAGE_OVERHEAD + 2);
    expect(countContext(NO_FIXED, [user('Hello world')], o200k)).toBe(REPLY_PRIMING + MESSAGE_OVERHEAD + 2);
    const withInstructions = countContext(
      { instructions: 'Hello world', tools: [] },
      [user('Hello world')],
      o200k,
    );
    expect(withInstructions).toBe(REPLY_PRIMING + 2 * (MESSAGE_OVERHEAD + 2));
    const tool = {
      type: 'function' as const,
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    };
    const withTools = countContext({ instructions: null, tools: [tool] }, [user('Hello world')], o200k);
    expect(withTools).toBeGreaterThan(REPLY_PRIMING + MESSAGE_OVERHEAD + 2 + 20);
  });

  it('counts images flat by detail, tool calls and outputs, reasoning summaries', () => {
    const image: InputItem = {
      role: 'user',
      content: [
        { type: 'input_image', image_url: 'https://x/y.png', detail: 'low' },
        { type: 'input_image', image_url: 'https://x/z.png' },
      ],
    };
    expect(countItem(image, charTokenizer)).toBe(MESSAGE_OVERHEAD + IMAGE_TOKENS_LOW + IMAGE_TOKENS);
    expect(countItem(call('c1', '{"a":1}'), charTokenizer)).toBe(MESSAGE_OVERHEAD + 1 + 7);
    expect(countItem(output('c1', 'sunny'), charTokenizer)).toBe(MESSAGE_OVERHEAD + 5);
    expect(countItem(reasoning('think'), charTokenizer)).toBe(5);
  });
});

describe('model limits', () => {
  const catalog = new ModelCatalog([
    {
      name: 'local',
      contextWindow: 32_000,
      models: [
        { id: 'tiny', contextWindow: 2_000, maxOutputTokens: 500 },
        { id: 'gpt-4o-proxy', contextWindow: 64_000, tokenizer: 'o200k_base' },
      ],
    },
    { name: 'openai', models: [] },
  ]);

  it('prefers the configured model, then the provider default, then the built-in table, then 128k', () => {
    expect(catalog.limitsFor('local', 'tiny')).toEqual({
      contextWindow: 2_000,
      maxOutputTokens: 500,
      tokenizer: 'estimate',
    });
    expect(catalog.limitsFor('local', 'gpt-4o-proxy').tokenizer).toBe('o200k_base');
    expect(catalog.limitsFor('local', 'something').contextWindow).toBe(32_000);
    expect(catalog.limitsFor('openai', 'gpt-4o-2024-08-06')).toMatchObject({
      contextWindow: 128_000,
      tokenizer: 'o200k_base',
    });
    expect(catalog.limitsFor('openai', 'gpt-4.1-mini').contextWindow).toBe(1_047_576);
    expect(catalog.limitsFor('openai', 'gpt-5-mini').contextWindow).toBe(400_000);
    expect(catalog.limitsFor('openai', 'o3').contextWindow).toBe(200_000);
    expect(catalog.limitsFor(undefined, 'claude-sonnet-4-5-20250929').contextWindow).toBe(200_000);
    expect(catalog.limitsFor(undefined, 'gemini-2.5-pro').contextWindow).toBe(1_048_576);
    expect(catalog.limitsFor(undefined, 'mystery-model').contextWindow).toBe(DEFAULT_CONTEXT_WINDOW);
  });
});

describe('truncation', () => {
  const limits = (contextWindow: number, maxOutputTokens?: number) => ({ contextWindow, maxOutputTokens });

  it('leaves a context that fits as it is, with either setting', () => {
    const items = [user('a'.repeat(50)), assistant('b'.repeat(50)), user('c')];
    for (const truncation of ['auto', 'disabled'] as const) {
      const fit = fitContext(NO_FIXED, items, charTokenizer, {
        truncation,
        maxOutputTokens: undefined,
        limits: limits(1_000),
      });
      expect(fit.items).toEqual(items);
      expect(fit.dropped).toBe(0);
    }
  });

  it('disabled: an input over the window is a 400 context_length_exceeded on input', () => {
    const items = [user('a'.repeat(900)), user('b'.repeat(200))];
    let error: unknown;
    try {
      fitContext(NO_FIXED, items, charTokenizer, {
        truncation: 'disabled',
        maxOutputTokens: undefined,
        limits: limits(1_000),
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).toBody()).toEqual({
      message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
      type: 'invalid_request_error',
      param: 'input',
      code: 'context_length_exceeded',
    });
    expect((error as GatewayError).status).toBe(400);
  });

  it('disabled: max_output_tokens counts against the window', () => {
    const items = [user('a'.repeat(700))];
    const run = (maxOutputTokens: number | undefined) =>
      fitContext(NO_FIXED, items, charTokenizer, {
        truncation: 'disabled',
        maxOutputTokens,
        limits: limits(1_000),
      });
    expect(() => run(undefined)).not.toThrow();
    expect(() => run(200)).not.toThrow();
    expect(() => run(400)).toThrow(/exceeds the context window/);
  });

  it('auto: drops the oldest items until input + max_output_tokens fits, never the instructions', () => {
    const items = [
      user('1'.repeat(300)),
      assistant('2'.repeat(300)),
      user('3'.repeat(300)),
      user('4'.repeat(100)),
    ];
    const fit = fitContext({ instructions: 'i'.repeat(100), tools: [] }, items, charTokenizer, {
      truncation: 'auto',
      maxOutputTokens: 200,
      limits: limits(1_000),
    });
    // 1000 - 200 = 800 for input: instructions (104) + priming (3) + the two newest (304 + 104).
    expect(fit.items).toEqual([items[2], items[3]]);
    expect(fit.dropped).toBe(2);
    expect(fit.inputTokens).toBe(104 + 3 + 304 + 104);
  });

  it('auto: without max_output_tokens reserves the model max output, capped at a quarter of the window', () => {
    expect(
      outputReserve({ truncation: 'auto', maxOutputTokens: undefined, limits: limits(1_000, 100) }),
    ).toBe(100);
    expect(
      outputReserve({ truncation: 'auto', maxOutputTokens: undefined, limits: limits(1_000, 900) }),
    ).toBe(250);
    expect(outputReserve({ truncation: 'auto', maxOutputTokens: undefined, limits: limits(1_000) })).toBe(
      250,
    );
    expect(outputReserve({ truncation: 'auto', maxOutputTokens: 16, limits: limits(1_000) })).toBe(16);
  });

  it('auto: never splits a function_call from its output, nor reasoning from its item', () => {
    const items = [
      user('u'.repeat(100)),
      reasoning('r'.repeat(100)),
      call('c1', 'x'.repeat(100)),
      user('v'.repeat(10)),
      output('c1', 'o'.repeat(100)),
      user('w'.repeat(10)),
    ];
    expect(groupUnits(items)).toEqual([[0], [1, 2, 4], [3], [5]]);
    const fit = fitContext(NO_FIXED, items, charTokenizer, {
      truncation: 'auto',
      maxOutputTokens: 100,
      limits: limits(300),
    });
    expect(fit.items).toEqual([items[3], items[5]]);
  });

  it('auto: keeps system and developer messages and the newest unit; fails when even that does not fit', () => {
    const items: InputItem[] = [
      { role: 'developer', content: 'd'.repeat(100) },
      user('u'.repeat(300)),
      call('c1'),
      output('c1', 'o'.repeat(300)),
    ];
    const fit = fitContext(NO_FIXED, items, charTokenizer, {
      truncation: 'auto',
      maxOutputTokens: 100,
      limits: limits(600),
    });
    // The newest unit is the call with its output: both stay.
    expect(fit.items).toEqual([items[0], items[2], items[3]]);
    expect(() =>
      fitContext(NO_FIXED, items, charTokenizer, {
        truncation: 'auto',
        maxOutputTokens: 100,
        limits: limits(300),
      }),
    ).toThrow(/exceeds the context window/);
  });
});

describe('compaction items', () => {
  const sealer = new ReasoningSealer(['a-test-secret-of-some-length']);

  it('seals a summary that only the gateway opens, under a purpose distinct from reasoning', () => {
    const blob = sealCompaction(sealer, { summary: 'We talked about cats.', keep: 2 });
    expect(openCompaction(sealer, blob)).toEqual({ summary: 'We talked about cats.', keep: 2 });
    expect(sealer.open(blob)).toBeUndefined();
    expect(openCompaction(sealer, sealer.seal({ text: 'x', summary: [] }))).toBeUndefined();
    expect(openCompaction(new ReasoningSealer(['another-secret-of-some-length']), blob)).toBeUndefined();
    const tampered = blob.slice(0, -4) + (blob.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(openCompaction(sealer, tampered)).toBeUndefined();
  });

  it('refuses an altered compaction item with a 400 naming its input index', () => {
    const item = { id: 'cmp_1', type: 'compaction', encrypted_content: 'rgw1.abc.def' };
    expect(() => openCompactionItem(item, sealer, 3)).toThrow(
      expect.objectContaining({
        status: 400,
        param: 'input[3].encrypted_content',
        code: 'invalid_encrypted_content',
      }),
    );
    expect(() => openCompactionItem(item, sealer, -1)).toThrow(
      expect.objectContaining({ param: 'previous_response_id' }),
    );
  });

  it('stands for what came before it except `keep` items, and renders as a developer summary', () => {
    const blob = sealCompaction(sealer, { summary: 'S', keep: 1 });
    const stored = { id: 'cmp_1', type: 'compaction', encrypted_content: blob };
    const opened = openCompactionItem(stored, sealer, 3);
    const items = [
      user('old'),
      assistant('old reply'),
      user('kept'),
      opened,
      assistant('reply'),
      user('new'),
    ];
    const applied = applyCompaction(items, 5);
    expect(applied.items).toEqual([opened, items[2], items[4], items[5]]);
    expect(applied.earlierCount).toBe(3);
    expect(toModelMessages(null, applied.items)).toEqual([
      { role: 'developer', content: 'Summary of the earlier conversation: S' },
      { role: 'user', content: [{ type: 'text', text: 'kept' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'reply' }] },
      { role: 'user', content: [{ type: 'text', text: 'new' }] },
    ]);
    // In this request's own input: the whole context counts as this request's.
    expect(applyCompaction(items, 2).earlierCount).toBe(0);
  });
});

describe('automatic compaction', () => {
  const sealer = new ReasoningSealer(['a-test-secret-of-some-length']);
  const seen: ModelRequest[] = [];
  const model: LanguageModel = {
    provider: 'fake',
    stream: () => Promise.reject(new Error('not used')),
    generate: async (request): Promise<StreamPart[]> => {
      seen.push(request);
      return [
        { type: 'text-delta', id: 't', delta: ' The summary. ' },
        {
          type: 'finish',
          finishReason: 'stop',
          usage: { inputTokens: 10, outputTokens: 3, cachedInputTokens: 0, reasoningTokens: 0 },
        },
      ];
    },
  };
  const options = {
    model,
    modelId: 'fake-model',
    limits: { contextWindow: 10_000, maxOutputTokens: undefined, tokenizer: 'estimate' as const },
    sealer,
    signal: new AbortController().signal,
  };

  it('defaults the threshold to 80% of the window', () => {
    expect(compactThreshold(undefined, { contextWindow: 1_000 })).toBeUndefined();
    expect(compactThreshold([{ type: 'compaction' }], { contextWindow: 1_000 })).toBe(800);
    expect(
      compactThreshold([{ type: 'compaction', compact_threshold: 5_000 }], { contextWindow: 1_000 }),
    ).toBe(5_000);
  });

  it('summarises the earlier turns, keeping tool outputs with their calls', async () => {
    const items = [user('old question'), assistant('old answer'), call('c1'), output('c1', 'RESULT-42')];
    const done = await autoCompact(items, 3, options);
    expect(done).toBeDefined();
    const [opened, ...kept] = done!.items;
    expect(kept).toEqual([items[2], items[3]]);
    expect(opened).toMatchObject({ type: 'compaction', summary: 'The summary.', keep: 2 });
    expect(openCompaction(sealer, done!.compaction.item.encrypted_content)).toEqual({
      summary: 'The summary.',
      keep: 2,
    });
    expect(done!.compaction.item.id).toMatch(/^cmp_[0-9a-f]{48}$/);
    expect(done!.compaction.usage?.inputTokens).toBe(10);
    const prompt = JSON.stringify(seen.at(-1)!.messages);
    expect(prompt).toContain('old answer');
    expect(prompt).not.toContain('RESULT-42');
  });

  it('with no earlier turns, summarises the input before its last user message; else does nothing', async () => {
    const items = [user('a'), assistant('b'), user('c')];
    const done = await autoCompact(items, 0, options);
    expect(done!.items.slice(1)).toEqual([items[2]]);
    expect(await autoCompact([user('only')], 0, options)).toBeUndefined();
  });
});

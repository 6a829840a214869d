/** The contract checker itself: it passes well-formed streams and names the first bad part of others. */
import { describe, expect, it } from 'vitest';
import type { StreamPart, TokenUsage } from '../../src/providers/types.js';
import { canonicalParts, checkStreamParts, StreamContractError } from './stream-part-checker.js';

const USAGE: TokenUsage = { inputTokens: 5, outputTokens: 3, cachedInputTokens: 1, reasoningTokens: 1 };
const finish: StreamPart = { type: 'finish', finishReason: 'stop', usage: USAGE };
const text = (id: string, delta = 'hi'): StreamPart[] => [
  { type: 'text-start', id },
  { type: 'text-delta', id, delta },
  { type: 'text-end', id },
];
const tool = (id: string, callId: string, toolName = 'get_weather'): StreamPart => ({
  type: 'tool-input-start',
  id,
  callId,
  toolName,
  toolKind: 'function',
});

function violation(parts: StreamPart[], options?: Parameters<typeof checkStreamParts>[1]): string {
  try {
    checkStreamParts(parts, options);
  } catch (error) {
    expect(error).toBeInstanceOf(StreamContractError);
    return (error as Error).message;
  }
  throw new Error('the checker accepted a stream that breaks the contract');
}

describe('checkStreamParts', () => {
  it('accepts reasoning, text, interleaved parallel calls, warnings and a finish', () => {
    const parts: StreamPart[] = [
      { type: 'warning', message: 'dropped temperature' },
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'think', kind: 'summary' },
      { type: 'reasoning-end', id: 'r', encryptedContent: 'sig' },
      ...text('t'),
      tool('a', 'call_a'),
      tool('b', 'call_b'),
      { type: 'tool-input-delta', id: 'a', delta: '{"city":' },
      { type: 'tool-input-delta', id: 'b', delta: '{}' },
      { type: 'tool-input-delta', id: 'a', delta: '"Paris"}' },
      { type: 'tool-input-end', id: 'b' },
      { type: 'tool-input-end', id: 'a' },
      { ...finish, finishReason: 'tool-calls' },
    ];
    expect(() => checkStreamParts(parts, { requireUsage: true })).not.toThrow();
  });

  it('accepts an error part that leaves a block open, and a throw after some parts', () => {
    const open: StreamPart[] = [
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'x' },
    ];
    expect(() => checkStreamParts([...open, { type: 'error', error: new Error('boom') }])).not.toThrow();
    expect(() => checkStreamParts(open, { threw: true })).not.toThrow();
  });

  it.each<[string, StreamPart[], string]>([
    [
      'a delta before its start',
      [{ type: 'text-delta', id: 't', delta: 'x' }, finish],
      "unknown block id 't'",
    ],
    ['an end for an unknown id', [{ type: 'reasoning-end', id: 'r' }, finish], "unknown block id 'r'"],
    [
      'a delta after its end',
      [...text('t'), { type: 'text-delta', id: 't', delta: 'late' }, finish],
      "part #3 (text-delta 't'): block 't' has already ended",
    ],
    ['an end twice', [...text('t'), { type: 'text-end', id: 't' }, finish], "block 't' has already ended"],
    ['a reused id', [...text('t'), ...text('t'), finish], "part #3 (text-start 't'): reuses id 't'"],
    [
      'a delta of another kind',
      [
        { type: 'text-start', id: 't' },
        { type: 'refusal-delta', id: 't', delta: 'no' },
      ],
      "block 't' is a text block",
    ],
    [
      'text inside reasoning',
      [{ type: 'reasoning-start', id: 'r' }, ...text('t')],
      "part #1 (text-start 't'): starts while reasoning block 'r' is open",
    ],
    [
      'a call inside text',
      [{ type: 'text-start', id: 't' }, tool('c', 'call_1')],
      "starts while text block 't' is open",
    ],
    ['a reused call id', [tool('a', 'call_1'), tool('b', 'call_1')], "reuses call id 'call_1'"],
    ['a call without a name', [tool('a', 'call_1', '')], 'has no tool name'],
    [
      'an annotation on an ended block',
      [...text('t'), { type: 'text-annotation', id: 't', annotation: {} }, finish],
      "no open text block 't'",
    ],
    ['a finish with a block open', [{ type: 'text-start', id: 't' }, finish], "blocks still open: text 't'"],
    [
      'two finishes',
      [...text('t'), finish, finish],
      'part #4 (finish): comes after the terminal finish part #3',
    ],
    [
      'a part after an error',
      [{ type: 'error', error: new Error('x') }, ...text('t')],
      'comes after the terminal error part #0',
    ],
    ['no terminal part', text('t'), 'the stream ended after 3 parts without a finish or error part'],
    ['an empty stream', [], 'the stream ended after 0 parts'],
    ['negative usage', [{ ...finish, usage: { ...USAGE, outputTokens: -1 } }], 'usage.outputTokens is -1'],
    [
      'more reasoning than output',
      [{ ...finish, usage: { ...USAGE, reasoningTokens: 9 } }],
      'more reasoning than output tokens',
    ],
    [
      'a logprob above zero',
      [
        { type: 'text-start', id: 't' },
        {
          type: 'text-delta',
          id: 't',
          delta: 'a',
          logprobs: [{ token: 'a', bytes: [97], logprob: 2, topLogprobs: [] }],
        },
      ],
      'logprobs[0] has logprob 2',
    ],
  ])('refuses %s', (_name, parts, message) => {
    expect(violation(parts)).toContain(message);
  });

  it('refuses a missing usage when it is required, and a throw after the terminal part', () => {
    expect(violation([{ ...finish, usage: undefined }], { requireUsage: true })).toContain('has no usage');
    expect(() => checkStreamParts([{ ...finish, usage: undefined }])).not.toThrow();
    expect(violation([...text('t'), finish], { threw: true })).toContain(
      'the iteration threw after its terminal finish part #3',
    );
  });
});

describe('canonicalParts', () => {
  it('renames ids in order of use and joins runs of deltas with their logprobs', () => {
    const lp = (token: string) => ({ token, bytes: [...Buffer.from(token)], logprob: -1, topLogprobs: [] });
    const parts: StreamPart[] = [
      { type: 'reasoning-start', id: 'b1' },
      { type: 'reasoning-delta', id: 'b1', delta: 'a', kind: 'text' },
      { type: 'reasoning-delta', id: 'b1', delta: 'b', kind: 'summary' },
      { type: 'reasoning-end', id: 'b1' },
      { type: 'text-start', id: 'b2' },
      { type: 'text-delta', id: 'b2', delta: 'He', logprobs: [lp('He')] },
      { type: 'text-delta', id: 'b2', delta: 'llo', logprobs: [lp('llo')] },
      { type: 'text-end', id: 'b2' },
      finish,
    ];
    expect(canonicalParts(parts)).toEqual([
      { type: 'reasoning-start', id: '#0' },
      { type: 'reasoning-delta', id: '#0', delta: 'a', kind: 'text' },
      { type: 'reasoning-delta', id: '#0', delta: 'b', kind: 'summary' },
      { type: 'reasoning-end', id: '#0' },
      { type: 'text-start', id: '#1' },
      { type: 'text-delta', id: '#1', delta: 'Hello', logprobs: [lp('He'), lp('llo')] },
      { type: 'text-end', id: '#1' },
      finish,
    ]);
  });
});

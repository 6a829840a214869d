/** Tool calls in streamed Chat Completions chunks, as servers other than OpenAI number them. */
import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../../src/providers/openai-chat/chat-api.js';
import { ChatChunkTranslator } from '../../../src/providers/openai-chat/map-chat-response.js';
import type { StreamPart } from '../../../src/providers/types.js';

function translate(chunks: ChatChunk[]): StreamPart[] {
  const translator = new ChatChunkTranslator('p');
  const out: StreamPart[] = [];
  for (const chunk of chunks) translator.translate(chunk, out);
  return out;
}

const call = (index: number, id: string | undefined, name: string | undefined, args: string): ChatChunk => ({
  choices: [
    {
      index: 0,
      delta: {
        tool_calls: [
          {
            index,
            ...(id ? { id, type: 'function' as const } : {}),
            function: { ...(name ? { name } : {}), arguments: args },
          },
        ],
      },
      finish_reason: null,
    },
  ],
});

const calls = (parts: StreamPart[]) =>
  parts
    .flatMap((part) => {
      if (part.type === 'tool-input-start')
        return [{ id: part.id, callId: part.callId, name: part.toolName, args: '' }];
      return [];
    })
    .map((started) => ({
      ...started,
      args: parts
        .filter((part) => part.type === 'tool-input-delta' && part.id === started.id)
        .map((part) => (part as { delta: string }).delta)
        .join(''),
    }));

describe('ChatChunkTranslator tool calls', () => {
  it('keeps parallel calls apart by index, as OpenAI sends them', () => {
    const parts = translate([
      call(0, 'call_a', 'f', '{"x":'),
      call(0, undefined, undefined, '1}'),
      call(1, 'call_b', 'g', '{}'),
    ]);
    expect(calls(parts)).toEqual([
      { id: 't0', callId: 'call_a', name: 'f', args: '{"x":1}' },
      { id: 't1', callId: 'call_b', name: 'g', args: '{}' },
    ]);
  });

  it('tells calls apart by id when a server sends each at index 0', () => {
    const parts = translate([
      call(0, 'call_a', 'f', '{"x":'),
      call(0, undefined, undefined, '1}'),
      call(0, 'call_b', 'g', '{"y":'),
      call(0, undefined, undefined, '2}'),
      call(0, 'call_b', undefined, ''),
    ]);
    expect(calls(parts)).toEqual([
      { id: 't0', callId: 'call_a', name: 'f', args: '{"x":1}' },
      { id: 't1', callId: 'call_b', name: 'g', args: '{"y":2}' },
    ]);
    const ends = parts.filter((part) => part.type === 'tool-input-end').map((part) => part.id);
    expect(ends).toEqual(['t0']);
  });
});

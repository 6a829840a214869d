import { describe, expect, it } from 'vitest';
import {
  convertToAnthropicMessages,
  stripThinking,
  toAnthropicToolId,
  toolLoopLacksThinking,
} from '../../../src/providers/anthropic/convert-to-anthropic-messages.js';
import type { ModelMessage } from '../../../src/providers/types.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUg==';
const PDF = 'JVBERi0xLjQK';

describe('convertToAnthropicMessages', () => {
  it('lifts leading system and developer messages into system blocks, later ones stay as user text', () => {
    const { system, messages } = convertToAnthropicMessages([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: 'Use metric units.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
      { role: 'developer', content: 'Now answer in French.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
    ]);
    expect(system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Use metric units.' },
    ]);
    expect(messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Now answer in French.' },
          { type: 'text', text: 'Weather?' },
        ],
      },
    ]);
  });

  it('maps image URLs and data URLs, PDFs (data and URL), text files and image files', () => {
    const { messages } = convertToAnthropicMessages([
      {
        role: 'user',
        content: [
          { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'auto' },
          { type: 'image', source: { kind: 'data', mediaType: 'image/png', base64: PNG }, detail: 'high' },
          {
            type: 'file',
            source: { kind: 'data', mediaType: 'application/pdf', base64: PDF },
            filename: 'report.pdf',
          },
          {
            type: 'file',
            source: { kind: 'data', mediaType: 'application/pdf', base64: PDF },
            filename: 'raw.pdf',
          },
          { type: 'file', source: { kind: 'url', url: 'https://example.com/paper.pdf' } },
          {
            type: 'file',
            source: {
              kind: 'data',
              mediaType: 'text/plain',
              base64: Buffer.from('hello notes').toString('base64'),
            },
            filename: 'notes.txt',
          },
          { type: 'file', source: { kind: 'data', mediaType: 'image/jpeg', base64: PNG } },
          { type: 'file', source: { kind: 'url', url: 'https://example.com/photo.jpg' } },
        ],
      },
    ]);
    expect(messages[0]!.content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: PDF },
        title: 'report.pdf',
      },
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: PDF },
        title: 'raw.pdf',
      },
      { type: 'document', source: { type: 'url', url: 'https://example.com/paper.pdf' } },
      {
        type: 'document',
        source: { type: 'text', media_type: 'text/plain', data: 'hello notes' },
        title: 'notes.txt',
      },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/photo.jpg' } },
    ]);
  });

  it('refuses file types Anthropic cannot read, naming the parameter', () => {
    expect(() =>
      convertToAnthropicMessages([
        {
          role: 'user',
          content: [
            { type: 'file', source: { kind: 'data', mediaType: 'application/zip', base64: 'UEsDBA==' } },
          ],
        },
      ]),
    ).toThrow(expect.objectContaining({ status: 400, code: 'unsupported_file' }));
  });

  it('turns tool calls into tool_use and merges consecutive results into one user turn, results first', () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          {
            type: 'tool-call',
            callId: 'toolu_1',
            toolName: 'weather',
            input: '{"city":"Paris"}',
            toolKind: 'function',
          },
          {
            type: 'tool-call',
            callId: 'call:2',
            toolName: 'weather',
            input: '{"city":"Rome"}',
            toolKind: 'function',
          },
          { type: 'tool-call', callId: 'toolu_3', toolName: 'shell', input: 'ls -la', toolKind: 'custom' },
        ],
      },
      { role: 'tool', callId: 'toolu_1', toolKind: 'function', output: '18°C' },
      { role: 'developer', content: 'Be quick.' },
      { role: 'tool', callId: 'call:2', toolKind: 'function', output: [{ type: 'text', text: '21°C' }] },
      { role: 'tool', callId: 'toolu_3', toolKind: 'custom', output: '' },
    ];
    const result = convertToAnthropicMessages(messages).messages;
    expect(result[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Rome' } },
        { type: 'tool_use', id: 'toolu_3', name: 'shell', input: { input: 'ls -la' } },
      ],
    });
    expect(result[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
        { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '21°C' }] },
        { type: 'tool_result', tool_use_id: 'toolu_3' },
        { type: 'text', text: 'Be quick.' },
      ],
    });
    expect(result).toHaveLength(3);
  });

  it('keeps images in tool results and wraps non-object arguments with a warning', () => {
    const { messages, warnings } = convertToAnthropicMessages([
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', callId: 'c1', toolName: 'f', input: '[1,2]', toolKind: 'function' }],
      },
      {
        role: 'tool',
        callId: 'c1',
        toolKind: 'function',
        output: [
          { type: 'text', text: 'see image' },
          { type: 'image', source: { kind: 'data', mediaType: 'image/png', base64: PNG }, detail: 'auto' },
        ],
      },
    ]);
    expect(messages[1]!.content[0]).toEqual({
      type: 'tool_use',
      id: 'c1',
      name: 'f',
      input: { arguments: '[1,2]' },
    });
    expect(warnings).toHaveLength(1);
    expect(messages[2]!.content[0]).toEqual({
      type: 'tool_result',
      tool_use_id: 'c1',
      content: [
        { type: 'text', text: 'see image' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      ],
    });
  });

  it('replays signed reasoning as thinking / redacted_thinking blocks and drops unsigned reasoning', () => {
    const { messages } = convertToAnthropicMessages([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Let me think.', summary: [], encryptedContent: 'c2lnMQ==' },
          { type: 'reasoning', text: '', summary: [], encryptedContent: 'redacted_thinking:EmwKAhgB' },
          { type: 'reasoning', text: 'unsigned', summary: ['s'] },
          { type: 'text', text: 'Answer' },
          { type: 'refusal', refusal: 'Cannot.' },
          { type: 'text', text: '' },
        ],
      },
    ]);
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'c2lnMQ==' },
        { type: 'redacted_thinking', data: 'EmwKAhgB' },
        { type: 'text', text: 'Answer' },
        { type: 'text', text: 'Cannot.' },
      ],
    });
  });

  it('skips empty text and empty turns', () => {
    const { system, messages } = convertToAnthropicMessages([
      { role: 'system', content: '' },
      { role: 'user', content: [{ type: 'text', text: '' }] },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'reasoning', text: 'x', summary: [] }] },
    ]);
    expect(system).toEqual([]);
    expect(messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
  });
});

describe('thinking helpers', () => {
  it('strips thinking blocks and merges the turns this leaves adjacent', () => {
    expect(
      stripThinking([
        { role: 'user', content: [{ type: 'text', text: 'a' }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }] },
        { role: 'user', content: [{ type: 'text', text: 'b' }] },
        {
          role: 'assistant',
          content: [
            { type: 'redacted_thinking', data: 'd' },
            { type: 'text', text: 'c' },
          ],
        },
      ]),
    ).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
    ]);
  });

  it('tells when a running tool loop lacks the thinking block that opened it', () => {
    const call = { type: 'tool_use' as const, id: 't1', name: 'f', input: {} };
    const result = { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 't1' }] };
    expect(toolLoopLacksThinking([{ role: 'assistant', content: [call] }, result])).toBe(true);
    expect(
      toolLoopLacksThinking([
        { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }, call] },
        result,
      ]),
    ).toBe(false);
    expect(
      toolLoopLacksThinking([
        { role: 'assistant', content: [call] },
        { role: 'user', content: [{ type: 'text', text: 'new question' }] },
      ]),
    ).toBe(false);
  });

  it('makes tool ids fit Anthropic’s pattern', () => {
    expect(toAnthropicToolId('call_abc-1')).toBe('call_abc-1');
    expect(toAnthropicToolId('fc.1:2')).toBe('fc_1_2');
    expect(toAnthropicToolId('')).toBe('toolu_');
  });
});

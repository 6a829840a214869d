import { describe, expect, it } from 'vitest';
import { convertToGeminiContents } from '../../../src/providers/gemini/convert-to-gemini-contents.js';
import type { ModelMessage } from '../../../src/providers/types.js';

const PNG = 'iVBORw0KGgo=';

describe('convertToGeminiContents', () => {
  it('lifts leading system messages into systemInstruction and maps roles to user/model', () => {
    const { systemInstruction, contents } = convertToGeminiContents([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: 'Metric units.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Hello' },
          { type: 'refusal', refusal: 'No.' },
        ],
      },
      { role: 'developer', content: 'Answer in French.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
    ]);
    expect(systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Metric units.' }] });
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Hello' }, { text: 'No.' }] },
      { role: 'user', parts: [{ text: 'Answer in French.' }, { text: 'Weather?' }] },
    ]);
  });

  it('maps inline images and files to inlineData, Files API and YouTube URIs to fileData', () => {
    const files = 'https://generativelanguage.googleapis.com/v1beta/files';
    const { contents } = convertToGeminiContents([
      {
        role: 'user',
        content: [
          { type: 'image', source: { kind: 'data', mediaType: 'image/png', base64: PNG }, detail: 'auto' },
          { type: 'image', source: { kind: 'url', url: `${files}/cat` }, detail: 'low' },
          {
            type: 'file',
            source: { kind: 'data', mediaType: 'application/pdf', base64: 'JVBERi0=' },
            filename: 'a.pdf',
          },
          { type: 'file', source: { kind: 'data', mediaType: 'text/plain', base64: 'aGVsbG8=' } },
          { type: 'file', source: { kind: 'url', url: `${files}/paper` } },
          { type: 'file', source: { kind: 'url', url: 'https://www.youtube.com/watch?v=x' } },
        ],
      },
    ]);
    expect(contents[0]!.parts).toEqual([
      { inlineData: { mimeType: 'image/png', data: PNG } },
      { fileData: { mimeType: 'image/jpeg', fileUri: `${files}/cat` } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { inlineData: { mimeType: 'text/plain', data: 'aGVsbG8=' } },
      { fileData: { mimeType: 'application/pdf', fileUri: `${files}/paper` } },
      { fileData: { mimeType: 'application/pdf', fileUri: 'https://www.youtube.com/watch?v=x' } },
    ]);
  });

  it('refuses URLs Gemini cannot read (the engine inlines them before the adapter)', () => {
    for (const url of ['https://example.com/cat.webp', 'http://www.youtube.com/watch?v=x']) {
      expect(() =>
        convertToGeminiContents([
          { role: 'user', content: [{ type: 'image', source: { kind: 'url', url }, detail: 'auto' }] },
        ]),
      ).toThrow(expect.objectContaining({ status: 400, code: 'unsupported_parameter' }));
    }
  });

  it('answers function calls with functionResponse parts named after the call, in one user turn', () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          {
            type: 'tool-call',
            callId: 'call_1',
            toolName: 'weather',
            input: '{"city":"Paris"}',
            toolKind: 'function',
          },
          { type: 'tool-call', callId: 'call_2', toolName: 'time', input: '', toolKind: 'function' },
          { type: 'tool-call', callId: 'call_3', toolName: 'shell', input: 'ls', toolKind: 'custom' },
        ],
      },
      { role: 'tool', callId: 'call_1', toolKind: 'function', output: 'sunny' },
      {
        role: 'tool',
        callId: 'call_2',
        toolKind: 'function',
        output: [
          { type: 'text', text: 'noon' },
          { type: 'image', source: { kind: 'data', mediaType: 'image/png', base64: PNG }, detail: 'auto' },
        ],
      },
      { role: 'tool', callId: 'call_3', toolKind: 'custom', output: 'file.txt' },
    ];
    const { contents } = convertToGeminiContents(messages);
    expect(contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'time', args: {} } },
          { functionCall: { name: 'shell', args: { input: 'ls' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'weather', response: { output: 'sunny' } } },
          { functionResponse: { name: 'time', response: { output: 'noon' } } },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { functionResponse: { name: 'shell', response: { output: 'file.txt' } } },
        ],
      },
    ]);
  });

  it('refuses a function output without a matching call', () => {
    expect(() =>
      convertToGeminiContents([
        { role: 'user', content: [{ type: 'text', text: 'x' }] },
        { role: 'tool', callId: 'call_missing', toolKind: 'function', output: 'y' },
      ]),
    ).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('call_missing') }));
  });

  it('puts thought signatures back on the part that followed the reasoning, a call’s own signature first', () => {
    const { contents } = convertToGeminiContents([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: '', summary: ['Thinking about it'], encryptedContent: 'sigA' },
          { type: 'text', text: 'Let me check.' },
          { type: 'reasoning', text: '', summary: [], encryptedContent: 'sigB' },
          { type: 'tool-call', callId: 'c1', toolName: 'f', input: '{}', toolKind: 'function' },
          {
            type: 'tool-call',
            callId: 'c2',
            toolName: 'g',
            input: '{}',
            toolKind: 'function',
            signature: 'own',
          },
          { type: 'reasoning', text: '', summary: [] },
        ],
      },
    ]);
    expect(contents[1]!.parts).toEqual([
      { text: 'Let me check.', thoughtSignature: 'sigA' },
      { functionCall: { name: 'f', args: {} }, thoughtSignature: 'sigB' },
      { functionCall: { name: 'g', args: {} }, thoughtSignature: 'own' },
    ]);
  });

  it('drops empty text and empty turns, and wraps non-object arguments with a warning', () => {
    const { contents, warnings, systemInstruction } = convertToGeminiContents([
      { role: 'system', content: '' },
      { role: 'user', content: [{ type: 'text', text: '' }] },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', callId: 'c', toolName: 'f', input: '"x"', toolKind: 'function' }],
      },
    ]);
    expect(systemInstruction).toBeUndefined();
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ functionCall: { name: 'f', args: { arguments: '"x"' } } }] },
    ]);
    expect(warnings).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { buildResponsesRequest } from '../../../src/providers/openai-responses/build-responses-request.js';
import { toResponsesInput } from '../../../src/providers/openai-responses/convert-to-responses-input.js';
import type { ModelMessage, ModelRequest } from '../../../src/providers/types.js';
import { modelRequest } from '../model-request.js';

const options = { sendMetadata: false };

describe('toResponsesInput', () => {
  it('rebuilds the whole context as stateless input items, in order and without ids', () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: 'Use tools.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather?' },
          {
            type: 'image',
            source: { kind: 'data', mediaType: 'image/png', base64: 'AAAA' },
            detail: 'original',
          },
          {
            type: 'file',
            source: { kind: 'data', mediaType: 'application/pdf', base64: 'JVBERi0=' },
            filename: 'a.pdf',
          },
          { type: 'file', source: { kind: 'url', url: 'https://example.com/b.pdf' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: '', summary: ['Need the tool.'], encryptedContent: 'gAAAA-1' },
          { type: 'text', text: 'Checking' },
          { type: 'refusal', refusal: 'not that' },
          {
            type: 'tool-call',
            callId: 'call_1',
            toolName: 'weather',
            input: '{"city":"Paris"}',
            toolKind: 'function',
          },
          { type: 'tool-call', callId: 'call_2', toolName: 'shell', input: 'ls', toolKind: 'custom' },
        ],
      },
      { role: 'tool', callId: 'call_1', toolKind: 'function', output: '{"temp":20}' },
      {
        role: 'tool',
        callId: 'call_2',
        toolKind: 'custom',
        output: [
          { type: 'text', text: 'a.txt' },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/x.png' }, detail: 'low' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'It is 20°C.' }] },
    ];
    expect(toResponsesInput(messages)).toEqual([
      { type: 'message', role: 'system', content: 'Be brief.' },
      { type: 'message', role: 'developer', content: 'Use tools.' },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'Weather?' },
          { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'original' },
          { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
          { type: 'input_file', file_url: 'https://example.com/b.pdf' },
        ],
      },
      {
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Need the tool.' }],
        encrypted_content: 'gAAAA-1',
      },
      {
        type: 'message',
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'Checking' },
          { type: 'refusal', refusal: 'not that' },
        ],
      },
      { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'custom_tool_call', call_id: 'call_2', name: 'shell', input: 'ls' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"temp":20}' },
      {
        type: 'custom_tool_call_output',
        call_id: 'call_2',
        output: [
          { type: 'input_text', text: 'a.txt' },
          { type: 'input_image', image_url: 'https://example.com/x.png', detail: 'low' },
        ],
      },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'It is 20°C.' }] },
    ]);
  });

  it('leaves out reasoning the upstream cannot take back (no encrypted content)', () => {
    const input = toResponsesInput([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'thought from another provider', summary: [] },
          { type: 'text', text: 'Hello' },
        ],
      },
    ]);
    expect(input.map((item) => item.type)).toEqual(['message', 'message']);
  });
});

describe('buildResponsesRequest', () => {
  it('is stateless and streams when asked, with only the fields given', () => {
    expect(buildResponsesRequest(modelRequest(), true, options)).toEqual({
      model: 'model-x',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
      store: false,
      stream: true,
    });
    expect(buildResponsesRequest(modelRequest(), false, options)).not.toHaveProperty('stream');
  });

  it('maps sampling, reasoning, output format, tools and the rest; keeps 0 and false', () => {
    const body = buildResponsesRequest(
      modelRequest({
        tools: [
          {
            kind: 'function',
            name: 'weather',
            description: 'Get weather',
            parameters: { type: 'object' },
            strict: false,
          },
          { kind: 'function', name: 'loose', parameters: null, strict: null },
          { kind: 'custom', name: 'shell', format: { type: 'text' } },
        ],
        toolChoice: { type: 'allowed', mode: 'required', names: ['weather', 'shell'] },
        parallelToolCalls: false,
        outputFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
        reasoningEffort: 'low',
        reasoningSummary: 'auto',
        verbosity: 'low',
        maxOutputTokens: 0,
        temperature: 0,
        topP: 0.5,
        logprobs: 2,
        metadata: { a: '1' },
        user: 'user-1',
        serviceTier: 'flex',
        promptCacheKey: 'k',
      }),
      false,
      options,
    );
    expect(body).toMatchObject({
      store: false,
      include: ['reasoning.encrypted_content', 'message.output_text.logprobs'],
      top_logprobs: 2,
      tools: [
        {
          type: 'function',
          name: 'weather',
          description: 'Get weather',
          parameters: { type: 'object' },
          strict: false,
        },
        { type: 'function', name: 'loose', parameters: null },
        { type: 'custom', name: 'shell', format: { type: 'text' } },
      ],
      tool_choice: {
        type: 'allowed_tools',
        mode: 'required',
        tools: [
          { type: 'function', name: 'weather' },
          { type: 'custom', name: 'shell' },
        ],
      },
      parallel_tool_calls: false,
      text: {
        format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
        verbosity: 'low',
      },
      reasoning: { effort: 'low', summary: 'auto' },
      max_output_tokens: 0,
      temperature: 0,
      top_p: 0.5,
      safety_identifier: 'user-1',
      service_tier: 'flex',
      prompt_cache_key: 'k',
    });
    expect(body.tools?.[1]).not.toHaveProperty('strict');
    expect(body).not.toHaveProperty('metadata');
    expect(
      buildResponsesRequest(modelRequest({ metadata: { a: '1' } }), false, { sendMetadata: true }).metadata,
    ).toEqual({
      a: '1',
    });
  });

  it('asks for encrypted reasoning when reasoning is requested or replayed, not otherwise', () => {
    expect(buildResponsesRequest(modelRequest(), false, options).include).toBeUndefined();
    expect(buildResponsesRequest(modelRequest({ reasoningSummary: 'auto' }), false, options).include).toEqual(
      ['reasoning.encrypted_content'],
    );
    const replay = modelRequest({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        {
          role: 'assistant',
          content: [{ type: 'reasoning', text: '', summary: [], encryptedContent: 'gAAAA' }],
        },
        { role: 'user', content: [{ type: 'text', text: 'And?' }] },
      ],
    });
    const body = buildResponsesRequest(replay, false, options);
    expect(body.include).toEqual(['reasoning.encrypted_content']);
    expect(body).not.toHaveProperty('reasoning');
  });

  it('maps each tool choice', () => {
    const tools = [
      { kind: 'function' as const, name: 'f', parameters: null, strict: null },
      { kind: 'custom' as const, name: 'c' },
    ];
    const choice = (toolChoice: ModelRequest['toolChoice']) =>
      buildResponsesRequest(modelRequest({ tools, toolChoice }), false, options).tool_choice;
    expect(choice({ type: 'none' })).toBe('none');
    expect(choice({ type: 'required' })).toBe('required');
    expect(choice({ type: 'tool', name: 'f' })).toEqual({ type: 'function', name: 'f' });
    expect(choice({ type: 'tool', name: 'c' })).toEqual({ type: 'custom', name: 'c' });
    expect(choice(undefined)).toBeUndefined();
  });
});

/**
 * How a request's client tools reach a provider: functions named apart from the client's own,
 * `tool_choice` by type, server-run tool search only for a native upstream, tools loaded by a
 * client's tool search declared from then on, and native items kept beside the function form.
 */
import { describe, expect, it } from 'vitest';
import { buildModelRequest } from '../../../src/engine/build-model-request.js';
import { createResponseBodySchema } from '../../../src/protocol/create-response.js';
import type { InputItem } from '../../../src/protocol/input-items.js';

const POLICY = { webSearchWhenUnavailable: 'error' as const };

function build(body: Record<string, unknown>) {
  const parsed = createResponseBodySchema.parse({ model: 'm', ...body });
  const input = Array.isArray(parsed.input) ? (parsed.input as InputItem[]) : [];
  return buildModelRequest(parsed, input, 'm', POLICY);
}

describe('client tools in the model request', () => {
  it('declares each as a function carrying its entry, named apart from the client’s functions', () => {
    const { request, clientTools } = build({
      tools: [
        { type: 'function', name: 'shell', parameters: { type: 'object' } },
        { type: 'shell', environment: { type: 'local' } },
        { type: 'apply_patch' },
      ],
      tool_choice: { type: 'apply_patch' },
    });
    expect(request.tools.map((tool) => tool.name)).toEqual(['shell', 'shell_2', 'apply_patch']);
    expect(request.tools[1]).toMatchObject({ kind: 'function', native: { type: 'shell' } });
    expect(clientTools?.named('shell_2')?.tool.itemType).toBe('shell_call');
    expect(request.toolChoice).toEqual({ type: 'tool', name: 'apply_patch' });
  });

  it('maps computer choices and allowed_tools selectors onto the computer function', () => {
    const { request } = build({
      tools: [{ type: 'computer' }, { type: 'local_shell' }],
      tool_choice: {
        type: 'allowed_tools',
        mode: 'required',
        tools: [{ type: 'computer_use' }, { type: 'local_shell' }],
      },
    });
    expect(request.toolChoice).toEqual({
      type: 'allowed',
      mode: 'required',
      names: ['computer', 'local_shell'],
    });
  });

  it('sends a server-run tool_search to native upstreams only, deferred functions to all', () => {
    const { request } = build({
      tools: [
        { type: 'function', name: 'f', parameters: { type: 'object' }, defer_loading: true },
        { type: 'tool_search' },
      ],
    });
    expect(request.tools).toEqual([expect.objectContaining({ name: 'f', deferLoading: true })]);
    expect(request.nativeTools).toEqual([{ type: 'tool_search' }]);
  });

  it('declares the tools a client tool search loaded, and replays the search with its items', () => {
    const { request } = build({
      tools: [{ type: 'tool_search', execution: 'client' }],
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'tool_search_call', call_id: 'ts1', arguments: { query: 'weather' }, execution: 'client' },
        {
          type: 'tool_search_output',
          call_id: 'ts1',
          execution: 'client',
          tools: [{ type: 'function', name: 'get_forecast', parameters: { type: 'object' }, strict: true }],
        },
      ],
    });
    expect(request.tools.map((tool) => tool.name)).toEqual(['tool_search', 'get_forecast']);
    const [, assistant, result] = request.messages;
    expect(assistant).toMatchObject({
      role: 'assistant',
      content: [{ type: 'tool-call', callId: 'ts1', toolName: 'tool_search', input: '{"query":"weather"}' }],
    });
    expect(result).toMatchObject({ role: 'tool', callId: 'ts1', output: 'Tools loaded: get_forecast.' });
    expect(result?.role === 'tool' && result.native?.type).toBe('tool_search_output');
  });

  it('answers a local_shell call by the output item’s id', () => {
    const { request } = build({
      tools: [{ type: 'local_shell' }],
      input: [
        {
          type: 'local_shell_call',
          id: 'lsh_1',
          call_id: 'c1',
          action: { type: 'exec', command: ['ls'], env: {} },
          status: 'completed',
        },
        { type: 'local_shell_call_output', id: 'c1', output: 'a.txt' },
      ],
    });
    expect(request.messages[1]).toMatchObject({ role: 'tool', callId: 'c1', output: 'a.txt' });
    expect(request.messages[0]).toMatchObject({
      content: [{ native: { type: 'local_shell_call', call_id: 'c1', status: 'completed' } }],
    });
  });
});

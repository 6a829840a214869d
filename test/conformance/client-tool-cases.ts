/**
 * One case per client-executed tool type: its `tools` entry, the model's call (as a function call
 * where the upstream lacks the tool, as its own item where it has it), the item the client must
 * see, and the client's answer the next turn must carry to the upstream.
 */
import type { ScriptedCall } from './drivers/driver.js';
import { PNG } from './fixtures.js';

type Json = Record<string, unknown>;

export interface ClientToolCase {
  name: string;
  tool: Json;
  call: Omit<ScriptedCall, 'callId'>;
  /** Fields the output item must have. */
  item: Json;
  /** The client's answer to the call. */
  answer(callId: string): Json;
  /** What the upstream must be told of the answer: text in the result, or an image. */
  marker: string | 'image';
  /** Event types the stream must carry besides the item's added/done. */
  events?: string[];
}

const OBJECT = (properties: Json) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

const OPERATION = {
  type: 'update_file',
  path: 'src/app.ts',
  diff: '@@ function main\n-  old();\n+  renewed();\n',
};
const SHELL_ACTION = { commands: ['ls -la', 'git status'], max_output_length: null, timeout_ms: 5000 };
const EXEC = { type: 'exec', command: ['ls', '-la'], env: { LANG: 'C' } };
const ACTIONS = [
  { type: 'click', button: 'left', x: 10, y: 20 },
  { type: 'type', text: 'hello' },
];
const SAFETY = { id: 'cu_sc_1', code: 'malicious_instructions', message: 'Check the page first.' };

export const CLIENT_TOOL_CASES: ClientToolCase[] = [
  {
    name: 'function (strict, defer_loading)',
    tool: {
      type: 'function',
      name: 'lookup',
      description: 'Looks a customer up.',
      parameters: OBJECT({ q: { type: 'string' } }),
      strict: true,
      defer_loading: true,
    },
    call: { name: 'lookup', args: { q: 'Ada' } },
    item: { type: 'function_call', name: 'lookup', arguments: '{"q":"Ada"}' },
    answer: (call_id) => ({ type: 'function_call_output', call_id, output: 'MARK-function' }),
    marker: 'MARK-function',
  },
  {
    name: 'custom (text)',
    tool: { type: 'custom', name: 'note', description: 'Takes a note.', format: { type: 'text' } },
    call: { name: 'note', args: { input: 'remember the milk' }, custom: true },
    item: { type: 'custom_tool_call', name: 'note', input: 'remember the milk' },
    answer: (call_id) => ({ type: 'custom_tool_call_output', call_id, output: 'MARK-note' }),
    marker: 'MARK-note',
  },
  {
    name: 'custom (lark grammar)',
    tool: {
      type: 'custom',
      name: 'calc',
      format: {
        type: 'grammar',
        syntax: 'lark',
        definition: 'start: NUMBER "+" NUMBER\n%import common.NUMBER',
      },
    },
    call: { name: 'calc', args: { input: '1+2' }, custom: true },
    item: { type: 'custom_tool_call', name: 'calc', input: '1+2' },
    answer: (call_id) => ({ type: 'custom_tool_call_output', call_id, output: 'MARK-3' }),
    marker: 'MARK-3',
  },
  {
    name: 'custom (regex grammar)',
    tool: {
      type: 'custom',
      name: 'date',
      format: { type: 'grammar', syntax: 'regex', definition: '^\\d{4}-\\d{2}-\\d{2}$' },
    },
    call: { name: 'date', args: { input: '2026-12-04' }, custom: true },
    item: { type: 'custom_tool_call', name: 'date', input: '2026-12-04' },
    answer: (call_id) => ({ type: 'custom_tool_call_output', call_id, output: 'MARK-date' }),
    marker: 'MARK-date',
  },
  {
    name: 'namespace',
    tool: {
      type: 'namespace',
      name: 'crm',
      description: 'Customer records.',
      tools: [{ type: 'function', name: 'find_customer', parameters: OBJECT({ q: { type: 'string' } }) }],
    },
    call: { name: 'find_customer', args: { q: 'Ada' } },
    item: { type: 'function_call', name: 'find_customer', namespace: 'crm' },
    answer: (call_id) => ({ type: 'function_call_output', call_id, output: 'MARK-crm' }),
    marker: 'MARK-crm',
  },
  {
    name: 'apply_patch',
    tool: { type: 'apply_patch' },
    call: {
      name: 'apply_patch',
      args: { operation: OPERATION },
      item: { type: 'apply_patch_call', operation: OPERATION },
    },
    item: { type: 'apply_patch_call', operation: OPERATION },
    answer: (call_id) => ({
      type: 'apply_patch_call_output',
      call_id,
      status: 'completed',
      output: 'MARK-patched',
    }),
    marker: 'MARK-patched',
    events: [
      'response.apply_patch_call_operation_diff.delta',
      'response.apply_patch_call_operation_diff.done',
    ],
  },
  {
    name: 'shell (local)',
    tool: { type: 'shell', environment: { type: 'local' } },
    call: {
      name: 'shell',
      args: { action: SHELL_ACTION },
      item: { type: 'shell_call', action: SHELL_ACTION, environment: { type: 'local' } },
    },
    item: { type: 'shell_call', action: SHELL_ACTION, environment: { type: 'local' } },
    answer: (call_id) => ({
      type: 'shell_call_output',
      call_id,
      max_output_length: null,
      output: [
        { stdout: 'MARK-listing', stderr: '', outcome: { type: 'exit', exit_code: 0 } },
        { stdout: '', stderr: 'not a repo', outcome: { type: 'exit', exit_code: 128 } },
      ],
    }),
    marker: 'MARK-listing',
  },
  {
    name: 'local_shell',
    tool: { type: 'local_shell' },
    call: { name: 'local_shell', args: { action: EXEC }, item: { type: 'local_shell_call', action: EXEC } },
    item: { type: 'local_shell_call', action: EXEC },
    // Its `id` names the call it answers.
    answer: (callId) => ({ type: 'local_shell_call_output', id: callId, output: 'MARK-local' }),
    marker: 'MARK-local',
  },
  {
    name: 'computer (GA, batched actions)',
    tool: { type: 'computer' },
    call: {
      name: 'computer',
      args: { actions: ACTIONS },
      item: { type: 'computer_call', actions: ACTIONS, pending_safety_checks: [] },
    },
    item: { type: 'computer_call', actions: ACTIONS, pending_safety_checks: [] },
    answer: (call_id) => ({
      type: 'computer_call_output',
      call_id,
      output: { type: 'computer_screenshot', image_url: PNG },
    }),
    marker: 'image',
  },
  {
    name: 'computer_use_preview (safety checks)',
    tool: { type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser' },
    call: {
      name: 'computer',
      args: { action: { type: 'screenshot' } },
      item: { type: 'computer_call', action: { type: 'screenshot' }, pending_safety_checks: [SAFETY] },
    },
    item: { type: 'computer_call', action: { type: 'screenshot' } },
    answer: (call_id) => ({
      type: 'computer_call_output',
      call_id,
      output: { type: 'computer_screenshot', image_url: PNG },
      acknowledged_safety_checks: [SAFETY],
    }),
    marker: 'image',
  },
  {
    name: 'tool_search (client)',
    tool: { type: 'tool_search', execution: 'client', description: 'Finds more tools.' },
    call: {
      name: 'tool_search',
      args: { query: 'weather' },
      item: { type: 'tool_search_call', arguments: { query: 'weather' }, execution: 'client' },
    },
    item: { type: 'tool_search_call', arguments: { query: 'weather' }, execution: 'client' },
    answer: (call_id) => ({
      type: 'tool_search_output',
      call_id,
      execution: 'client',
      tools: [
        {
          type: 'function',
          name: 'get_forecast',
          description: 'Weather forecast.',
          parameters: OBJECT({ city: { type: 'string' } }),
          strict: true,
        },
      ],
    }),
    marker: 'get_forecast',
  },
];

/** The safety check a native upstream raises in the computer_use_preview case. */
export const PENDING_SAFETY_CHECK = SAFETY;

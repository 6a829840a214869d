/**
 * Client tools the Responses API knows natively (apply_patch, shell, local_shell, computer,
 * tool_search in client mode): the gateway declares them to other upstreams as functions
 * (`FunctionToolSpec.native` holds the original entry). This upstream is sent the entry itself, and
 * its call items come back as calls of that function, whose arguments are the item's own fields.
 */
import type { ToolSpec } from '../types.js';
import type { ResponsesOutputItem } from './responses-api.js';

const CALL_ITEM: Record<string, string> = {
  apply_patch: 'apply_patch_call',
  shell: 'shell_call',
  local_shell: 'local_shell_call',
  computer: 'computer_call',
  computer_use_preview: 'computer_call',
  tool_search: 'tool_search_call',
};

/** `tool_choice` types the Responses API takes for these tools. */
const CHOICE_TYPES = new Set(['apply_patch', 'shell', 'computer', 'computer_use_preview']);

/** Call item type → the name of the function the gateway knows the tool by. */
export function nativeCallNames(tools: readonly ToolSpec[]): ReadonlyMap<string, string> | undefined {
  let names: Map<string, string> | undefined;
  for (const tool of tools) {
    const itemType = tool.kind === 'function' && tool.native ? CALL_ITEM[tool.native.type] : undefined;
    if (itemType === undefined) continue;
    names ??= new Map();
    if (!names.has(itemType)) names.set(itemType, tool.name);
  }
  return names;
}

/** The function arguments a native call item stands for (a tool search's are its own arguments). */
export function nativeCallInput(item: ResponsesOutputItem): string {
  if (item.type === 'tool_search_call') return JSON.stringify(item.arguments ?? {});
  const { id: _id, type: _type, status: _status, call_id: _callId, ...fields } = item;
  return JSON.stringify(fields);
}

/** The `tool_choice` selector of a native tool, when the API has one. */
export function nativeChoice(tool: ToolSpec | undefined): { type: string } | undefined {
  const type = tool?.kind === 'function' ? tool.native?.type : undefined;
  return type !== undefined && CHOICE_TYPES.has(type) ? { type } : undefined;
}

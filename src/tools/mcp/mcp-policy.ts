/**
 * Which of a server's tools the model sees (`allowed_tools`) and which need the client's approval
 * (`require_approval`). A filter matches by name, by the server's `readOnlyHint`, or both.
 */
import type { McpEntry, ToolFilter } from './mcp-entry.js';

/** A tool as `mcp_list_tools` shows it. */
export interface ListedTool {
  name: string;
  description?: string | null;
  input_schema: unknown;
  annotations?: unknown;
}

function readOnly(tool: ListedTool): boolean {
  const annotations = tool.annotations;
  return typeof annotations === 'object' && annotations !== null && 'readOnlyHint' in annotations
    ? annotations.readOnlyHint === true
    : false;
}

/** Both conditions a filter gives must hold; a filter that gives none matches nothing. */
function matches(filter: ToolFilter | undefined, tool: ListedTool): boolean {
  if (!filter || (filter.tool_names === undefined && filter.read_only === undefined)) return false;
  if (filter.tool_names !== undefined && !filter.tool_names.includes(tool.name)) return false;
  if (filter.read_only !== undefined && readOnly(tool) !== filter.read_only) return false;
  return true;
}

export function allowedTools(entry: McpEntry, tools: readonly ListedTool[]): ListedTool[] {
  const allowed = entry.allowed_tools;
  if (allowed == null) return [...tools];
  if (Array.isArray(allowed)) return tools.filter((tool) => allowed.includes(tool.name));
  // An empty filter limits nothing.
  if (allowed.tool_names === undefined && allowed.read_only === undefined) return [...tools];
  return tools.filter((tool) => matches(allowed, tool));
}

/**
 * OpenAI's default is to ask. With `{never: …}` the tools it names run freely and the rest ask;
 * with `{always: …}` only the tools it names ask.
 */
export function needsApproval(entry: McpEntry, tool: ListedTool): boolean {
  const policy = entry.require_approval;
  if (policy == null || policy === 'always') return true;
  if (policy === 'never') return false;
  if (matches(policy.always, tool)) return true;
  if (matches(policy.never, tool)) return false;
  return policy.always === undefined;
}

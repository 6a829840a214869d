/**
 * Tools a client's tool search loaded (`tool_search_output` items in the input): from then on the
 * model may call them, so every upstream is sent them as tools, marked deferred (a native Responses
 * upstream takes them as loaded by the search; others simply declare them).
 */
import type { ContextItem } from '../protocol/input-items.js';
import type { ToolSpec } from '../providers/types.js';
import { isRecord } from './client-tools/client-tool.js';

export function loadedTools(input: readonly ContextItem[], declared: readonly ToolSpec[]): ToolSpec[] {
  const names = new Set(declared.map((tool) => tool.name));
  const loaded: ToolSpec[] = [];
  for (const item of input) {
    if (item.type !== 'tool_search_output') continue;
    for (const tool of item.tools) {
      const spec = toSpec(tool);
      if (!spec || names.has(spec.name)) continue;
      names.add(spec.name);
      loaded.push(spec);
    }
  }
  return loaded;
}

function toSpec(tool: Record<string, unknown>): ToolSpec | undefined {
  if (typeof tool.name !== 'string') return undefined;
  const description = typeof tool.description === 'string' ? { description: tool.description } : {};
  if (tool.type === 'custom') {
    return {
      kind: 'custom',
      name: tool.name,
      ...description,
      ...(tool.format != null ? { format: tool.format } : {}),
    };
  }
  if (tool.type !== 'function') return undefined;
  return {
    kind: 'function',
    name: tool.name,
    ...description,
    parameters: isRecord(tool.parameters) ? tool.parameters : null,
    strict: typeof tool.strict === 'boolean' ? tool.strict : null,
    deferLoading: true,
  };
}

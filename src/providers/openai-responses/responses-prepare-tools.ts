/** Normalized tools and tool choice → the Responses wire, which knows both kinds natively. */
import type { NativeItem, ToolChoiceSpec, ToolSpec } from '../types.js';
import { nativeChoice } from './native-client-calls.js';
import type { ResponsesTool, ResponsesToolChoice } from './responses-api.js';

export function toResponsesTools(
  tools: readonly ToolSpec[],
  nativeTools: readonly NativeItem[] = [],
): ResponsesTool[] {
  const declared = tools.map((tool): ResponsesTool => {
    if (tool.kind === 'custom') {
      return {
        type: 'custom',
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.format !== undefined ? { format: tool.format } : {}),
      };
    }
    // A client tool this API knows (apply_patch, shell, computer, …) goes as the client sent it.
    if (tool.native) return tool.native;
    return {
      type: 'function',
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.parameters,
      // Absent `strict` lets the upstream apply its own default, as a direct call would.
      ...(tool.strict != null ? { strict: tool.strict } : {}),
      ...(tool.deferLoading ? { defer_loading: true } : {}),
    };
  });
  return [...declared, ...nativeTools];
}

export function toResponsesToolChoice(
  choice: ToolChoiceSpec,
  tools: readonly ToolSpec[],
): ResponsesToolChoice {
  const selector = (name: string) => {
    const tool = tools.find((candidate) => candidate.name === name);
    return (
      nativeChoice(tool) ?? {
        type: tool?.kind === 'custom' ? ('custom' as const) : ('function' as const),
        name,
      }
    );
  };
  switch (choice.type) {
    case 'auto':
    case 'none':
    case 'required':
      return choice.type;
    case 'tool':
      return selector(choice.name);
    case 'allowed':
      return {
        type: 'allowed_tools',
        mode: choice.mode,
        tools: [...choice.names.map(selector), ...(choice.native ?? [])],
      };
  }
}

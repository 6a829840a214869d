/** Normalized tools and tool choice → the Responses wire, which knows both kinds natively. */
import type { ToolChoiceSpec, ToolSpec } from '../types.js';
import type { ResponsesTool, ResponsesToolChoice } from './responses-api.js';

export function toResponsesTools(tools: readonly ToolSpec[]): ResponsesTool[] {
  return tools.map((tool): ResponsesTool => {
    if (tool.kind === 'custom') {
      return {
        type: 'custom',
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.format !== undefined ? { format: tool.format } : {}),
      };
    }
    return {
      type: 'function',
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.parameters,
      // Absent `strict` lets the upstream apply its own default, as a direct call would.
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    };
  });
}

export function toResponsesToolChoice(
  choice: ToolChoiceSpec,
  tools: readonly ToolSpec[],
): ResponsesToolChoice {
  const kindOf = (name: string): 'function' | 'custom' =>
    tools.find((tool) => tool.name === name)?.kind === 'custom' ? 'custom' : 'function';
  switch (choice.type) {
    case 'auto':
    case 'none':
    case 'required':
      return choice.type;
    case 'tool':
      return { type: kindOf(choice.name), name: choice.name };
    case 'allowed':
      return {
        type: 'allowed_tools',
        mode: choice.mode,
        tools: choice.names.map((name) => ({ type: kindOf(name), name })),
      };
  }
}

/**
 * Tools for an in-process model. `auto` uses node-llama-cpp's function calling (the chat wrapper's
 * own call syntax, detected while generating). A required call (`required`, a named tool, allowed
 * tools in `required` mode) is forced with a JSON-schema grammar instead: the whole answer is the
 * call, so it cannot be skipped. Custom (free-form) tools are offered as functions taking one
 * string, `{input}`.
 */
import type { ChatHistoryItem, ChatModelFunctions } from 'node-llama-cpp';
import { CUSTOM_TOOL_SCHEMA, unwrapCustomInput } from '../shared/custom-tool.js';
import type { ModelRequest, ToolKind, ToolSpec } from '../types.js';

export type LocalToolPlan =
  | { kind: 'none' }
  | { kind: 'functions'; functions: ChatModelFunctions; maxParallelFunctionCalls: number | undefined }
  /** One tool to call: the answer is its arguments (a JSON grammar) or, for a custom tool, its input. */
  | { kind: 'forced-one'; tool: ToolSpec; schema: Record<string, unknown> | undefined; instructions: string }
  /** One of several: the answer is `{"name": ..., "arguments": ...}`. */
  | { kind: 'forced-any'; tools: ToolSpec[]; schema: Record<string, unknown>; instructions: string };

export interface LocalToolCall {
  toolName: string;
  toolKind: ToolKind;
  input: string;
}

export function planLocalTools(
  request: Pick<ModelRequest, 'tools' | 'toolChoice' | 'parallelToolCalls'>,
): LocalToolPlan {
  const choice = request.toolChoice ?? { type: 'auto' };
  let tools = request.tools;
  let required = false;
  switch (choice.type) {
    case 'none':
      return { kind: 'none' };
    case 'auto':
      break;
    case 'required':
      required = true;
      break;
    case 'tool':
      tools = tools.filter((tool) => tool.name === choice.name);
      required = true;
      break;
    case 'allowed':
      tools = tools.filter((tool) => choice.names.includes(tool.name));
      required = choice.mode === 'required';
      break;
  }
  if (tools.length === 0) return { kind: 'none' };
  if (!required) {
    const functions: Record<string, ChatModelFunctions[string]> = {};
    for (const tool of tools) {
      functions[tool.name] = {
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        params: paramsOf(tool) as ChatModelFunctions[string]['params'],
      };
    }
    return {
      kind: 'functions',
      functions,
      maxParallelFunctionCalls: request.parallelToolCalls === false ? 1 : undefined,
    };
  }
  if (tools.length === 1) {
    const tool = tools[0]!;
    const about = tool.description !== undefined ? ` (${tool.description})` : '';
    return tool.kind === 'custom'
      ? {
          kind: 'forced-one',
          tool,
          schema: undefined,
          instructions: `Call the tool \`${tool.name}\`${about}: answer with only the tool's input.`,
        }
      : {
          kind: 'forced-one',
          tool,
          schema: paramsOf(tool),
          instructions: `Call the tool \`${tool.name}\`${about}: answer with only its arguments, a JSON object matching ${JSON.stringify(paramsOf(tool))}.`,
        };
  }
  const list = tools
    .map(
      (tool) =>
        `- ${tool.name}${tool.description !== undefined ? `: ${tool.description}` : ''}; arguments: ${JSON.stringify(argumentsSchema(tool))}`,
    )
    .join('\n');
  return {
    kind: 'forced-any',
    tools,
    schema: {
      oneOf: tools.map((tool) => ({
        type: 'object',
        properties: { name: { const: tool.name }, arguments: argumentsSchema(tool) },
        required: ['name', 'arguments'],
      })),
    },
    instructions: `Call one of these tools: answer with only a JSON object {"name": <tool name>, "arguments": <its arguments>}.\n${list}`,
  };
}

/** Adds the forced-call instructions to the system text at the start of the history. */
export function withInstructions(history: ChatHistoryItem[], instructions: string): ChatHistoryItem[] {
  const first = history[0];
  if (first?.type === 'system' && typeof first.text === 'string') {
    return [{ type: 'system', text: `${first.text}\n\n${instructions}` }, ...history.slice(1)];
  }
  return [{ type: 'system', text: instructions }, ...history];
}

/** A call node-llama-cpp detected, in normalized form. */
export function callFromFunction(name: string, params: unknown, tools: readonly ToolSpec[]): LocalToolCall {
  const tool = tools.find((t) => t.name === name);
  if (tool?.kind === 'custom')
    return { toolName: name, toolKind: 'custom', input: unwrapCustomInput(params) };
  return { toolName: name, toolKind: 'function', input: JSON.stringify(params ?? {}) };
}

/** The call in a `forced-any` answer; undefined when the answer was cut off before it was whole. */
export function callFromForcedAnswer(text: string, tools: readonly ToolSpec[]): LocalToolCall | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { name, arguments: args } = (parsed ?? {}) as { name?: unknown; arguments?: unknown };
  const tool = tools.find((t) => t.name === name);
  if (!tool) return undefined;
  return tool.kind === 'custom'
    ? {
        toolName: tool.name,
        toolKind: 'custom',
        input: typeof args === 'string' ? args : unwrapCustomInput(args),
      }
    : { toolName: tool.name, toolKind: 'function', input: JSON.stringify(args ?? {}) };
}

function paramsOf(tool: ToolSpec): Record<string, unknown> {
  if (tool.kind === 'custom') return CUSTOM_TOOL_SCHEMA;
  return tool.parameters ?? { type: 'object', properties: {} };
}

function argumentsSchema(tool: ToolSpec): Record<string, unknown> {
  return tool.kind === 'custom' ? { type: 'string' } : paramsOf(tool);
}

/**
 * Tools, tool choice and structured output for the Messages API.
 *
 * Structured output (`json_schema` with an object root) goes through a forced tool: the schema
 * becomes the input schema of a tool named after the format, the model must call it, and its input
 * comes back as the message text. Anthropic validates tool input against the schema on every model,
 * which instructions alone would not. Extended thinking forbids forced tool use, so with thinking
 * on (and for `json_object`, which has no schema) the format is asked for in the system prompt.
 */
import { CUSTOM_TOOL_SCHEMA, customToolDescription } from '../shared/custom-tool.js';
import type { ModelRequest, OutputFormat, ToolChoiceSpec, ToolSpec } from '../types.js';
import type { AnthropicTool, AnthropicToolChoice } from './anthropic-api.js';

export interface PreparedTools {
  tools: AnthropicTool[] | undefined;
  toolChoice: AnthropicToolChoice | undefined;
  /** The tool whose input is the structured answer, when structured output uses a forced tool. */
  jsonToolName: string | undefined;
  /** Custom (free-form) tools, which travel as functions taking `{input}`. */
  customToolNames: Set<string>;
  /** Structured output asked for in the system prompt instead of a tool. */
  formatInstruction: string | undefined;
  warnings: string[];
}

export function prepareAnthropicTools(
  request: Pick<ModelRequest, 'tools' | 'toolChoice' | 'parallelToolCalls' | 'outputFormat'>,
  options: { thinking: boolean },
): PreparedTools {
  const warnings: string[] = [];
  const choice = request.toolChoice;
  const specs =
    choice?.type === 'allowed'
      ? request.tools.filter((tool) => choice.names.includes(tool.name))
      : request.tools;
  const tools = specs.map(toAnthropicTool);
  const customToolNames = new Set(specs.filter((tool) => tool.kind === 'custom').map((tool) => tool.name));
  let toolChoice = tools.length > 0 ? toAnthropicToolChoice(choice) : undefined;

  let jsonToolName: string | undefined;
  let formatInstruction: string | undefined;
  const format = request.outputFormat;
  if (format?.type === 'json_schema' && !options.thinking && format.schema.type === 'object') {
    jsonToolName = uniqueName(format.name, tools);
    tools.push({
      name: jsonToolName,
      description:
        format.description ?? 'Give the final answer by calling this tool; its input is the answer as JSON.',
      input_schema: format.schema,
    });
    // The model must answer through a tool: this one, or one of the caller's when it may use those.
    const userMayCall = specs.length > 0 && choice?.type !== 'none';
    if (!userMayCall) toolChoice = { type: 'tool', name: jsonToolName };
    else if (toolChoice === undefined || toolChoice.type === 'auto') toolChoice = { type: 'any' };
  } else if (format !== undefined && format.type !== 'text') {
    formatInstruction = formatInstructionFor(format);
  }

  if (request.parallelToolCalls === false && tools.length > 0) {
    if (toolChoice === undefined) toolChoice = { type: 'auto', disable_parallel_tool_use: true };
    else if (toolChoice.type !== 'none') toolChoice = { ...toolChoice, disable_parallel_tool_use: true };
  }
  if (choice?.type === 'allowed' && tools.length === 0) {
    warnings.push('tool_choice allowed_tools names no tool from tools; the call goes without tools.');
  }
  return {
    tools: tools.length > 0 ? tools : undefined,
    toolChoice,
    jsonToolName,
    customToolNames,
    formatInstruction,
    warnings,
  };
}

/** Tool choices that make the model call a tool, which extended thinking does not allow. */
export function forcesToolUse(choice: ToolChoiceSpec | undefined): boolean {
  return (
    choice?.type === 'required' ||
    choice?.type === 'tool' ||
    (choice?.type === 'allowed' && choice.mode === 'required')
  );
}

function toAnthropicTool(tool: ToolSpec): AnthropicTool {
  if (tool.kind === 'function') {
    return {
      name: tool.name,
      ...(tool.description != null ? { description: tool.description } : {}),
      input_schema: tool.parameters ?? { type: 'object', properties: {} },
    };
  }
  const description = customToolDescription(tool);
  return {
    name: tool.name,
    ...(description !== undefined ? { description } : {}),
    input_schema: CUSTOM_TOOL_SCHEMA,
  };
}

function toAnthropicToolChoice(choice: ToolChoiceSpec | undefined): AnthropicToolChoice | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case 'auto':
      return { type: 'auto' };
    case 'none':
      return { type: 'none' };
    case 'required':
      return { type: 'any' };
    case 'tool':
      return { type: 'tool', name: choice.name };
    case 'allowed':
      return { type: choice.mode === 'required' ? 'any' : 'auto' };
  }
}

function uniqueName(name: string, tools: readonly AnthropicTool[]): string {
  const base = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'json_response';
  let candidate = base;
  for (let n = 2; tools.some((tool) => tool.name === candidate); n++) candidate = `${base.slice(0, 60)}_${n}`;
  return candidate;
}

function formatInstructionFor(format: Exclude<OutputFormat, { type: 'text' }>): string {
  if (format.type === 'json_object') {
    return 'Respond with a single valid JSON object and nothing else: no text before or after it, no code fences.';
  }
  return [
    'Respond with a single JSON value that conforms to the JSON schema below, and nothing else: no text before or after it, no code fences.',
    format.description,
    `Schema "${format.name}":\n${JSON.stringify(format.schema)}`,
  ]
    .filter((text) => text != null)
    .join('\n\n');
}

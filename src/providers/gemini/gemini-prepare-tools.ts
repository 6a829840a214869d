/** Tools and tool choice → Gemini `functionDeclarations` and `toolConfig.functionCallingConfig`. */
import { CUSTOM_TOOL_SCHEMA, customToolDescription } from '../shared/custom-tool.js';
import type { ModelRequest, ToolChoiceSpec, ToolSpec } from '../types.js';
import type { GeminiFunctionDeclaration, GeminiRequest, GeminiToolConfig } from './gemini-api.js';

export interface PreparedGeminiTools {
  tools: GeminiRequest['tools'];
  toolConfig: GeminiToolConfig | undefined;
  /** Custom (free-form) tools, which travel as functions taking `{input}`. */
  customToolNames: Set<string>;
  warnings: string[];
}

export function prepareGeminiTools(
  request: Pick<ModelRequest, 'tools' | 'toolChoice' | 'parallelToolCalls'>,
): PreparedGeminiTools {
  const warnings: string[] = [];
  const choice = request.toolChoice;
  // `allowedFunctionNames` only applies in ANY mode; an `auto` allow-list narrows the declarations.
  const specs =
    choice?.type === 'allowed' && choice.mode === 'auto'
      ? request.tools.filter((tool) => choice.names.includes(tool.name))
      : request.tools;
  const customToolNames = new Set(specs.filter((tool) => tool.kind === 'custom').map((tool) => tool.name));
  if (specs.length === 0) {
    if (choice?.type === 'allowed' && request.tools.length > 0)
      warnings.push('tool_choice allowed_tools names no tool from tools; the call goes without tools.');
    return { tools: undefined, toolConfig: undefined, customToolNames, warnings };
  }
  if (request.parallelToolCalls === false) {
    warnings.push(
      'Gemini cannot be told to avoid parallel function calls; parallel_tool_calls=false was not sent.',
    );
  }
  return {
    tools: [{ functionDeclarations: specs.map(toDeclaration) }],
    toolConfig: toToolConfig(choice),
    customToolNames,
    warnings,
  };
}

function toDeclaration(tool: ToolSpec): GeminiFunctionDeclaration {
  if (tool.kind === 'function') {
    return {
      name: tool.name,
      ...(tool.description != null ? { description: tool.description } : {}),
      ...(tool.parameters != null ? { parametersJsonSchema: tool.parameters } : {}),
    };
  }
  const description = customToolDescription(tool);
  return {
    name: tool.name,
    ...(description !== undefined ? { description } : {}),
    parametersJsonSchema: CUSTOM_TOOL_SCHEMA,
  };
}

function toToolConfig(choice: ToolChoiceSpec | undefined): GeminiToolConfig | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
    case 'allowed':
      return choice.mode === 'required'
        ? { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: choice.names } }
        : { functionCallingConfig: { mode: 'AUTO' } };
  }
}

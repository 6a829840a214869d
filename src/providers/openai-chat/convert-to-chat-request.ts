/** Normalized request → Chat Completions request body. */
import { invalidRequest } from '../../errors.js';
import { toDataUrl } from '../shared/data-url.js';
import type {
  AssistantPart,
  ModelMessage,
  ModelRequest,
  ToolChoiceSpec,
  ToolSpec,
  UserPart,
} from '../types.js';
import type { ChatContentPart, ChatMessage, ChatRequest, ChatTool, ChatToolChoice } from './chat-api.js';

export interface ChatRequestOptions {
  /** `max_completion_tokens` (OpenAI, vLLM) or the older `max_tokens` (some local servers). */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** Send `metadata` (OpenAI accepts it only for stored chat completions). */
  sendMetadata: boolean;
  /** Role for system/developer text; many compatible servers only know `system`. */
  systemRole: 'system' | 'developer';
}

export function toChatRequest(
  request: ModelRequest,
  stream: boolean,
  options: ChatRequestOptions,
): ChatRequest {
  const body: ChatRequest = { model: request.modelId, messages: toChatMessages(request.messages, options) };
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  if (request.tools.length > 0) {
    body.tools = request.tools.map(toChatTool);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.toolChoice) body.tool_choice = toChatToolChoice(request.toolChoice, request.tools);
  const format = request.outputFormat;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: format.name,
        schema: format.schema,
        ...(format.strict != null ? { strict: format.strict } : {}),
        ...(format.description !== undefined ? { description: format.description } : {}),
      },
    };
  }
  if (request.reasoningEffort !== undefined) body.reasoning_effort = request.reasoningEffort;
  if (request.verbosity !== undefined) body.verbosity = request.verbosity;
  if (request.maxOutputTokens !== undefined) body[options.maxTokensField] = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.logprobs !== undefined) {
    body.logprobs = true;
    if (request.logprobs > 0) body.top_logprobs = request.logprobs;
  }
  if (options.sendMetadata && request.metadata && Object.keys(request.metadata).length > 0) {
    body.metadata = request.metadata;
    body.store = true;
  }
  if (request.user !== undefined) body.user = request.user;
  if (request.serviceTier !== undefined && request.serviceTier !== 'auto')
    body.service_tier = request.serviceTier;
  if (request.promptCacheKey !== undefined) body.prompt_cache_key = request.promptCacheKey;
  return body;
}

export function toChatMessages(
  messages: readonly ModelMessage[],
  options: ChatRequestOptions,
): ChatMessage[] {
  const out: ChatMessage[] = [];
  // Tool messages carry text only: the images of a run of tool results (a computer's screenshot)
  // follow them as one user message, once the run is over (tool messages must stay together).
  let shown: UserPart[] = [];
  for (const message of messages) {
    if (message.role !== 'tool' && shown.length > 0) {
      out.push({ role: 'user', content: shown.map(toChatContentPart) });
      shown = [];
    }
    switch (message.role) {
      case 'system':
      case 'developer':
        out.push({ role: options.systemRole, content: message.content });
        break;
      case 'user':
        out.push({ role: 'user', content: toUserContent(message.content) });
        break;
      case 'assistant': {
        const assistant = toAssistantMessage(message.content);
        if (assistant) out.push(assistant);
        break;
      }
      case 'tool': {
        const images = typeof message.output === 'string' ? [] : message.output.filter(isImage);
        shown.push(...images);
        out.push({
          role: 'tool',
          tool_call_id: message.callId,
          content:
            typeof message.output === 'string'
              ? message.output
              : toToolOutputText(message.output, images.length > 0),
        });
        break;
      }
    }
  }
  if (shown.length > 0) out.push({ role: 'user', content: shown.map(toChatContentPart) });
  return out;
}

function isImage(part: UserPart): boolean {
  return part.type === 'image';
}

function toUserContent(parts: readonly UserPart[]): string | ChatContentPart[] {
  const first = parts[0];
  if (parts.length === 1 && first?.type === 'text') return first.text;
  return parts.map(toChatContentPart);
}

function toChatContentPart(part: UserPart): ChatContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'image') {
    const url = part.source.kind === 'url' ? part.source.url : toDataUrl(part.source);
    // Chat Completions knows no 'original' detail; 'high' is the closest.
    return {
      type: 'image_url',
      image_url: { url, detail: part.detail === 'original' ? 'high' : part.detail },
    };
  }
  if (part.source.kind === 'url') {
    // The engine fetches file URLs for this adapter (fileUrls is unsupported): not reached from it.
    throw invalidRequest(
      'input_file by file_url is not supported by a Chat Completions upstream; send file_data.',
      'input',
      'unsupported_parameter',
    );
  }
  return {
    type: 'file',
    file: {
      file_data: toDataUrl(part.source),
      ...(part.filename !== undefined ? { filename: part.filename } : {}),
    },
  };
}

function toAssistantMessage(parts: readonly AssistantPart[]): ChatMessage | undefined {
  let text = '';
  let refusal: string | undefined;
  const toolCalls: NonNullable<Extract<ChatMessage, { role: 'assistant' }>['tool_calls']> = [];
  for (const part of parts) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'refusal') refusal = (refusal ?? '') + part.refusal;
    else if (part.type === 'tool-call') {
      toolCalls.push(
        part.toolKind === 'function'
          ? { id: part.callId, type: 'function', function: { name: part.toolName, arguments: part.input } }
          : { id: part.callId, type: 'custom', custom: { name: part.toolName, input: part.input } },
      );
    }
    // Reasoning has no place in a Chat Completions request; the upstream re-reasons.
  }
  if (text === '' && refusal === undefined && toolCalls.length === 0) return undefined;
  return {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    ...(refusal !== undefined ? { refusal } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

/** @param imagesFollow the output's images are shown in the user message after the tool results */
function toToolOutputText(
  parts: readonly UserPart[],
  imagesFollow: boolean,
): Array<{ type: 'text'; text: string }> | string {
  if (parts.some((part) => part.type !== 'text')) {
    // Files cannot follow as images do; they are described instead of dropped silently.
    return parts
      .map((part) =>
        part.type === 'text'
          ? part.text
          : part.type === 'image' && imagesFollow
            ? '[image: shown in the next message]'
            : `[${part.type} omitted: not supported in tool output]`,
      )
      .join('\n');
  }
  return parts.map((part) => ({ type: 'text' as const, text: part.type === 'text' ? part.text : '' }));
}

function toChatTool(tool: ToolSpec): ChatTool {
  if (tool.kind === 'custom') {
    return {
      type: 'custom',
      custom: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.format !== undefined ? { format: tool.format } : {}),
      },
    };
  }
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      ...(tool.parameters != null ? { parameters: tool.parameters } : {}),
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    },
  };
}

function toChatToolChoice(choice: ToolChoiceSpec, tools: readonly ToolSpec[]): ChatToolChoice {
  switch (choice.type) {
    case 'auto':
    case 'none':
    case 'required':
      return choice.type;
    case 'tool': {
      const tool = tools.find((t) => t.name === choice.name);
      return tool?.kind === 'custom'
        ? { type: 'custom', custom: { name: choice.name } }
        : { type: 'function', function: { name: choice.name } };
    }
    case 'allowed':
      return {
        type: 'allowed_tools',
        allowed_tools: {
          mode: choice.mode,
          tools: choice.names.map((name) => ({ type: 'function' as const, function: { name } })),
        },
      };
  }
}

/**
 * Normalized request → Messages API body: max_tokens, extended thinking, sampling, prompt caching,
 * plus the messages and tools from their own converters. Anything Anthropic cannot take is dropped
 * with a warning rather than refused, so that one client works against every upstream.
 */
import type { ModelRequest } from '../types.js';
import type {
  AnthropicMessage,
  AnthropicRequest,
  AnthropicTextBlock,
  CacheControl,
} from './anthropic-api.js';
import { forcesToolUse, prepareAnthropicTools } from './anthropic-prepare-tools.js';
import {
  convertToAnthropicMessages,
  stripThinking,
  toolLoopLacksThinking,
} from './convert-to-anthropic-messages.js';
import type { ResponseMapOptions } from './map-anthropic-response.js';

/** `max_tokens` is required by Anthropic; this is sent when the client set no limit. */
export const DEFAULT_MAX_TOKENS = 4096;
/** Smallest thinking budget Anthropic accepts. */
export const MIN_THINKING_BUDGET = 1024;

/** Thinking budget per `reasoning.effort`; `none` (or no effort) leaves thinking off. */
export const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 1024,
  medium: 4096,
  high: 16384,
  xhigh: 24576,
  max: 24576,
};

export interface BuiltAnthropicRequest {
  body: AnthropicRequest;
  /** What the response mapping needs to know about this request. */
  mapOptions: ResponseMapOptions;
  warnings: string[];
}

export function buildAnthropicRequest(request: ModelRequest, stream: boolean): BuiltAnthropicRequest {
  const warnings: string[] = [];
  const maxTokens = request.maxOutputTokens;
  let budget = request.reasoningEffort != null ? THINKING_BUDGETS[request.reasoningEffort] : undefined;
  if (budget !== undefined && maxTokens !== undefined && budget >= maxTokens) {
    budget = maxTokens - 1;
    if (budget < MIN_THINKING_BUDGET) {
      warnings.push(
        `max_output_tokens ${maxTokens} leaves no room for Anthropic's minimum thinking budget (${MIN_THINKING_BUDGET}); reasoning is off for this call.`,
      );
      budget = undefined;
    }
  }
  if (budget !== undefined && forcesToolUse(request.toolChoice)) {
    warnings.push(
      'Anthropic does not allow forced tool use with extended thinking; reasoning is off for this call.',
    );
    budget = undefined;
  }

  const prompt = convertToAnthropicMessages(request.messages);
  warnings.push(...prompt.warnings);
  if (budget !== undefined && toolLoopLacksThinking(prompt.messages)) {
    warnings.push(
      'The assistant turn that called the tools was replayed without its reasoning (include reasoning.encrypted_content to keep it); Anthropic needs it for extended thinking, so reasoning is off for this call.',
    );
    budget = undefined;
  }
  const messages = budget !== undefined ? prompt.messages : stripThinking(prompt.messages);

  const prepared = prepareAnthropicTools(request, { thinking: budget !== undefined });
  warnings.push(...prepared.warnings);

  const system = [...prompt.system];
  if (prepared.formatInstruction !== undefined)
    system.push({ type: 'text', text: prepared.formatInstruction });

  const body: AnthropicRequest = {
    model: request.modelId,
    messages,
    max_tokens: maxTokens ?? (budget !== undefined ? budget + DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS),
  };
  if (system.length > 0) body.system = system;
  if (prepared.tools) body.tools = prepared.tools;
  if (prepared.toolChoice) body.tool_choice = prepared.toolChoice;
  if (budget !== undefined) body.thinking = { type: 'enabled', budget_tokens: budget };
  applySampling(body, request, budget !== undefined, warnings);
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.promptCacheKey !== undefined) addCacheBreakpoints(body);
  if (request.logprobs !== undefined) warnings.push('Anthropic does not return logprobs; none are included.');
  if (stream) body.stream = true;
  return {
    body,
    mapOptions: { jsonToolName: prepared.jsonToolName, customToolNames: prepared.customToolNames },
    warnings,
  };
}

function applySampling(
  body: AnthropicRequest,
  request: ModelRequest,
  thinking: boolean,
  warnings: string[],
): void {
  let { temperature, topP } = request;
  if (thinking) {
    if (temperature !== undefined && temperature !== 1) {
      warnings.push('Anthropic extended thinking only runs at temperature 1; temperature was not sent.');
    }
    temperature = undefined;
    if (topP !== undefined && topP < 0.95) {
      warnings.push('Anthropic extended thinking needs top_p of at least 0.95; top_p was not sent.');
      topP = undefined;
    }
  }
  if (temperature !== undefined && temperature > 1) {
    warnings.push(`Anthropic temperatures range from 0 to 1; ${temperature} was sent as 1.`);
    temperature = 1;
  }
  if (temperature !== undefined && topP !== undefined) {
    // Recent Claude models refuse both at once.
    warnings.push('Anthropic takes temperature or top_p, not both; top_p was not sent.');
    topP = undefined;
  }
  if (temperature !== undefined) body.temperature = temperature;
  if (topP !== undefined) body.top_p = topP;
}

const EPHEMERAL: CacheControl = { type: 'ephemeral' };

/**
 * `prompt_cache_key` asks for caching: one breakpoint at the end of the stable prefix (the system
 * prompt, or the tools when there is none) and one at the end of the conversation, so each turn of
 * a tool loop reads what the turn before it wrote.
 */
function addCacheBreakpoints(body: AnthropicRequest): void {
  const lastSystem: AnthropicTextBlock | undefined = body.system?.[body.system.length - 1];
  const lastTool = body.tools?.[body.tools.length - 1];
  if (lastSystem) lastSystem.cache_control = EPHEMERAL;
  else if (lastTool) lastTool.cache_control = EPHEMERAL;
  const last: AnthropicMessage | undefined = body.messages[body.messages.length - 1];
  if (last?.role !== 'user') return;
  const block = last.content[last.content.length - 1];
  if (block) block.cache_control = EPHEMERAL;
}

/** Normalized request → a stateless Responses request body. */
import type { ModelRequest } from '../types.js';
import { hasReplayableReasoning, toResponsesInput } from './convert-to-responses-input.js';
import type { ResponsesRequest } from './responses-api.js';
import { toResponsesToolChoice, toResponsesTools } from './responses-prepare-tools.js';

export interface ResponsesRequestOptions {
  /** Send `metadata` upstream (off by default: it describes the gateway's response, not the call). */
  sendMetadata: boolean;
}

export function buildResponsesRequest(
  request: ModelRequest,
  stream: boolean,
  options: ResponsesRequestOptions,
): ResponsesRequest {
  const body: ResponsesRequest = {
    model: request.modelId,
    input: toResponsesInput(request.messages),
    store: false,
  };
  if (stream) body.stream = true;

  const include: string[] = [];
  // Stateless reasoning: the upstream keeps nothing, so its reasoning must come back encrypted to
  // be replayed next turn. Asked only when reasoning is in play; other models refuse the include.
  if (
    request.reasoningEffort !== undefined ||
    request.reasoningSummary !== undefined ||
    hasReplayableReasoning(request.messages)
  ) {
    include.push('reasoning.encrypted_content');
  }
  if (request.logprobs !== undefined) {
    include.push('message.output_text.logprobs');
    if (request.logprobs > 0) body.top_logprobs = request.logprobs;
  }
  include.push(...(request.upstreamInclude ?? []));
  if (include.length > 0) body.include = include;

  if (request.tools.length > 0 || request.nativeTools !== undefined) {
    // The upstream runs its own built-in tools: their entries go as the client wrote them.
    body.tools = toResponsesTools(request.tools, request.nativeTools);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.nativeToolChoice) body.tool_choice = request.nativeToolChoice;
  else if (request.toolChoice) body.tool_choice = toResponsesToolChoice(request.toolChoice, request.tools);

  const format = request.outputFormat;
  const text: NonNullable<ResponsesRequest['text']> = {};
  if (format?.type === 'json_object') text.format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    text.format = {
      type: 'json_schema',
      name: format.name,
      schema: format.schema,
      ...(format.description !== undefined ? { description: format.description } : {}),
      ...(format.strict != null ? { strict: format.strict } : {}),
    };
  }
  if (request.verbosity !== undefined) text.verbosity = request.verbosity;
  if (text.format !== undefined || text.verbosity !== undefined) body.text = text;

  if (request.reasoningEffort !== undefined || request.reasoningSummary !== undefined) {
    body.reasoning = {
      ...(request.reasoningEffort !== undefined ? { effort: request.reasoningEffort } : {}),
      ...(request.reasoningSummary !== undefined ? { summary: request.reasoningSummary } : {}),
    };
  }
  if (request.maxOutputTokens !== undefined) body.max_output_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (options.sendMetadata && request.metadata && Object.keys(request.metadata).length > 0)
    body.metadata = request.metadata;
  if (request.user !== undefined) body.safety_identifier = request.user;
  if (request.serviceTier !== undefined) body.service_tier = request.serviceTier;
  if (request.promptCacheKey !== undefined) body.prompt_cache_key = request.promptCacheKey;
  return body;
}

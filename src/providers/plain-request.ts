/**
 * A ModelRequest with every option left to the upstream's default: for the gateway's own calls
 * (a summary for compaction, doctor's one-token check), which set only what they need.
 */
import type { ModelMessage, ModelRequest } from './types.js';

export function plainRequest(
  modelId: string,
  messages: ModelMessage[],
  options: Partial<Omit<ModelRequest, 'modelId' | 'messages'>> = {},
): ModelRequest {
  return {
    modelId,
    messages,
    tools: [],
    toolChoice: undefined,
    parallelToolCalls: undefined,
    outputFormat: undefined,
    reasoningEffort: undefined,
    reasoningSummary: undefined,
    verbosity: undefined,
    maxOutputTokens: undefined,
    temperature: undefined,
    topP: undefined,
    logprobs: undefined,
    metadata: undefined,
    user: undefined,
    serviceTier: undefined,
    promptCacheKey: undefined,
    ...options,
  };
}

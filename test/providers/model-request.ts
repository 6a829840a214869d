/** A normalized request with every field present, for the provider and routing unit tests. */
import type { ModelMessage, ModelRequest } from '../../src/providers/types.js';

export function modelRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    modelId: 'model-x',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] satisfies ModelMessage[],
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
    ...overrides,
  };
}

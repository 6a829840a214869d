/** What the Responses API adapter carries (see ../capabilities.ts). */
import type { ProviderCapabilities } from '../capabilities.js';

export const responsesCapabilities: ProviderCapabilities = {
  images: true,
  files: true,
  imageUrls: true,
  fileUrls: true,
  reasoning: true,
  reasoningReplay: true,
  logprobs: true,
  jsonSchema: true,
  toolCalls: true,
  parallelToolCalls: true,
  builtInTools: true,
};

/** What the Gemini adapter carries (see ../capabilities.ts). */
import type { ProviderCapabilities } from '../capabilities.js';

export const geminiCapabilities: ProviderCapabilities = {
  images: true,
  files: true,
  reasoning: true,
  // As the thoughtSignature, on the part that follows the thoughts.
  reasoningReplay: true,
  logprobs: { unsupported: 'the adapter does not map Gemini logprobsResult (a warning is logged)' },
  jsonSchema: true,
  toolCalls: true,
  parallelToolCalls: true,
};

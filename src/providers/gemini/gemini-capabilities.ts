/** What the Gemini adapter carries (see ../capabilities.ts). */
import type { ProviderCapabilities } from '../capabilities.js';

export const geminiCapabilities: ProviderCapabilities = {
  images: true,
  files: true,
  imageUrls: {
    unsupported:
      'fileData reads only Gemini Files API and YouTube URIs: the gateway fetches other URLs and sends inlineData',
  },
  fileUrls: {
    unsupported:
      'fileData reads only Gemini Files API and YouTube URIs: the gateway fetches other URLs and sends inlineData',
  },
  reasoning: true,
  // As the thoughtSignature, on the part that follows the thoughts.
  reasoningReplay: true,
  logprobs: { unsupported: 'the adapter does not map Gemini logprobsResult (a warning is logged)' },
  jsonSchema: true,
  toolCalls: true,
  parallelToolCalls: true,
  builtInTools: { unsupported: "Gemini has its own grounding and code execution tools, not OpenAI's" },
};

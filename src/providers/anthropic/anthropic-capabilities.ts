/** What the Anthropic Messages adapter carries (see ../capabilities.ts). */
import type { ProviderCapabilities } from '../capabilities.js';

export const anthropicCapabilities: ProviderCapabilities = {
  images: true,
  files: true,
  imageUrls: true,
  // A `document` with a URL source: Anthropic fetches PDFs by URL.
  fileUrls: true,
  reasoning: true,
  reasoningReplay: true,
  logprobs: { unsupported: 'the Messages API returns no logprobs (a warning is logged)' },
  // Through a forced tool whose input is the answer (anthropic-prepare-tools.ts).
  jsonSchema: true,
  toolCalls: true,
  parallelToolCalls: true,
  builtInTools: { unsupported: "Anthropic has server tools of its own, not OpenAI's built-in tools" },
};

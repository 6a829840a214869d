/** What the Chat Completions adapter carries (see ../capabilities.ts). */
import type { ProviderCapabilities } from '../capabilities.js';

export const chatCapabilities: ProviderCapabilities = {
  images: true,
  files: true,
  imageUrls: true,
  fileUrls: {
    unsupported:
      'Chat Completions file parts take file_data or file_id only: the gateway fetches the URL and sends file_data',
  },
  reasoning: true,
  reasoningReplay: {
    unsupported:
      'Chat Completions has no field for reasoning in assistant messages; reasoning_content is read, never sent back',
  },
  logprobs: true,
  jsonSchema: true,
  toolCalls: true,
  parallelToolCalls: true,
  builtInTools: { unsupported: 'Chat Completions has no built-in tools' },
};

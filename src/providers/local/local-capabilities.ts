/**
 * What the in-process GGUF adapter carries (see ../capabilities.ts). Reasoning and function calls
 * depend on the model's chat wrapper (thought segments, a function-call syntax); forced calls and
 * json_schema work with any model, through a grammar.
 */
import type { ProviderCapabilities } from '../capabilities.js';

export const localCapabilities: ProviderCapabilities = {
  images: { unsupported: 'the local adapter passes text only: an image becomes an [image] placeholder' },
  files: { unsupported: 'the local adapter passes text only: a file becomes a [file] placeholder' },
  imageUrls: { unsupported: 'the local adapter passes text only: nothing is fetched' },
  fileUrls: { unsupported: 'the local adapter passes text only: nothing is fetched' },
  // Thought segments of wrappers that have them (Qwen3, DeepSeek R1, gpt-oss).
  reasoning: true,
  // Replayed as thought segments of the model's turn.
  reasoningReplay: true,
  logprobs: { unsupported: 'node-llama-cpp does not report logprobs here (a warning is logged)' },
  jsonSchema: true,
  toolCalls: true,
  parallelToolCalls: true,
  builtInTools: { unsupported: 'a local model runs no tools of its own' },
};

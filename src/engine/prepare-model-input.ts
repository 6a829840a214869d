/**
 * Between resolveContext and buildModelRequest: compacts the context when the request asks for it
 * and it passed its threshold, then fits it to the model's window (truncation auto/disabled).
 * Encodings are loaded only when a cheap byte bound cannot already show the context is small.
 */

import type { CreateResponseBody } from '../protocol/create-response.js';
import type { ContextItem } from '../protocol/input-items.js';
import type { CompactionItem } from '../protocol/response.js';
import type { LanguageModel, TokenUsage } from '../providers/types.js';
import { autoCompact, compactThreshold } from './compaction/auto-compact.js';
import { type FitOptions, fitContext, fitsByBytes, fitTarget } from './fit-context.js';
import type { ModelLimits } from './model-limits.js';
import type { ReasoningSealer } from './reasoning-seal.js';
import type { ResolvedContext } from './resolve-context.js';
import { countContext, type FixedContext } from './tokens/count-tokens.js';
import { loadTokenizer } from './tokens/tokenizer.js';

export interface PrepareOptions {
  model: LanguageModel;
  modelId: string;
  limits: ModelLimits;
  sealer: ReasoningSealer;
  signal: AbortSignal;
}

export interface PreparedInput {
  items: ContextItem[];
  /** Set when the context was compacted first: the item leads the output, its usage is added. */
  compaction: { item: CompactionItem; usage: TokenUsage | undefined } | undefined;
}

export async function prepareModelInput(
  body: CreateResponseBody,
  context: Pick<ResolvedContext, 'modelInput' | 'earlierCount'>,
  options: PrepareOptions,
): Promise<PreparedInput> {
  const fixed: FixedContext = { instructions: body.instructions, tools: body.tools ?? [] };
  let items = context.modelInput;
  let compaction: PreparedInput['compaction'];

  const threshold = compactThreshold(body.context_management, options.limits);
  if (threshold !== undefined && !fitsByBytes(fixed, items, threshold)) {
    const tokenizer = await loadTokenizer(options.limits.tokenizer);
    if (countContext(fixed, items, tokenizer) > threshold) {
      const done = await autoCompact(items, context.earlierCount, options);
      if (done) {
        items = done.items;
        compaction = { item: done.compaction.item, usage: done.compaction.usage };
      }
    }
  }

  const fit: FitOptions = {
    truncation: body.truncation ?? 'disabled',
    maxOutputTokens: body.max_output_tokens ?? undefined,
    limits: options.limits,
  };
  if (!fitsByBytes(fixed, items, fitTarget(fit))) {
    items = fitContext(fixed, items, await loadTokenizer(options.limits.tokenizer), fit).items;
  }
  return { items, compaction };
}

/**
 * Compaction on create (`context_management: [{type: "compaction", compact_threshold}]`): when the
 * rendered context passes the threshold, the earlier turns are summarised first and the model sees
 * the summary instead of them; the compaction item is the response's first output item.
 */
import { newId } from '../../ids.js';
import type { CreateResponseBody } from '../../protocol/create-response.js';
import type { ContextItem } from '../../protocol/input-items.js';
import type { CompactionItem } from '../../protocol/response.js';
import type { TokenUsage } from '../../providers/types.js';
import { groupUnits } from '../fit-context.js';
import type { ModelLimits } from '../model-limits.js';
import type { ReasoningSealer } from '../reasoning-seal.js';
import { sealCompaction } from './compaction-item.js';
import { type SummarizeOptions, summarize } from './summarize.js';

/** Share of the context window used as threshold when `compact_threshold` is not given. */
export const DEFAULT_THRESHOLD_SHARE = 0.8;

export interface MadeCompaction {
  /** The public item, for the output. */
  item: CompactionItem;
  /** The same, opened, for the model input. */
  opened: ContextItem;
  usage: TokenUsage | undefined;
}

/** Summarises `items` into a sealed compaction item that leaves `keep` items before it in place. */
export async function makeCompaction(
  items: readonly ContextItem[],
  keep: number,
  options: SummarizeOptions & { sealer: ReasoningSealer },
): Promise<MadeCompaction> {
  const { summary, usage } = await summarize(items, options);
  const item: CompactionItem = {
    id: newId('cmp'),
    type: 'compaction',
    encrypted_content: sealCompaction(options.sealer, { summary, keep }),
  };
  return { item, opened: { ...item, summary, keep }, usage };
}

/** The token threshold a create body asks for, if it asks for compaction. */
export function compactThreshold(
  management: CreateResponseBody['context_management'],
  limits: Pick<ModelLimits, 'contextWindow'>,
): number | undefined {
  const entry = management?.find((candidate) => candidate.type === 'compaction');
  if (!entry) return undefined;
  return entry.compact_threshold ?? Math.floor(limits.contextWindow * DEFAULT_THRESHOLD_SHARE);
}

/**
 * Summarises what comes before this request's input (or, with no earlier turns, before its last
 * user message), never splitting a tool call from its output. Undefined when there is nothing
 * before that point to summarise.
 */
export async function autoCompact(
  items: readonly ContextItem[],
  earlierCount: number,
  options: SummarizeOptions & { sealer: ReasoningSealer },
): Promise<{ items: ContextItem[]; compaction: MadeCompaction } | undefined> {
  const split = unitBoundary(items, earlierCount > 0 ? earlierCount : lastUserMessage(items));
  if (split <= 0) return undefined;
  const kept = items.slice(split);
  const compaction = await makeCompaction(items.slice(0, split), kept.length, options);
  return { items: [compaction.opened, ...kept], compaction };
}

function lastUserMessage(items: readonly ContextItem[]): number {
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index] as { type?: string; role?: string };
    if ((item.type === undefined || item.type === 'message') && item.role === 'user') return index;
  }
  return 0;
}

/** Moves `split` back so that no unit (call + output, reasoning + item) straddles it. */
function unitBoundary(items: readonly ContextItem[], split: number): number {
  const units = groupUnits(items);
  let boundary = split;
  let moved = true;
  while (moved) {
    moved = false;
    for (const unit of units) {
      const first = unit[0]!;
      if (first < boundary && unit.some((index) => index >= boundary)) {
        boundary = first;
        moved = true;
      }
    }
  }
  return boundary;
}

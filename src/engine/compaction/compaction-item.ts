/**
 * Compaction items: a summary of earlier turns, sealed by the gateway (same keys as reasoning, a
 * separate purpose) so that clients carry it opaquely and cannot forge it.
 *
 * Semantics: in a context (stored chain, conversation or input), the last compaction item stands
 * for everything before it except the `keep` items just before it, which it leaves in place. The
 * model then sees the summary, then the kept items, then whatever followed the compaction item.
 * `/responses/compact` keeps the user messages it returns (OpenAI's shape); automatic compaction
 * keeps the request's own input, which the chain stores right before the compaction item.
 */
import { invalidRequest } from '../../errors.js';
import type { ContextItem, OpenedCompactionItem } from '../../protocol/input-items.js';
import type { StoredItem } from '../../store/types.js';
import type { ReasoningSealer } from '../reasoning-seal.js';

export interface CompactionPayload {
  summary: string;
  /** How many items right before the compaction item it leaves in place. */
  keep: number;
}

const PURPOSE = 'compaction';

export const SUMMARY_PREFIX = 'Summary of the earlier conversation: ';

export function sealCompaction(sealer: ReasoningSealer, payload: CompactionPayload): string {
  return sealer.sealJson(PURPOSE, { v: 1, summary: payload.summary, keep: payload.keep });
}

export function openCompaction(sealer: ReasoningSealer, blob: string): CompactionPayload | undefined {
  const value = sealer.openJson(PURPOSE, blob) as Partial<CompactionPayload> | undefined;
  if (typeof value?.summary !== 'string') return undefined;
  const keep = typeof value.keep === 'number' && Number.isInteger(value.keep) ? Math.max(0, value.keep) : 0;
  return { summary: value.summary, keep };
}

/** Verifies a compaction item; `inputIndex` < 0 for items from earlier turns. */
export function openCompactionItem(
  item: StoredItem,
  sealer: ReasoningSealer,
  inputIndex: number,
): OpenedCompactionItem {
  const blob = item.encrypted_content;
  const payload = typeof blob === 'string' ? openCompaction(sealer, blob) : undefined;
  if (!payload) {
    throw invalidRequest(
      `The encrypted content of compaction item '${item.id}' could not be verified: it was altered or was not issued by this gateway.`,
      inputIndex >= 0 ? `input[${inputIndex}].encrypted_content` : 'previous_response_id',
      'invalid_encrypted_content',
    );
  }
  return { type: 'compaction', id: item.id, encrypted_content: blob as string, ...payload };
}

/** An opened compaction item (resolveContext opens every one before the context is used). */
export function isOpenedCompaction(item: ContextItem): item is OpenedCompactionItem {
  return item.type === 'compaction' && 'summary' in item && typeof item.summary === 'string';
}

/**
 * Applies the last compaction item of a context (items already opened). `earlierCount` items at
 * the start come from earlier turns; the result says how many of its leading items still do.
 */
export function applyCompaction(
  items: readonly ContextItem[],
  earlierCount: number,
): { items: ContextItem[]; earlierCount: number } {
  let last = -1;
  for (let index = items.length - 1; index >= 0; index--) {
    if (isOpenedCompaction(items[index]!)) {
      last = index;
      break;
    }
  }
  const compaction = items[last];
  if (compaction === undefined || !isOpenedCompaction(compaction)) return { items: [...items], earlierCount };
  const start = Math.max(0, last - compaction.keep);
  // Older compactions inside the kept range are covered by this one's summary.
  const kept: Array<[ContextItem, number]> = [];
  for (let index = start; index < last; index++) {
    if (items[index]!.type !== 'compaction') kept.push([items[index]!, index]);
  }
  const result: Array<[ContextItem, number]> = [
    [compaction, last],
    ...kept,
    ...items.slice(last + 1).map((item, offset): [ContextItem, number] => [item, last + 1 + offset]),
  ];
  return {
    items: result.map(([item]) => item),
    // A compaction from this request's input makes the whole context this request's.
    earlierCount: last < earlierCount ? result.filter(([, index]) => index < earlierCount).length : 0,
  };
}

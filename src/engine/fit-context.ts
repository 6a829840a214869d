/**
 * Makes a context fit the model's window before the upstream is called.
 *
 * `truncation: "auto"` drops the oldest items until the input plus the output reserve
 * (`max_output_tokens`, else the model's max output capped at a quarter of the window) fits. Items
 * go in units: a tool call with its output(s), reasoning with the item it precedes, so no call is
 * ever split from its output. Never dropped: the instructions, system and developer messages, and
 * the newest unit. `"disabled"` (the default) drops nothing. Either way, an input that still does
 * not fit with `max_output_tokens` → 400 `context_length_exceeded`, as OpenAI answers.
 */
import { GatewayError } from '../errors.js';
import type { ContextItem } from '../protocol/input-items.js';
import type { ModelLimits } from './model-limits.js';
import { countFixed, countItem, type FixedContext } from './tokens/count-tokens.js';
import { byteUpperBound, type Tokenizer } from './tokens/tokenizer.js';

export interface FitOptions {
  truncation: 'auto' | 'disabled';
  /** The request's `max_output_tokens`. */
  maxOutputTokens: number | undefined;
  limits: Pick<ModelLimits, 'contextWindow' | 'maxOutputTokens'>;
}

export interface FitResult {
  items: ContextItem[];
  /** How many items were dropped. */
  dropped: number;
  /** Token count of what is sent; undefined when a cheap bound showed it fits without counting. */
  inputTokens: number | undefined;
}

export function contextLengthExceeded(): GatewayError {
  return new GatewayError(
    400,
    'Your input exceeds the context window of this model. Please adjust your input and try again.',
    { type: 'invalid_request_error', code: 'context_length_exceeded', param: 'input' },
  );
}

/** Tokens kept free for the reply when `truncation: "auto"` drops items. */
export function outputReserve(options: FitOptions): number {
  if (options.maxOutputTokens !== undefined) return options.maxOutputTokens;
  const quarter = Math.floor(options.limits.contextWindow / 4);
  return Math.min(options.limits.maxOutputTokens ?? quarter, quarter);
}

/** The most input tokens that leave room for the reply (auto) or for `max_output_tokens`. */
export function fitTarget(options: FitOptions): number {
  const window = options.limits.contextWindow;
  return options.truncation === 'auto'
    ? window - outputReserve(options)
    : window - (options.maxOutputTokens ?? 0);
}

/**
 * True when the context's UTF-8 byte count, an upper bound of its token count, is within `budget`:
 * most requests are far below the window and need no real counting (nor loading an encoding).
 */
export function fitsByBytes(fixed: FixedContext, items: readonly ContextItem[], budget: number): boolean {
  let bound = countFixed(fixed, byteUpperBound);
  for (const item of items) {
    bound += countItem(item, byteUpperBound);
    if (bound > budget) return false;
  }
  return bound <= budget;
}

export function fitContext(
  fixed: FixedContext,
  items: readonly ContextItem[],
  tokenizer: Tokenizer,
  options: FitOptions,
): FitResult {
  const hardLimit = options.limits.contextWindow - (options.maxOutputTokens ?? 0);
  const target = fitTarget(options);
  if (fitsByBytes(fixed, items, target)) return { items: [...items], dropped: 0, inputTokens: undefined };

  const costs = items.map((item) => countItem(item, tokenizer));
  let total = countFixed(fixed, tokenizer) + sum(costs, (cost) => cost);
  const dropped = new Set<number>();
  if (options.truncation === 'auto' && total > target) {
    const units = groupUnits(items);
    const newest = units.find((unit) => unit.includes(items.length - 1));
    for (const unit of units) {
      if (total <= target) break;
      if (unit === newest || unit.some((index) => isProtected(items[index]!))) continue;
      for (const index of unit) {
        dropped.add(index);
        total -= costs[index]!;
      }
    }
  }
  if (total > hardLimit) throw contextLengthExceeded();
  return {
    items: items.filter((_, index) => !dropped.has(index)),
    dropped: dropped.size,
    inputTokens: total,
  };
}

/**
 * Indexes of items that must be dropped together, oldest unit first: reasoning joins the next
 * item, a tool call's output joins the call (matched by call_id).
 */
export function groupUnits(items: readonly ContextItem[]): number[][] {
  const units: number[][] = [];
  const byCallId = new Map<string, number[]>();
  let pending: number[] = [];
  items.forEach((item, index) => {
    const record = item as { type?: string; call_id?: unknown; id?: unknown };
    if (record.type === 'reasoning') {
      pending.push(index);
      return;
    }
    // Every tool's answer (function_call_output, apply_patch_call_output, …) joins its call;
    // local_shell_call_output names its call by `id`.
    const isOutput = record.type?.endsWith('_output') === true;
    const answered = record.type === 'local_shell_call_output' ? record.id : record.call_id;
    const callId = typeof answered === 'string' ? answered : undefined;
    const existing = callId !== undefined && isOutput ? byCallId.get(callId) : undefined;
    if (existing && pending.length === 0) {
      existing.push(index);
      return;
    }
    const unit = [...pending, index];
    pending = [];
    if (existing) {
      // Reasoning before a tool output: keep the three together.
      existing.push(...unit);
      existing.sort((a, b) => a - b);
      return;
    }
    units.push(unit);
    if (callId !== undefined && !isOutput) byCallId.set(callId, unit);
  });
  if (pending.length > 0) units.push(pending);
  return units;
}

function isProtected(item: ContextItem): boolean {
  const message = item as { type?: string; role?: string };
  return (
    (message.type === undefined || message.type === 'message') &&
    (message.role === 'system' || message.role === 'developer')
  );
}

function sum<T>(values: readonly T[], of: (value: T) => number): number {
  let total = 0;
  for (const value of values) total += of(value);
  return total;
}

/**
 * The stream-part contract every LanguageModel honours, as one checker. It is what the engine's
 * drive loop (engine/tool-loop.ts `readTurn`) and the ResponseEmitter's item builders rely on:
 *
 * 1. Blocks. `text-`, `refusal-`, `reasoning-` and `tool-input-` parts come as start, deltas, end
 *    for one id. An id is started once in a stream and never reused (the builders key their state
 *    by id: a reused id would land in an ended block). A delta or end names an open block of its
 *    own kind; a `text-annotation` names an open text block.
 * 2. Overlap. At most one text/refusal/reasoning block is open, and never while a tool input is
 *    open; tool inputs may overlap one another. The emitter keeps one current message or reasoning
 *    item and closes it when another kind starts, so a delta of an overlapped block would quietly
 *    open a new item. An `upstream-call` comes between content blocks for the same reason.
 * 3. Calls. Each `tool-input-start` has a non-empty tool name and a call id unique in the stream
 *    (the client answers by call id).
 * 4. Ending. A stream ends in exactly one of three ways: a `finish` part, last, with every block
 *    ended; an `error` part (carrying an Error), last, blocks may be left open (the engine marks
 *    them incomplete); or the iteration throws, with neither part before. Nothing follows the
 *    terminal part, and a stream that just stops is a violation (the engine fails it as truncated).
 * 5. Finish. Its reason is one of FinishReason; usage, when there is any, is four non-negative
 *    integers with cached ≤ input and reasoning ≤ output; `requireUsage` demands it.
 * 6. Logprobs on a text delta, where given, are tokens with numeric logprobs and byte arrays.
 *
 * `warning` parts may come anywhere before the terminal one.
 */
import type { FinishReason, StreamPart, TokenLogprob, TokenUsage } from '../../src/providers/types.js';

export class StreamContractError extends Error {
  override name = 'StreamContractError';
}

export interface ContractOptions {
  /** The iteration threw after yielding `parts`. */
  threw?: boolean;
  /** The reply carried usage: `finish` must report it. */
  requireUsage?: boolean;
}

type BlockKind = 'text' | 'refusal' | 'reasoning' | 'tool-input';
type Phase = 'start' | 'delta' | 'end';

const FINISH_REASONS: ReadonlySet<FinishReason> = new Set([
  'stop',
  'length',
  'content-filter',
  'tool-calls',
  'error',
  'other',
]);

function blockPart(type: string): { kind: BlockKind; phase: Phase } | undefined {
  const match = /^(text|refusal|reasoning|tool-input)-(start|delta|end)$/.exec(type);
  return match ? { kind: match[1] as BlockKind, phase: match[2] as Phase } : undefined;
}

/** Throws a StreamContractError naming the first part that breaks the contract above. */
export function checkStreamParts(parts: readonly StreamPart[], options: ContractOptions = {}): void {
  const open = new Map<string, BlockKind>();
  const started = new Set<string>();
  const callIds = new Set<string>();
  let terminal: { index: number; type: string } | undefined;

  parts.forEach((part, index) => {
    const where = `part #${index} (${describe(part)})`;
    const fail = (why: string): never => {
      throw new StreamContractError(`${where}: ${why}`);
    };
    if (terminal) fail(`comes after the terminal ${terminal.type} part #${terminal.index}`);
    const block = blockPart(part.type);
    if (block) {
      const id = (part as { id?: unknown }).id;
      if (typeof id !== 'string' || id === '') fail('has no id');
      const blockId = id as string;
      if (block.phase === 'start') {
        if (started.has(blockId)) fail(`reuses id '${blockId}' of an earlier block`);
        checkOverlap(block.kind, open, fail);
        if (part.type === 'tool-input-start') checkCall(part, callIds, fail);
        started.add(blockId);
        open.set(blockId, block.kind);
        return;
      }
      const kind = open.get(blockId);
      if (kind === undefined)
        fail(started.has(blockId) ? `block '${blockId}' has already ended` : `unknown block id '${blockId}'`);
      if (kind !== block.kind) fail(`block '${blockId}' is a ${kind} block`);
      if (block.phase === 'end') {
        open.delete(blockId);
        return;
      }
      checkDelta(part, fail);
      return;
    }
    switch (part.type) {
      case 'text-annotation':
        if (open.get(part.id) !== 'text') fail(`no open text block '${part.id}'`);
        return;
      case 'upstream-call':
        for (const [id, kind] of open)
          if (kind !== 'tool-input') fail(`comes while ${kind} block '${id}' is open`);
        return;
      case 'warning':
        if (typeof part.message !== 'string' || part.message === '') fail('has no message');
        return;
      case 'error':
        if (!(part.error instanceof Error)) fail('carries no Error');
        terminal = { index, type: 'error' };
        return;
      case 'finish':
        if (!FINISH_REASONS.has(part.finishReason)) fail(`unknown finish reason '${part.finishReason}'`);
        if (open.size > 0)
          fail(`blocks still open: ${[...open].map(([id, kind]) => `${kind} '${id}'`).join(', ')}`);
        checkUsage(part.usage, options.requireUsage === true, fail);
        terminal = { index, type: 'finish' };
        return;
      default:
        fail('unknown part type');
    }
  });

  if (options.threw) {
    if (terminal)
      throw new StreamContractError(
        `the iteration threw after its terminal ${terminal.type} part #${terminal.index}`,
      );
    return;
  }
  if (!terminal)
    throw new StreamContractError(
      `the stream ended after ${parts.length} parts without a finish or error part and without throwing`,
    );
}

function describe(part: StreamPart): string {
  return 'id' in part ? `${part.type} '${String(part.id)}'` : part.type;
}

function checkOverlap(kind: BlockKind, open: ReadonlyMap<string, BlockKind>, fail: (why: string) => never) {
  for (const [id, other] of open) {
    if (kind === 'tool-input' && other === 'tool-input') continue;
    fail(`starts while ${other} block '${id}' is open`);
  }
}

function checkCall(
  part: Extract<StreamPart, { type: 'tool-input-start' }>,
  callIds: Set<string>,
  fail: (why: string) => never,
): void {
  if (typeof part.toolName !== 'string' || part.toolName === '') fail('has no tool name');
  if (part.toolKind !== 'function' && part.toolKind !== 'custom')
    fail(`unknown tool kind '${part.toolKind}'`);
  if (typeof part.callId !== 'string' || part.callId === '') fail('has no call id');
  if (callIds.has(part.callId)) fail(`reuses call id '${part.callId}'`);
  callIds.add(part.callId);
}

function checkDelta(part: StreamPart, fail: (why: string) => never): void {
  if (typeof (part as { delta?: unknown }).delta !== 'string') fail('has no string delta');
  if (part.type === 'reasoning-delta' && part.kind !== 'text' && part.kind !== 'summary')
    fail(`unknown reasoning kind '${String(part.kind)}'`);
  if (part.type === 'text-delta' && part.logprobs !== undefined) {
    if (!Array.isArray(part.logprobs)) fail('logprobs is not an array');
    part.logprobs.forEach((logprob, i) => {
      const bad = badLogprob(logprob);
      if (bad) fail(`logprobs[${i}] ${bad}`);
    });
  }
}

function badLogprob(logprob: TokenLogprob): string | undefined {
  const entries = [logprob, ...(Array.isArray(logprob.topLogprobs) ? logprob.topLogprobs : [])];
  if (!Array.isArray(logprob.topLogprobs)) return 'has no topLogprobs array';
  for (const entry of entries) {
    if (typeof entry.token !== 'string') return 'has a token that is not a string';
    if (typeof entry.logprob !== 'number' || Number.isNaN(entry.logprob) || entry.logprob > 0)
      return `has logprob ${String(entry.logprob)}`;
    if (!Array.isArray(entry.bytes) || entry.bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255))
      return 'has bytes that are not byte values';
  }
  return undefined;
}

function checkUsage(usage: TokenUsage | undefined, required: boolean, fail: (why: string) => never): void {
  if (usage === undefined) {
    if (required) fail('has no usage, though the upstream reported it');
    return;
  }
  for (const key of ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens'] as const) {
    const value = usage[key];
    if (!Number.isInteger(value) || value < 0) fail(`usage.${key} is ${String(value)}`);
  }
  if (usage.cachedInputTokens > usage.inputTokens) fail('usage has more cached than input tokens');
  if (usage.reasoningTokens > usage.outputTokens) fail('usage has more reasoning than output tokens');
}

/**
 * The parts with what may legitimately differ between two readings of one answer taken out: ids
 * renamed in order of first use, runs of deltas of one block joined (a stream splits what a whole
 * answer gives at once), and their logprobs joined with them.
 */
export function canonicalParts(parts: readonly StreamPart[]): StreamPart[] {
  const names = new Map<string, string>();
  const rename = (id: string): string => {
    let name = names.get(id);
    if (name === undefined) {
      name = `#${names.size}`;
      names.set(id, name);
    }
    return name;
  };
  const out: StreamPart[] = [];
  for (const part of parts) {
    const renamed = 'id' in part ? { ...part, id: rename(part.id) } : { ...part };
    const last = out.at(-1);
    if (last && isDelta(renamed) && isDelta(last) && sameRun(last, renamed)) {
      out[out.length - 1] = join(last, renamed);
      continue;
    }
    out.push(renamed);
  }
  return out;
}

type Delta = Extract<
  StreamPart,
  { type: 'text-delta' | 'refusal-delta' | 'reasoning-delta' | 'tool-input-delta' }
>;

function isDelta(part: StreamPart): part is Delta {
  return part.type.endsWith('-delta');
}

function sameRun(a: Delta, b: Delta): boolean {
  if (a.type !== b.type || a.id !== b.id) return false;
  return a.type !== 'reasoning-delta' || (b.type === 'reasoning-delta' && a.kind === b.kind);
}

function join(a: Delta, b: Delta): Delta {
  if (a.type === 'text-delta' && b.type === 'text-delta') {
    const logprobs = a.logprobs || b.logprobs ? [...(a.logprobs ?? []), ...(b.logprobs ?? [])] : undefined;
    return { ...a, delta: a.delta + b.delta, ...(logprobs ? { logprobs } : {}) };
  }
  return { ...a, delta: a.delta + b.delta };
}

/** What an answer said, read off its parts, for assertions in neutral terms. */
export interface PartSummary {
  text: string;
  refusal: string;
  reasoning: string;
  calls: Array<{ callId: string; name: string; input: string }>;
  logprobs: number;
  finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  error: Error | undefined;
}

export function summarize(parts: readonly StreamPart[]): PartSummary {
  const summary: PartSummary = {
    text: '',
    refusal: '',
    reasoning: '',
    calls: [],
    logprobs: 0,
    finish: undefined,
    error: undefined,
  };
  const calls = new Map<string, { callId: string; name: string; input: string }>();
  for (const part of parts) {
    if (part.type === 'text-delta') {
      summary.text += part.delta;
      summary.logprobs += part.logprobs?.length ?? 0;
    } else if (part.type === 'refusal-delta') summary.refusal += part.delta;
    else if (part.type === 'reasoning-delta') summary.reasoning += part.delta;
    else if (part.type === 'tool-input-start') {
      const call = { callId: part.callId, name: part.toolName, input: '' };
      calls.set(part.id, call);
      summary.calls.push(call);
    } else if (part.type === 'tool-input-delta') {
      const call = calls.get(part.id);
      if (call) call.input += part.delta;
    } else if (part.type === 'finish') summary.finish = part;
    else if (part.type === 'error') summary.error = part.error;
  }
  return summary;
}

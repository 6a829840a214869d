/**
 * Streamed Responses events → normalized stream parts. The upstream already speaks in items and
 * parts, so the translation follows its boundaries: each output item's `added`/`done` and each
 * content or summary part open and close one block. Servers that skip deltas and only send whole
 * items (`output_item.done`) are read the same way.
 */
import {
  type MessagePhase,
  messagePhaseOf,
  type StreamPart,
  type ToolKind,
  type UpstreamCallType,
} from '../types.js';
import {
  mapResponsesFinishReason,
  mapResponsesLogprobs,
  mapResponsesUsage,
  responsesError,
} from './map-responses-finish-reason.js';
import { nativeCallInput } from './native-client-calls.js';
import type {
  ResponsesContentPart,
  ResponsesOutputItem,
  ResponsesResponse,
  ResponsesStreamEvent,
} from './responses-api.js';

interface ContentState {
  id: string;
  kind: 'text' | 'refusal';
  /** What was sent as deltas so far, to complete from the `done` event if the upstream skipped some. */
  sent: string;
  open: boolean;
}

type ItemState =
  | { kind: 'message'; parts: Map<number, ContentState>; done: boolean; phase?: MessagePhase }
  | {
      kind: 'reasoning';
      blockId: string | null;
      blocks: number;
      /** What the open block carries, null until its first delta. */
      mode: 'summary' | 'text' | null;
      summaryIndex: number;
      streamedSummaries: Set<number>;
      streamedText: boolean;
      done: boolean;
    }
  | { kind: 'tool'; id: string; toolKind: ToolKind; sent: string; done: boolean }
  | { kind: 'upstream-call'; itemType: UpstreamCallType; done: boolean }
  /** A client tool's own call item (apply_patch_call, …): its fields are the call's input, at its end. */
  | { kind: 'native-call'; id: string; done: boolean }
  | { kind: 'ignored'; done: boolean };

export class ResponsesEventTranslator {
  private readonly items = new Map<number, ItemState>();
  private madeToolCalls = false;
  private ended = false;
  private readonly warned = new Set<string>();

  /**
   * @param nativeCalls call item types of client tools this API knows → the function names the
   * gateway declared them as (native-client-calls.ts)
   */
  constructor(
    private readonly provider: string,
    private readonly nativeCalls?: ReadonlyMap<string, string>,
  ) {}

  /** A terminal event (completed, incomplete, failed, error) was seen. */
  get sawTerminal(): boolean {
    return this.ended;
  }

  translate(event: ResponsesStreamEvent, out: StreamPart[]): void {
    if (this.ended) return;
    const index = event.output_index ?? 0;
    switch (event.type) {
      case 'response.output_item.added':
        if (event.item) this.itemAdded(index, event.item, out);
        return;
      case 'response.output_item.done':
        if (event.item) this.itemDone(index, event.item, out);
        return;
      case 'response.content_part.added':
        if (event.part?.type === 'output_text' || event.part?.type === 'refusal') {
          this.content(
            index,
            event.content_index ?? 0,
            event.part.type === 'refusal' ? 'refusal' : 'text',
            out,
          );
        }
        return;
      case 'response.output_text.delta':
        return this.contentDelta(index, event.content_index ?? 0, 'text', event.delta ?? '', out, event);
      case 'response.refusal.delta':
        return this.contentDelta(index, event.content_index ?? 0, 'refusal', event.delta ?? '', out);
      case 'response.output_text.done':
        return this.contentDone(index, event.content_index ?? 0, event.text, out);
      case 'response.refusal.done':
        return this.contentDone(index, event.content_index ?? 0, event.refusal, out);
      case 'response.content_part.done':
        return this.contentDone(
          index,
          event.content_index ?? 0,
          event.part?.text ?? event.part?.refusal,
          out,
        );
      case 'response.reasoning_summary_part.added':
        this.reasoningBlock(index, 'summary', event.summary_index ?? 0, out);
        return;
      case 'response.reasoning_summary_text.delta':
        return this.reasoningDelta(index, 'summary', event.summary_index ?? 0, event.delta ?? '', out);
      case 'response.reasoning_text.delta':
        return this.reasoningDelta(index, 'text', 0, event.delta ?? '', out);
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        return this.toolDelta(index, event.delta ?? '', out);
      case 'response.function_call_arguments.done':
        return this.toolComplete(index, event.arguments, out);
      case 'response.custom_tool_call_input.done':
        return this.toolComplete(index, event.input, out);
      case 'response.output_text.annotation.added': {
        const message = this.items.get(index);
        const part = message?.kind === 'message' ? message.parts.get(event.content_index ?? 0) : undefined;
        if (part?.open && event.annotation)
          out.push({ type: 'text-annotation', id: part.id, annotation: event.annotation });
        return;
      }
      case 'response.completed':
      case 'response.incomplete':
        return this.finish({ ...event.response, status: event.type.slice('response.'.length) }, out);
      case 'response.failed':
        this.ended = true;
        out.push({ type: 'error', error: responsesError(event.response?.error, this.provider) });
        return;
      case 'error':
        this.ended = true;
        out.push({
          type: 'error',
          error: responsesError(
            event.error ?? { code: event.code ?? null, message: event.message ?? 'unknown error' },
            this.provider,
          ),
        });
        return;
      default:
        // response.created / in_progress / queued, *.done events of parts handled at item level,
        // the phases and partial results of built-in calls the upstream runs (their items come
        // whole at done): nothing to do.
        return;
    }
  }

  // ------------------------------------------------------------ items

  private itemAdded(index: number, item: ResponsesOutputItem, out: StreamPart[]): void {
    if (this.items.has(index)) return;
    switch (item.type) {
      case 'message':
        this.items.set(index, { kind: 'message', parts: new Map(), done: false, ...phaseOf(item) });
        return;
      case 'reasoning': {
        const state: ItemState = {
          kind: 'reasoning',
          blockId: null,
          blocks: 0,
          mode: null,
          summaryIndex: 0,
          streamedSummaries: new Set(),
          streamedText: false,
          done: false,
        };
        this.items.set(index, state);
        this.openReasoningBlock(index, state, out);
        return;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const toolKind: ToolKind = item.type === 'function_call' ? 'function' : 'custom';
        const state: ItemState = { kind: 'tool', id: `o${index}`, toolKind, sent: '', done: false };
        this.items.set(index, state);
        this.madeToolCalls = true;
        out.push({
          type: 'tool-input-start',
          id: state.id,
          callId: item.call_id ?? item.id ?? `call_${index}`,
          toolName: item.name ?? '',
          toolKind,
        });
        // Some compatible servers send the whole input with the item instead of deltas.
        this.toolDelta(index, (toolKind === 'function' ? item.arguments : item.input) ?? '', out);
        return;
      }
      case 'web_search_call':
      case 'file_search_call':
      case 'code_interpreter_call':
      case 'image_generation_call':
        // Run by the upstream (a passed-through built-in tool): reported whole when done.
        this.items.set(index, { kind: 'upstream-call', itemType: item.type, done: false });
        return;
      default: {
        const toolName = item.type !== undefined ? this.nativeCalls?.get(item.type) : undefined;
        if (toolName !== undefined) {
          const id = `o${index}`;
          this.items.set(index, { kind: 'native-call', id, done: false });
          this.madeToolCalls = true;
          out.push({
            type: 'tool-input-start',
            id,
            callId: item.call_id ?? item.id ?? `call_${index}`,
            toolName,
            toolKind: 'function',
          });
          return;
        }
        this.items.set(index, { kind: 'ignored', done: false });
        const type = item.type ?? 'unknown';
        if (!this.warned.has(type)) {
          this.warned.add(type);
          out.push({
            type: 'warning',
            message: `upstream output item of type '${type}' is not supported by this gateway and was dropped`,
          });
        }
      }
    }
  }

  private itemDone(index: number, item: ResponsesOutputItem, out: StreamPart[]): void {
    if (!this.items.has(index)) this.itemAdded(index, item, out);
    const state = this.items.get(index);
    if (!state || state.done) return;
    switch (state.kind) {
      case 'message':
        // Parts the upstream never streamed (a server that only sends whole items) come out whole.
        for (const [contentIndex, part] of (item.content ?? []).entries())
          this.wholeContent(index, contentIndex, part, out);
        for (const part of state.parts.values()) this.closeContent(part, out);
        break;
      case 'reasoning': {
        (item.summary ?? []).forEach((part, summaryIndex) => {
          if (!state.streamedSummaries.has(summaryIndex) && part.text)
            this.reasoningDelta(index, 'summary', summaryIndex, part.text, out);
        });
        const text = (item.content ?? []).map((part) => part.text ?? '').join('');
        if (!state.streamedText && text !== '') this.reasoningDelta(index, 'text', 0, text, out);
        if (state.blockId === null) this.openReasoningBlock(index, state, out);
        const id = state.blockId!;
        const encryptedContent = item.encrypted_content ?? undefined;
        out.push(
          encryptedContent !== undefined
            ? { type: 'reasoning-end', id, encryptedContent }
            : { type: 'reasoning-end', id },
        );
        state.blockId = null;
        break;
      }
      case 'tool':
        this.toolComplete(index, state.toolKind === 'function' ? item.arguments : item.input, out);
        out.push({ type: 'tool-input-end', id: state.id });
        break;
      case 'upstream-call': {
        const { id: _id, type: _type, ...fields } = item;
        out.push({ type: 'upstream-call', itemType: state.itemType, fields: { ...fields } });
        break;
      }
      case 'native-call':
        // The item is complete only here (apply_patch's diff streams in events of its own).
        out.push({ type: 'tool-input-delta', id: state.id, delta: nativeCallInput(item) });
        out.push({ type: 'tool-input-end', id: state.id });
        break;
      case 'ignored':
        break;
    }
    state.done = true;
  }

  // ------------------------------------------------------------ message content

  /** The content part's state, opening it on first sight; undefined when the item is no open message. */
  private content(
    index: number,
    contentIndex: number,
    kind: 'text' | 'refusal',
    out: StreamPart[],
  ): ContentState | undefined {
    let message = this.items.get(index);
    if (message === undefined) {
      message = { kind: 'message', parts: new Map(), done: false };
      this.items.set(index, message);
    }
    if (message.kind !== 'message' || message.done) return undefined;
    let part = message.parts.get(contentIndex);
    if (!part) {
      part = { id: `o${index}c${contentIndex}`, kind, sent: '', open: true };
      message.parts.set(contentIndex, part);
      const phase = message.phase === undefined ? {} : { phase: message.phase };
      out.push({ type: kind === 'text' ? 'text-start' : 'refusal-start', id: part.id, ...phase });
    }
    return part;
  }

  private contentDelta(
    index: number,
    contentIndex: number,
    kind: 'text' | 'refusal',
    delta: string,
    out: StreamPart[],
    event?: ResponsesStreamEvent,
  ): void {
    const part = this.content(index, contentIndex, kind, out);
    if (!part?.open || delta === '') return;
    part.sent += delta;
    if (part.kind === 'refusal') {
      out.push({ type: 'refusal-delta', id: part.id, delta });
      return;
    }
    const logprobs = mapResponsesLogprobs(event?.logprobs);
    out.push(
      logprobs
        ? { type: 'text-delta', id: part.id, delta, logprobs }
        : { type: 'text-delta', id: part.id, delta },
    );
  }

  private contentDone(
    index: number,
    contentIndex: number,
    full: string | undefined,
    out: StreamPart[],
  ): void {
    const message = this.items.get(index);
    const part = message?.kind === 'message' ? message.parts.get(contentIndex) : undefined;
    if (!part?.open) return;
    this.completeContent(part, full, out);
    this.closeContent(part, out);
  }

  private wholeContent(
    index: number,
    contentIndex: number,
    source: ResponsesContentPart,
    out: StreamPart[],
  ): void {
    const message = this.items.get(index);
    if (message?.kind !== 'message') return;
    const kind = source.type === 'refusal' ? 'refusal' : source.type === 'output_text' ? 'text' : null;
    if (kind === null) return;
    const full = kind === 'text' ? (source.text ?? '') : (source.refusal ?? '');
    const existing = message.parts.get(contentIndex);
    if (existing) {
      this.completeContent(existing, full, out);
      return;
    }
    const part = this.content(index, contentIndex, kind, out);
    if (!part || full === '') return;
    part.sent = full;
    if (kind === 'refusal') {
      out.push({ type: 'refusal-delta', id: part.id, delta: full });
      return;
    }
    const logprobs = mapResponsesLogprobs(source.logprobs);
    out.push(
      logprobs
        ? { type: 'text-delta', id: part.id, delta: full, logprobs }
        : { type: 'text-delta', id: part.id, delta: full },
    );
    for (const annotation of source.annotations ?? [])
      out.push({ type: 'text-annotation', id: part.id, annotation });
  }

  /** Sends what the `done` text has beyond the deltas seen, when they were its prefix. */
  private completeContent(part: ContentState, full: string | undefined, out: StreamPart[]): void {
    if (!part.open || full === undefined || full.length <= part.sent.length || !full.startsWith(part.sent))
      return;
    const delta = full.slice(part.sent.length);
    part.sent = full;
    out.push({ type: part.kind === 'text' ? 'text-delta' : 'refusal-delta', id: part.id, delta });
  }

  private closeContent(part: ContentState, out: StreamPart[]): void {
    if (!part.open) return;
    part.open = false;
    out.push({ type: part.kind === 'text' ? 'text-end' : 'refusal-end', id: part.id });
  }

  // ------------------------------------------------------------ reasoning

  private reasoningState(
    index: number,
    out: StreamPart[],
  ): Extract<ItemState, { kind: 'reasoning' }> | undefined {
    if (!this.items.has(index)) this.itemAdded(index, { type: 'reasoning' }, out);
    const state = this.items.get(index);
    return state?.kind === 'reasoning' && !state.done ? state : undefined;
  }

  private openReasoningBlock(
    index: number,
    state: Extract<ItemState, { kind: 'reasoning' }>,
    out: StreamPart[],
  ): void {
    state.blockId = `o${index}r${state.blocks++}`;
    state.mode = null;
    out.push({ type: 'reasoning-start', id: state.blockId });
  }

  /**
   * Each summary part and the reasoning text are blocks of their own within the one reasoning
   * item: the first delta claims the open block, a different part ends it and opens the next.
   */
  private reasoningBlock(
    index: number,
    mode: 'summary' | 'text',
    summaryIndex: number,
    out: StreamPart[],
  ): string | undefined {
    const state = this.reasoningState(index, out);
    if (!state) return undefined;
    const same = state.mode === mode && (mode === 'text' || state.summaryIndex === summaryIndex);
    if (state.blockId === null || (state.mode !== null && !same)) {
      if (state.blockId !== null) out.push({ type: 'reasoning-end', id: state.blockId });
      this.openReasoningBlock(index, state, out);
    }
    state.mode = mode;
    state.summaryIndex = summaryIndex;
    if (mode === 'summary') state.streamedSummaries.add(summaryIndex);
    else state.streamedText = true;
    return state.blockId!;
  }

  private reasoningDelta(
    index: number,
    mode: 'summary' | 'text',
    summaryIndex: number,
    delta: string,
    out: StreamPart[],
  ): void {
    const id = this.reasoningBlock(index, mode, summaryIndex, out);
    if (id === undefined || delta === '') return;
    out.push({ type: 'reasoning-delta', id, delta, kind: mode });
  }

  // ------------------------------------------------------------ tool calls

  private toolDelta(index: number, delta: string, out: StreamPart[]): void {
    const state = this.items.get(index);
    if (state?.kind !== 'tool' || state.done || delta === '') return;
    state.sent += delta;
    out.push({ type: 'tool-input-delta', id: state.id, delta });
  }

  private toolComplete(index: number, full: string | undefined, out: StreamPart[]): void {
    const state = this.items.get(index);
    if (state?.kind !== 'tool' || full === undefined) return;
    if (full.length <= state.sent.length || !full.startsWith(state.sent)) return;
    const delta = full.slice(state.sent.length);
    state.sent = full;
    out.push({ type: 'tool-input-delta', id: state.id, delta });
  }

  // ------------------------------------------------------------ end

  private finish(response: ResponsesResponse, out: StreamPart[]): void {
    // Items the upstream left open are closed in order before the response ends.
    for (const [index, state] of [...this.items].sort(([a], [b]) => a - b)) {
      if (!state.done) this.itemDone(index, { type: state.kind === 'tool' ? undefined : state.kind }, out);
    }
    this.ended = true;
    out.push({
      type: 'finish',
      finishReason: mapResponsesFinishReason(response, this.madeToolCalls),
      usage: mapResponsesUsage(response.usage),
    });
  }
}

/** The message's `phase` (gpt-5.3-codex and later label their messages), kept for the next turn. */
function phaseOf(item: ResponsesOutputItem): { phase?: MessagePhase } {
  const phase = messagePhaseOf(item.phase);
  return phase === undefined ? {} : { phase };
}

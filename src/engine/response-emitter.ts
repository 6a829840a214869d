/**
 * Turns normalized stream parts into Responses API events. The single builder of events: it owns
 * sequence_number, output_index, content_index and item ids, and folds every event into the
 * Response through the reducer before handing it to the sink.
 */
import { newId } from '../ids.js';
import type { ResponseEvent } from '../protocol/events.js';
import type {
  Annotation,
  CompactionItem,
  ContentPart,
  ItemStatus,
  Logprob,
  OutputItem,
  ReasoningItem,
  ResponseErrorInfo,
  ResponseObject,
  Usage,
} from '../protocol/response.js';
import { collectOutputText } from '../protocol/response.js';
import type { FinishReason, StreamPart, TokenLogprob, TokenUsage, ToolKind } from '../providers/types.js';
import type { CitableSource } from '../tools/types.js';
import { CitationStream } from './citations/citation-stream.js';
import { type EmitterCore, HostedItemEvents } from './hosted-item-events.js';
import { obfuscationFor } from './obfuscation.js';
import type { ReasoningPayload } from './reasoning-seal.js';
import { copyItem, ResponseReducer } from './response-reducer.js';

export type EventSink = (event: ResponseEvent) => void;

export interface EmitterOptions {
  /** `message.output_text.logprobs` was included: keep logprobs on output_text parts. */
  includeLogprobs: boolean;
  /** `stream_options.include_obfuscation` (OpenAI's default is on for streams). */
  obfuscate: boolean;
  /**
   * Seals a finished reasoning item: shown as `encrypted_content` when the client included
   * `reasoning.encrypted_content`, otherwise kept aside (`hiddenSeals`) for storage when the
   * upstream gave a token of its own that later turns must send back.
   */
  sealReasoning?: ((reasoning: ReasoningPayload) => string) | undefined;
  exposeReasoningSeal?: boolean;
  /** Where sequence numbers continue from (a background response resumed by a worker). */
  firstSequence?: number;
  /** Upstream names of tools inside `namespace` tools → how their calls are reported. */
  namespacedTools?: ReadonlyMap<string, { namespace: string; name: string }>;
  /**
   * No sink looks at the events (a non-streaming request only wants the final Response): they are
   * built and folded all the same, but share their items with the Response instead of each event
   * carrying its own copies.
   */
  unobserved?: boolean;
}

/** An output_text part whose markers become annotations (once some tool has cited a source). */
interface Citing {
  stream: CitationStream;
  /** Annotations already announced. */
  announced: number;
  /** Logprobs of text held back (a possible marker), sent with the next delta. */
  logprobs: TokenLogprob[];
}

type OpenBlock =
  | { kind: 'text' | 'refusal'; outputIndex: number; contentIndex: number; itemId: string; citing?: Citing }
  | { kind: 'reasoning-text'; outputIndex: number; contentIndex: number; itemId: string }
  | { kind: 'reasoning-summary'; outputIndex: number; summaryIndex: number; itemId: string }
  | { kind: 'tool'; outputIndex: number; itemId: string; toolKind: ToolKind };

export class ResponseEmitter {
  private readonly reducer: ResponseReducer;
  private sequence = 0;
  /** The message or reasoning item that text/refusal/reasoning blocks currently append to. */
  private currentItem: { type: 'message' | 'reasoning'; outputIndex: number; itemId: string } | null = null;
  private readonly blocks = new Map<string, OpenBlock>();
  private readonly openTools = new Set<number>();
  /** A reasoning item whose block ended with the upstream's token: the next block is a new item. */
  private sealedReasoning = -1;
  private ended = false;
  /** Sealed reasoning the client did not ask to see, by item id: stored, never sent. */
  readonly hiddenSeals = new Map<string, string>();
  /** The snapshot `created` emitted, and the sequence number that followed it. */
  private opening: { response: ResponseObject; next: number } | undefined;
  private hostedEvents: HostedItemEvents | undefined;
  /** Sources built-in tools showed the model, by citation number − 1. */
  private cited: CitableSource[] | undefined;

  constructor(
    initial: ResponseObject,
    private readonly sink: EventSink,
    private readonly options: EmitterOptions,
  ) {
    this.reducer = new ResponseReducer(initial, options.unobserved === true);
    this.sequence = options.firstSequence ?? 0;
  }

  /** Events of built-in tools' items; made on first use (most responses call no built-in tool). */
  get hosted(): HostedItemEvents {
    if (this.hostedEvents) return this.hostedEvents;
    const emitter = this;
    const core: EmitterCore = {
      get response() {
        return emitter.response;
      },
      get sequence() {
        return emitter.sequence;
      },
      obfuscate: this.options.obfuscate,
      emit: (event) => this.emit(event),
    };
    this.hostedEvents = new HostedItemEvents(core);
    return this.hostedEvents;
  }

  get response(): ResponseObject {
    return this.reducer.response;
  }

  /** A source the answer may cite from now on; returns its number (`【n】`). */
  cite(source: CitableSource): number {
    this.cited ??= [];
    return this.cited.push(source);
  }

  get nextSequenceNumber(): number {
    return this.sequence;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  // ------------------------------------------------------------ lifecycle

  queued(): void {
    this.emit({ type: 'response.queued', sequence_number: this.sequence, response: this.snapshot('queued') });
  }

  created(): void {
    const status = this.response.status === 'queued' ? 'queued' : 'in_progress';
    const response = this.snapshot(status);
    this.emit({ type: 'response.created', sequence_number: this.sequence, response });
    this.opening = { response, next: this.sequence };
  }

  inProgress(): void {
    // Right after `created` nothing has changed: both events carry the one snapshot (so that it is
    // also serialised once, see logged-events.ts).
    const opening = this.opening;
    this.opening = undefined;
    const response =
      opening !== undefined && opening.next === this.sequence && opening.response.status === 'in_progress'
        ? opening.response
        : this.snapshot('in_progress');
    this.emit({ type: 'response.in_progress', sequence_number: this.sequence, response });
  }

  /** Ends the response from the provider's finish part: completed, or incomplete with a reason. */
  finish(finishReason: FinishReason, usage: TokenUsage | undefined, completedAt: number): void {
    const incompleteReason =
      finishReason === 'length'
        ? 'max_output_tokens'
        : finishReason === 'content-filter'
          ? 'content_filter'
          : null;
    this.closeAll(incompleteReason ? 'incomplete' : 'completed');
    const response = this.snapshot(incompleteReason ? 'incomplete' : 'completed');
    response.completed_at = incompleteReason ? null : completedAt;
    response.incomplete_details = incompleteReason ? { reason: incompleteReason } : null;
    response.usage = toUsage(usage);
    response.output_text = collectOutputText(response.output);
    this.end(incompleteReason ? 'response.incomplete' : 'response.completed', response);
  }

  /** Ends the response as failed; open items are left as they are, marked incomplete. */
  fail(error: ResponseErrorInfo, usage?: TokenUsage): void {
    const response = this.snapshot('failed');
    response.output = response.output.map((item) => markUnfinished(item, 'incomplete'));
    response.error = error;
    response.usage = usage ? toUsage(usage) : null;
    response.output_text = collectOutputText(response.output);
    this.end('response.failed', response);
  }

  /** Ends the response as cancelled (client gone or cancel requested), keeping what was produced. */
  cancel(usage?: TokenUsage): void {
    const response = this.snapshot('cancelled');
    response.output = response.output.map((item) => markUnfinished(item, 'incomplete'));
    response.usage = usage ? toUsage(usage) : null;
    response.output_text = collectOutputText(response.output);
    this.ended = true;
    this.reducer.response = response;
  }

  /**
   * Ends the open message or reasoning item, so a built-in tool's item comes after it; tool-call
   * items still streaming stay open (a model may stream several calls interleaved).
   */
  endCurrentItem(): void {
    this.closeCurrentItem('completed');
  }

  /** An item complete before the model's output starts (a compaction): added, then done. */
  completeItem(item: CompactionItem): void {
    this.closeAll('completed');
    const outputIndex = this.response.output.length;
    this.emit({
      type: 'response.output_item.added',
      sequence_number: this.sequence,
      output_index: outputIndex,
      item,
    });
    this.emit({
      type: 'response.output_item.done',
      sequence_number: this.sequence,
      output_index: outputIndex,
      item: copyItem(item),
    });
  }

  // ------------------------------------------------------------ parts

  part(part: StreamPart): void {
    switch (part.type) {
      case 'text-start':
      case 'refusal-start':
        return this.startContent(part.id, part.type === 'text-start' ? 'text' : 'refusal');
      case 'text-delta':
        return this.textDelta(part.id, part.delta, part.logprobs);
      case 'refusal-delta':
        return this.refusalDelta(part.id, part.delta);
      case 'text-end':
      case 'refusal-end':
        return this.endContent(part.id);
      case 'reasoning-start':
        return this.startReasoning(part.id);
      case 'reasoning-delta':
        return this.reasoningDelta(part.id, part.delta, part.kind);
      case 'reasoning-end':
        return this.endReasoning(part.id, part.encryptedContent);
      case 'tool-input-start':
        return this.startTool(part.id, part.callId, part.toolName, part.toolKind);
      case 'tool-input-delta':
        return this.toolDelta(part.id, part.delta);
      case 'tool-input-end':
        return this.endTool(part.id);
      case 'text-annotation':
        return this.upstreamAnnotation(part.id, part.annotation);
      case 'upstream-call':
        return this.upstreamCall(part.itemType, part.fields);
      case 'finish':
      case 'warning':
      case 'error':
        // Lifecycle parts are the engine's to act on: it decides between finish, fail and retry.
        return;
    }
  }

  // ------------------------------------------------------------ message content

  private startContent(blockId: string, kind: 'text' | 'refusal'): void {
    const item = this.ensureItem('message');
    const message = this.response.output[item.outputIndex];
    const contentIndex = message?.type === 'message' ? message.content.length : 0;
    const cited = this.cited;
    const citing: Citing | undefined =
      kind === 'text' && cited
        ? { stream: new CitationStream((n) => cited[n - 1]), announced: 0, logprobs: [] }
        : undefined;
    this.blocks.set(blockId, {
      kind,
      outputIndex: item.outputIndex,
      contentIndex,
      itemId: item.itemId,
      citing,
    });
    // OpenAI's output_text parts always carry `logprobs`, empty unless they were included.
    const part: ContentPart =
      kind === 'text'
        ? { type: 'output_text', annotations: [], logprobs: [], text: '' }
        : { type: 'refusal', refusal: '' };
    this.emit({
      type: 'response.content_part.added',
      sequence_number: this.sequence,
      item_id: item.itemId,
      output_index: item.outputIndex,
      content_index: contentIndex,
      part,
    });
  }

  private textDelta(blockId: string, delta: string, logprobs: TokenLogprob[] | undefined): void {
    let block = this.blocks.get(blockId);
    if (!block) {
      this.startContent(blockId, 'text');
      block = this.blocks.get(blockId)!;
    }
    if (block.kind !== 'text') return;
    const citing = block.citing;
    if (!citing) return this.emitTextDelta(block, delta, logprobs);
    if (logprobs) citing.logprobs.push(...logprobs);
    const shown = citing.stream.push(delta);
    if (shown !== '') {
      this.emitTextDelta(block, shown, citing.logprobs);
      citing.logprobs = [];
    }
    this.announceCitations(block, citing);
  }

  private emitTextDelta(
    block: Extract<OpenBlock, { kind: 'text' | 'refusal' }>,
    delta: string,
    logprobs: TokenLogprob[] | undefined,
  ): void {
    const event: ResponseEvent = {
      type: 'response.output_text.delta',
      sequence_number: this.sequence,
      item_id: block.itemId,
      output_index: block.outputIndex,
      content_index: block.contentIndex,
      delta,
      logprobs: this.options.includeLogprobs && logprobs ? toPublicLogprobs(logprobs) : [],
    };
    if (this.options.obfuscate) event.obfuscation = obfuscationFor(delta);
    this.emit(event);
  }

  /** `response.output_text.annotation.added` for citations found since the last delta. */
  private announceCitations(block: Extract<OpenBlock, { kind: 'text' | 'refusal' }>, citing: Citing): void {
    const { annotations } = citing.stream;
    for (; citing.announced < annotations.length; citing.announced++) {
      this.announce(block, citing.announced, { ...annotations[citing.announced]! });
    }
  }

  /** An annotation the upstream made (its own web_search's url_citation), announced as it came. */
  private upstreamAnnotation(blockId: string, annotation: Record<string, unknown>): void {
    const block = this.blocks.get(blockId);
    if (block?.kind !== 'text') return;
    const item = this.response.output[block.outputIndex];
    const part = item?.type === 'message' ? item.content[block.contentIndex] : undefined;
    if (part?.type !== 'output_text') return;
    this.announce(block, part.annotations.length, { ...annotation } as Annotation);
  }

  private announce(
    block: Extract<OpenBlock, { kind: 'text' | 'refusal' }>,
    index: number,
    annotation: Annotation,
  ): void {
    this.emit({
      type: 'response.output_text.annotation.added',
      sequence_number: this.sequence,
      item_id: block.itemId,
      output_index: block.outputIndex,
      content_index: block.contentIndex,
      annotation_index: index,
      annotation,
    });
  }

  /** A built-in call the upstream ran itself: its item, with the phases OpenAI streams for it. */
  private upstreamCall(itemType: 'web_search_call', fields: Record<string, unknown>): void {
    this.endCurrentItem();
    const outputIndex = this.hosted.open(itemType, newId('ws'), fields);
    this.hosted.progress(outputIndex, { type: 'phase', phase: 'searching' });
    this.hosted.done(outputIndex, { ...fields, status: fields.status ?? 'completed' });
  }

  private refusalDelta(blockId: string, delta: string): void {
    let block = this.blocks.get(blockId);
    if (!block) {
      this.startContent(blockId, 'refusal');
      block = this.blocks.get(blockId)!;
    }
    if (block.kind !== 'refusal') return;
    this.emit({
      type: 'response.refusal.delta',
      sequence_number: this.sequence,
      item_id: block.itemId,
      output_index: block.outputIndex,
      content_index: block.contentIndex,
      delta,
    });
  }

  private endContent(blockId: string): void {
    const block = this.blocks.get(blockId);
    if (!block || (block.kind !== 'text' && block.kind !== 'refusal')) return;
    if (block.citing) {
      // What was held back as a possible marker is text after all.
      const rest = block.citing.stream.end();
      if (rest !== '') this.emitTextDelta(block, rest, block.citing.logprobs);
      this.announceCitations(block, block.citing);
    }
    this.blocks.delete(blockId);
    const item = this.response.output[block.outputIndex];
    const part = item?.type === 'message' ? item.content[block.contentIndex] : undefined;
    if (!part) return;
    const ref = { item_id: block.itemId, output_index: block.outputIndex, content_index: block.contentIndex };
    if (part.type === 'output_text') {
      this.emit({
        type: 'response.output_text.done',
        sequence_number: this.sequence,
        ...ref,
        text: part.text,
        logprobs: part.logprobs ?? [],
      });
    } else {
      this.emit({
        type: 'response.refusal.done',
        sequence_number: this.sequence,
        ...ref,
        refusal: part.refusal,
      });
    }
    this.emit({
      type: 'response.content_part.done',
      sequence_number: this.sequence,
      ...ref,
      part: this.options.unobserved ? part : { ...part },
    });
  }

  // ------------------------------------------------------------ reasoning

  private startReasoning(blockId: string): void {
    const item = this.ensureItem('reasoning');
    // Which kind of reasoning block this is becomes known with its first delta.
    this.blocks.set(blockId, {
      kind: 'reasoning-text',
      outputIndex: item.outputIndex,
      contentIndex: -1,
      itemId: item.itemId,
    });
  }

  private reasoningDelta(blockId: string, delta: string, kind: 'text' | 'summary'): void {
    let block = this.blocks.get(blockId);
    if (!block) {
      this.startReasoning(blockId);
      block = this.blocks.get(blockId)!;
    }
    const reasoning = this.response.output[block.outputIndex];
    if (reasoning?.type !== 'reasoning') return;
    const ref = { item_id: block.itemId, output_index: block.outputIndex };
    if (kind === 'summary') {
      if (block.kind !== 'reasoning-summary') {
        block = { kind: 'reasoning-summary', ...reasoningRef(block), summaryIndex: reasoning.summary.length };
        this.blocks.set(blockId, block);
        this.emit({
          type: 'response.reasoning_summary_part.added',
          sequence_number: this.sequence,
          ...ref,
          summary_index: block.summaryIndex,
          part: { type: 'summary_text', text: '' },
        });
      }
      const event: ResponseEvent = {
        type: 'response.reasoning_summary_text.delta',
        sequence_number: this.sequence,
        ...ref,
        summary_index: block.summaryIndex,
        delta,
      };
      if (this.options.obfuscate) event.obfuscation = obfuscationFor(delta);
      this.emit(event);
      return;
    }
    if (block.kind !== 'reasoning-text' || block.contentIndex < 0) {
      // Raw reasoning after a summary: the summary part is finished first.
      if (block.kind === 'reasoning-summary') this.summaryDone(block, reasoning);
      block = {
        kind: 'reasoning-text',
        ...reasoningRef(block),
        contentIndex: reasoning.content?.length ?? 0,
      };
      this.blocks.set(blockId, block);
      this.emit({
        type: 'response.content_part.added',
        sequence_number: this.sequence,
        ...ref,
        content_index: block.contentIndex,
        part: { type: 'reasoning_text', text: '' },
      });
    }
    const event: ResponseEvent = {
      type: 'response.reasoning_text.delta',
      sequence_number: this.sequence,
      ...ref,
      content_index: block.contentIndex,
      delta,
    };
    if (this.options.obfuscate) event.obfuscation = obfuscationFor(delta);
    this.emit(event);
  }

  private summaryDone(block: Extract<OpenBlock, { kind: 'reasoning-summary' }>, item: ReasoningItem): void {
    const text = item.summary[block.summaryIndex]?.text ?? '';
    const ref = { item_id: block.itemId, output_index: block.outputIndex, summary_index: block.summaryIndex };
    this.emit({ type: 'response.reasoning_summary_text.done', sequence_number: this.sequence, ...ref, text });
    this.emit({
      type: 'response.reasoning_summary_part.done',
      sequence_number: this.sequence,
      ...ref,
      part: { type: 'summary_text', text },
    });
  }

  private endReasoning(blockId: string, encryptedContent: string | undefined): void {
    const block = this.blocks.get(blockId);
    if (!block) return;
    this.blocks.delete(blockId);
    const item = this.response.output[block.outputIndex];
    if (item?.type !== 'reasoning') return;
    const ref = { item_id: block.itemId, output_index: block.outputIndex };
    if (block.kind === 'reasoning-summary') {
      this.summaryDone(block, item);
    } else if (block.kind === 'reasoning-text' && block.contentIndex >= 0) {
      const text = item.content?.[block.contentIndex]?.text ?? '';
      const partRef = { ...ref, content_index: block.contentIndex };
      this.emit({ type: 'response.reasoning_text.done', sequence_number: this.sequence, ...partRef, text });
      this.emit({
        type: 'response.content_part.done',
        sequence_number: this.sequence,
        ...partRef,
        part: { type: 'reasoning_text', text },
      });
    }
    if (encryptedContent !== undefined) this.sealedReasoning = block.outputIndex;
    const seal = this.options.sealReasoning;
    if (!seal || (!this.options.exposeReasoningSeal && encryptedContent === undefined)) return;
    const sealed = seal({
      text: (item.content ?? []).map((part) => part.text).join(''),
      summary: item.summary.map((part) => part.text),
      ...(encryptedContent !== undefined ? { upstream: encryptedContent } : {}),
    });
    if (this.options.exposeReasoningSeal) item.encrypted_content = sealed;
    else this.hiddenSeals.set(item.id, sealed);
  }

  // ------------------------------------------------------------ tool calls

  private startTool(blockId: string, callId: string, name: string, toolKind: ToolKind): void {
    this.closeCurrentItem('completed');
    const outputIndex = this.response.output.length;
    const itemId = newId(toolKind === 'function' ? 'fc' : 'ctc');
    this.blocks.set(blockId, { kind: 'tool', outputIndex, itemId, toolKind });
    this.openTools.add(outputIndex);
    const namespaced = this.options.namespacedTools?.get(name);
    const called = namespaced ? { name: namespaced.name, namespace: namespaced.namespace } : { name };
    const item: OutputItem =
      toolKind === 'function'
        ? {
            id: itemId,
            type: 'function_call',
            status: 'in_progress',
            arguments: '',
            call_id: callId,
            ...called,
          }
        : {
            id: itemId,
            type: 'custom_tool_call',
            status: 'in_progress',
            call_id: callId,
            input: '',
            ...called,
          };
    this.emit({
      type: 'response.output_item.added',
      sequence_number: this.sequence,
      output_index: outputIndex,
      item,
    });
  }

  private toolDelta(blockId: string, delta: string): void {
    const block = this.blocks.get(blockId);
    if (block?.kind !== 'tool' || delta === '') return;
    const event: ResponseEvent =
      block.toolKind === 'function'
        ? {
            type: 'response.function_call_arguments.delta',
            sequence_number: this.sequence,
            item_id: block.itemId,
            output_index: block.outputIndex,
            delta,
          }
        : {
            type: 'response.custom_tool_call_input.delta',
            sequence_number: this.sequence,
            item_id: block.itemId,
            output_index: block.outputIndex,
            delta,
          };
    if (this.options.obfuscate) event.obfuscation = obfuscationFor(delta);
    this.emit(event);
  }

  private endTool(blockId: string): void {
    const block = this.blocks.get(blockId);
    if (block?.kind !== 'tool') return;
    this.blocks.delete(blockId);
    this.finishTool(block.outputIndex, 'completed');
  }

  private finishTool(outputIndex: number, status: ItemStatus): void {
    if (!this.openTools.delete(outputIndex)) return;
    const item = this.response.output[outputIndex];
    const ref = { sequence_number: this.sequence, item_id: item?.id ?? '', output_index: outputIndex };
    if (item?.type === 'function_call') {
      this.emit({
        type: 'response.function_call_arguments.done',
        ...ref,
        arguments: item.arguments,
        name: item.name,
      });
    } else if (item?.type === 'custom_tool_call') {
      this.emit({ type: 'response.custom_tool_call_input.done', ...ref, input: item.input });
    } else {
      return;
    }
    this.itemDone(outputIndex, status);
  }

  // ------------------------------------------------------------ items

  private ensureItem(type: 'message' | 'reasoning'): { outputIndex: number; itemId: string } {
    const current = this.currentItem;
    // Back-to-back reasoning blocks each carrying a signature stay separate items (each goes back
    // to the upstream with its own signature).
    if (current?.type === type && !(type === 'reasoning' && this.sealedReasoning === current.outputIndex))
      return current;
    this.closeCurrentItem('completed');
    this.closeOpenTools('completed');
    const outputIndex = this.response.output.length;
    const itemId = newId(type === 'message' ? 'msg' : 'rs');
    const item: OutputItem =
      type === 'message'
        ? { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' }
        : { id: itemId, type: 'reasoning', summary: [] };
    this.currentItem = { type, outputIndex, itemId };
    this.emit({
      type: 'response.output_item.added',
      sequence_number: this.sequence,
      output_index: outputIndex,
      item,
    });
    return this.currentItem;
  }

  private closeCurrentItem(status: ItemStatus): void {
    const current = this.currentItem;
    if (!current) return;
    for (const [blockId, block] of this.blocks) {
      if (block.outputIndex !== current.outputIndex) continue;
      if (block.kind === 'text' || block.kind === 'refusal') this.endContent(blockId);
      else if (block.kind !== 'tool') this.endReasoning(blockId, undefined);
    }
    this.currentItem = null;
    this.itemDone(current.outputIndex, status);
  }

  private closeOpenTools(status: ItemStatus): void {
    for (const [blockId, block] of this.blocks) if (block.kind === 'tool') this.blocks.delete(blockId);
    for (const outputIndex of [...this.openTools]) this.finishTool(outputIndex, status);
  }

  private closeAll(status: ItemStatus): void {
    this.closeCurrentItem(status);
    this.closeOpenTools(status);
  }

  private itemDone(outputIndex: number, status: ItemStatus): void {
    const item = this.response.output[outputIndex];
    if (!item || this.ended) return;
    const done = this.options.unobserved ? item : copyItem(item);
    if (done.type !== 'reasoning' && done.type !== 'compaction') done.status = status;
    this.emit({
      type: 'response.output_item.done',
      sequence_number: this.sequence,
      output_index: outputIndex,
      item: done,
    });
  }

  // ------------------------------------------------------------ plumbing

  private snapshot(status: ResponseObject['status']): ResponseObject {
    const current = this.response;
    // Unobserved, the items stay shared; only the array is the snapshot's own (not the initial's).
    if (this.options.unobserved) return { ...current, status, output: current.output.slice() };
    return { ...current, status, output: current.output.map((item) => copyItem(item)) };
  }

  private end(
    type: 'response.completed' | 'response.incomplete' | 'response.failed',
    response: ResponseObject,
  ): void {
    this.emit({ type, sequence_number: this.sequence, response });
    this.ended = true;
  }

  private emit(event: ResponseEvent): void {
    if (this.ended) return;
    this.sequence++;
    this.reducer.apply(event);
    this.sink(event);
  }
}

function reasoningRef(block: OpenBlock): { outputIndex: number; itemId: string } {
  return { outputIndex: block.outputIndex, itemId: block.itemId };
}

const FINISHED = new Set(['completed', 'incomplete', 'failed']);

function markUnfinished(item: OutputItem, status: ItemStatus): OutputItem {
  if (item.type === 'reasoning' || item.type === 'compaction') return item;
  if (item.status === undefined || FINISHED.has(item.status)) return item;
  return { ...item, status };
}

function toPublicLogprobs(logprobs: readonly TokenLogprob[]): Logprob[] {
  return logprobs.map((entry) => ({
    token: entry.token,
    bytes: entry.bytes,
    logprob: entry.logprob,
    top_logprobs: entry.topLogprobs,
  }));
}

export function toUsage(usage: TokenUsage | undefined): Usage | null {
  if (!usage) return null;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

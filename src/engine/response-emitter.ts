/**
 * Turns normalized stream parts into Responses API events. The single builder of events: it owns
 * sequence_number, output_index, content_index and item ids, and folds every event into the
 * Response through the reducer before handing it to the sink.
 */
import { newId } from '../ids.js';
import type { ResponseEvent } from '../protocol/events.js';
import type {
  CompactionItem,
  ItemStatus,
  OutputItem,
  ResponseErrorInfo,
  ResponseObject,
  Usage,
} from '../protocol/response.js';
import { collectOutputText } from '../protocol/response.js';
import type { FinishReason, MessagePhase, StreamPart, TokenUsage } from '../providers/types.js';
import type { CitableSource } from '../tools/types.js';
import type { ClientToolBinding } from './client-tools/client-tool-set.js';
import { ClientCallBuilder } from './emitter/client-call-builder.js';
import type { ItemHost, ItemRef } from './emitter/item-host.js';
import { MessageBuilder } from './emitter/message-builder.js';
import { ReasoningBuilder } from './emitter/reasoning-builder.js';
import { ToolCallBuilder } from './emitter/tool-call-builder.js';
import { type EmitterCore, HostedItemEvents } from './hosted-item-events.js';
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
  /** Client tools with items of their own (apply_patch, shell, …), by the name the upstream calls them. */
  clientTools?: { named(name: string): ClientToolBinding | undefined } | undefined;
  /**
   * No sink looks at the events (a non-streaming request only wants the final Response): they are
   * built and folded all the same, but share their items with the Response instead of each event
   * carrying its own copies.
   */
  unobserved?: boolean;
}

export class ResponseEmitter {
  private readonly reducer: ResponseReducer;
  private sequence = 0;
  /** The message or reasoning item that text/refusal/reasoning blocks currently append to. */
  private currentItem: ({ type: 'message' | 'reasoning' } & ItemRef) | null = null;
  private ended = false;
  /** The snapshot `created` emitted, and the sequence number that followed it. */
  private opening: { response: ResponseObject; next: number } | undefined;
  private hostedEvents: HostedItemEvents | undefined;
  /** Sources built-in tools showed the model, by citation number − 1. */
  private cited: CitableSource[] | undefined;
  private readonly messages: MessageBuilder;
  private readonly reasoning: ReasoningBuilder;
  private readonly toolCalls: ToolCallBuilder;
  private readonly clientCalls: ClientCallBuilder;

  constructor(
    initial: ResponseObject,
    private readonly sink: EventSink,
    private readonly options: EmitterOptions,
  ) {
    this.reducer = new ResponseReducer(initial, options.unobserved === true);
    this.sequence = options.firstSequence ?? 0;
    const host = this.itemHost();
    this.messages = new MessageBuilder(host, options.includeLogprobs, () => this.cited);
    this.reasoning = new ReasoningBuilder(host, options);
    this.toolCalls = new ToolCallBuilder(host, options.namespacedTools);
    const clientTools = options.clientTools;
    this.clientCalls = new ClientCallBuilder(host, (name) => clientTools?.named(name));
  }

  /** Sealed reasoning the client did not ask to see, by item id: stored, never sent. */
  get hiddenSeals(): ReadonlyMap<string, string> {
    return this.reasoning.hiddenSeals;
  }

  /** What the item builders may do: read the Response, emit, open and close items. */
  private itemHost(): ItemHost {
    const emitter = this;
    return {
      get response() {
        return emitter.response;
      },
      get sequence() {
        return emitter.sequence;
      },
      obfuscate: this.options.obfuscate,
      unobserved: this.options.unobserved === true,
      emit: (event) => this.emit(event),
      ensureItem: (type, phase) => this.ensureItem(type, phase),
      closeCurrentItem: (status) => this.closeCurrentItem(status),
      itemDone: (outputIndex, status) => this.itemDone(outputIndex, status),
    };
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
        return this.messages.start(part.id, part.type === 'text-start' ? 'text' : 'refusal', part.phase);
      case 'text-delta':
        return this.messages.textDelta(part.id, part.delta, part.logprobs);
      case 'refusal-delta':
        return this.messages.refusalDelta(part.id, part.delta);
      case 'text-end':
      case 'refusal-end':
        return this.messages.end(part.id);
      case 'reasoning-start':
        return this.reasoning.start(part.id);
      case 'reasoning-delta':
        return this.reasoning.delta(part.id, part.delta, part.kind);
      case 'reasoning-end':
        return this.reasoning.end(part.id, part.encryptedContent);
      case 'tool-input-start':
        if (part.toolKind === 'function' && this.clientCalls.start(part.id, part.callId, part.toolName))
          return;
        return this.toolCalls.start(part.id, part.callId, part.toolName, part.toolKind);
      case 'tool-input-delta':
        if (this.clientCalls.delta(part.id, part.delta)) return;
        return this.toolCalls.delta(part.id, part.delta);
      case 'tool-input-end':
        if (this.clientCalls.end(part.id)) return;
        return this.toolCalls.end(part.id);
      case 'text-annotation':
        return this.messages.upstreamAnnotation(part.id, part.annotation);
      case 'upstream-call':
        this.endCurrentItem();
        return this.hosted.ranUpstream(part.itemType, part.fields);
      case 'finish':
      case 'warning':
      case 'error':
        // Lifecycle parts are the engine's to act on: it decides between finish, fail and retry.
        return;
    }
  }

  // ------------------------------------------------------------ items

  private phaseAt(outputIndex: number): MessagePhase | undefined {
    const item = this.response.output[outputIndex];
    return item?.type === 'message' ? (item.phase ?? undefined) : undefined;
  }

  private ensureItem(type: 'message' | 'reasoning', phase?: MessagePhase): ItemRef {
    const current = this.currentItem;
    // Back-to-back reasoning blocks each carrying a signature stay separate items (each goes back
    // to the upstream with its own signature); a message labelled otherwise is a message of its own.
    if (
      current?.type === type &&
      !(type === 'reasoning' && this.reasoning.sealedAt === current.outputIndex) &&
      (phase === undefined || this.phaseAt(current.outputIndex) === phase)
    )
      return current;
    this.closeCurrentItem('completed');
    this.toolCalls.closeAll('completed');
    const outputIndex = this.response.output.length;
    const itemId = newId(type === 'message' ? 'msg' : 'rs');
    const item: OutputItem =
      type === 'message'
        ? {
            id: itemId,
            type: 'message',
            status: 'in_progress',
            content: [],
            role: 'assistant',
            ...(phase === undefined ? {} : { phase }),
          }
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
    if (current.type === 'message') this.messages.endAllIn(current.outputIndex);
    else this.reasoning.endAllIn(current.outputIndex);
    this.currentItem = null;
    this.itemDone(current.outputIndex, status);
  }

  private closeAll(status: ItemStatus): void {
    this.closeCurrentItem(status);
    this.toolCalls.closeAll(status);
    this.clientCalls.closeAll();
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

const FINISHED = new Set(['completed', 'incomplete', 'failed']);

function markUnfinished(item: OutputItem, status: ItemStatus): OutputItem {
  // An apply_patch call is emitted whole (added and done at once): it is never left unfinished.
  if (item.type === 'reasoning' || item.type === 'compaction' || item.type === 'apply_patch_call')
    return item;
  if (item.status === undefined || FINISHED.has(item.status)) return item;
  return { ...item, status };
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

/**
 * Events of the built-in tools' items (file_search_call, code_interpreter_call, …): added with its
 * `in_progress` phase, phases while it runs, streamed fields, then its final phase and done. Part
 * of the emitter: it builds events through the emitter's core so sequence numbers and the fold stay
 * in one place.
 */
import { type IdPrefix, newId } from '../ids.js';
import { HOSTED_DELTA_FIELDS, type HostedPhaseEventType, type ResponseEvent } from '../protocol/events.js';
import {
  type HostedItemType,
  type HostedToolCallItem,
  isHostedItemType,
  type ResponseObject,
} from '../protocol/response.js';
import type { UpstreamCallType } from '../providers/types.js';
import type { FinishedItem, ToolPhase, ToolProgress } from '../tools/types.js';
import { obfuscationFor } from './obfuscation.js';

/** What the emitter lends its item builders. */
export interface EmitterCore {
  readonly response: ResponseObject;
  readonly sequence: number;
  readonly obfuscate: boolean;
  emit(event: ResponseEvent): void;
}

/** The phases OpenAI streams for each item type (others are not sent for that type). */
const PHASES: Record<HostedItemType, readonly ToolPhase[]> = {
  file_search_call: ['in_progress', 'searching', 'completed'],
  web_search_call: ['in_progress', 'searching', 'completed'],
  code_interpreter_call: ['in_progress', 'interpreting', 'completed'],
  image_generation_call: ['in_progress', 'generating', 'completed'],
  mcp_call: ['in_progress', 'completed', 'failed'],
  mcp_list_tools: ['in_progress', 'completed', 'failed'],
  // Added and done, nothing between: the client answers it in a later request.
  mcp_approval_request: [],
  // OpenAI streams no phase events for the hosted shell: its item's added and done say it all.
  shell_call: [],
  shell_call_output: [],
};

/** Calls an upstream ran itself (a passed-through tool): their ids, and their phase while running. */
const UPSTREAM_CALLS: Record<UpstreamCallType, { prefix: IdPrefix; phase: ToolPhase }> = {
  web_search_call: { prefix: 'ws', phase: 'searching' },
  file_search_call: { prefix: 'fs', phase: 'searching' },
  code_interpreter_call: { prefix: 'ci', phase: 'interpreting' },
  image_generation_call: { prefix: 'ig', phase: 'generating' },
};

/** Items OpenAI shows without a `status` (their phase events still say how they went). */
const STATUSLESS: ReadonlySet<HostedItemType> = new Set(['mcp_list_tools', 'mcp_approval_request']);

export class HostedItemEvents {
  constructor(private readonly core: EmitterCore) {}

  /** Adds the item (status `in_progress`) at the end of the output; returns its output index. */
  open(type: HostedItemType, id: string, fields: Record<string, unknown>): number {
    const outputIndex = this.core.response.output.length;
    const item: HostedToolCallItem = STATUSLESS.has(type)
      ? { ...fields, id, type }
      : { ...fields, id, type, status: 'in_progress' };
    this.core.emit({
      type: 'response.output_item.added',
      sequence_number: this.core.sequence,
      output_index: outputIndex,
      item,
    });
    this.phase(outputIndex, 'in_progress');
    return outputIndex;
  }

  progress(outputIndex: number, update: ToolProgress): void {
    const item = this.itemAt(outputIndex);
    if (!item) return;
    const ref = { sequence_number: this.core.sequence, item_id: item.id, output_index: outputIndex };
    switch (update.type) {
      case 'phase':
        return this.phase(outputIndex, update.phase);
      case 'delta': {
        if (!(update.event in HOSTED_DELTA_FIELDS) || update.delta === '') return;
        const event = {
          type: `${update.event}.delta`,
          ...ref,
          delta: update.delta,
          ...(this.core.obfuscate ? { obfuscation: obfuscationFor(update.delta) } : {}),
        } as ResponseEvent;
        this.core.emit(event);
        return;
      }
      case 'delta-done': {
        const field = HOSTED_DELTA_FIELDS[update.event as keyof typeof HOSTED_DELTA_FIELDS];
        if (field === undefined) return;
        this.core.emit({ type: `${update.event}.done`, ...ref, [field]: update.value } as ResponseEvent);
        return;
      }
      case 'partial-image':
        // Only image_generation_call items have partial images.
        if (item.type !== 'image_generation_call') return;
        this.core.emit({
          type: 'response.image_generation_call.partial_image',
          ...ref,
          partial_image_b64: update.b64,
          partial_image_index: update.index,
        });
        return;
    }
  }

  /** Ends the item with its final fields: its last phase event (when it has one), then done. */
  done(outputIndex: number, fields: Record<string, unknown>): void {
    const item = this.itemAt(outputIndex);
    if (!item) return;
    const final: HostedToolCallItem = { ...item, ...fields, id: item.id, type: item.type };
    if (final.status === 'completed' || final.status === 'failed') this.phase(outputIndex, final.status);
    if (STATUSLESS.has(final.type)) delete final.status;
    this.core.emit({
      type: 'response.output_item.done',
      sequence_number: this.core.sequence,
      output_index: outputIndex,
      item: final,
    });
  }

  /** An item that ran before the model's first turn, told as it went: added, its progress, done. */
  finished(item: FinishedItem): void {
    const outputIndex = this.open(item.type, item.id, item.opened);
    for (const update of item.progress) this.progress(outputIndex, update);
    this.done(outputIndex, item.done);
  }

  /**
   * A built-in call the upstream ran itself, which comes whole: its item with the events OpenAI
   * streams for it, results only at done (as the gateway's own calls show them).
   */
  ranUpstream(itemType: UpstreamCallType, fields: Record<string, unknown>): void {
    const { prefix, phase } = UPSTREAM_CALLS[itemType];
    const { status, ...opened } = fields;
    for (const result of ['results', 'outputs', 'result'] as const)
      if (result in opened) opened[result] = null;
    const outputIndex = this.open(itemType, newId(prefix), opened);
    this.progress(outputIndex, { type: 'phase', phase });
    if (itemType === 'code_interpreter_call' && typeof fields.code === 'string') {
      const event = 'response.code_interpreter_call_code';
      this.progress(outputIndex, { type: 'delta-done', event, field: 'code', value: fields.code });
    }
    this.done(outputIndex, { ...fields, status: status ?? 'completed' });
  }

  private phase(outputIndex: number, phase: ToolPhase): void {
    const item = this.itemAt(outputIndex);
    if (!item || !PHASES[item.type].includes(phase)) return;
    this.core.emit({
      type: `response.${item.type}.${phase}` as HostedPhaseEventType,
      sequence_number: this.core.sequence,
      item_id: item.id,
      output_index: outputIndex,
    });
  }

  private itemAt(outputIndex: number): HostedToolCallItem | undefined {
    const item = this.core.response.output[outputIndex];
    return item !== undefined && isHostedItemType(item.type) ? (item as HostedToolCallItem) : undefined;
  }
}

/**
 * The events of a reasoning item: raw reasoning text parts and summary parts, and its seal when it
 * ends (shown as `encrypted_content` or kept aside for storage).
 */
import type { ResponseEvent } from '../../protocol/events.js';
import type { ReasoningItem } from '../../protocol/response.js';
import { obfuscationFor } from '../obfuscation.js';
import type { ReasoningPayload } from '../reasoning-seal.js';
import type { ItemHost, ItemRef } from './item-host.js';

type ReasoningBlock =
  /** `contentIndex` is -1 until the first raw delta opens the part. */
  ({ kind: 'text'; contentIndex: number } & ItemRef) | ({ kind: 'summary'; summaryIndex: number } & ItemRef);

export interface SealOptions {
  sealReasoning?: ((reasoning: ReasoningPayload) => string) | undefined;
  exposeReasoningSeal?: boolean | undefined;
}

export class ReasoningBuilder {
  private readonly blocks = new Map<string, ReasoningBlock>();
  /** A reasoning item whose block ended with the upstream's token: the next block is a new item. */
  sealedAt = -1;
  /** Sealed reasoning the client did not ask to see, by item id: stored, never sent. */
  readonly hiddenSeals = new Map<string, string>();

  constructor(
    private readonly host: ItemHost,
    private readonly seal: SealOptions,
  ) {}

  start(blockId: string): void {
    const item = this.host.ensureItem('reasoning');
    // Which kind of reasoning block this is becomes known with its first delta.
    this.blocks.set(blockId, {
      kind: 'text',
      contentIndex: -1,
      outputIndex: item.outputIndex,
      itemId: item.itemId,
    });
  }

  delta(blockId: string, delta: string, kind: 'text' | 'summary'): void {
    if (!this.blocks.has(blockId)) this.start(blockId);
    let block = this.blocks.get(blockId)!;
    const reasoning = this.host.response.output[block.outputIndex];
    if (reasoning?.type !== 'reasoning') return;
    const ref = { item_id: block.itemId, output_index: block.outputIndex };
    const at = { outputIndex: block.outputIndex, itemId: block.itemId };
    if (kind === 'summary') {
      if (block.kind !== 'summary') {
        block = { kind: 'summary', ...at, summaryIndex: reasoning.summary.length };
        this.blocks.set(blockId, block);
        this.host.emit({
          type: 'response.reasoning_summary_part.added',
          sequence_number: this.host.sequence,
          ...ref,
          summary_index: block.summaryIndex,
          part: { type: 'summary_text', text: '' },
        });
      }
      const event: ResponseEvent = {
        type: 'response.reasoning_summary_text.delta',
        sequence_number: this.host.sequence,
        ...ref,
        summary_index: block.summaryIndex,
        delta,
      };
      if (this.host.obfuscate) event.obfuscation = obfuscationFor(delta);
      this.host.emit(event);
      return;
    }
    if (block.kind !== 'text' || block.contentIndex < 0) {
      // Raw reasoning after a summary: the summary part is finished first.
      if (block.kind === 'summary') this.summaryDone(block, reasoning);
      block = { kind: 'text', ...at, contentIndex: reasoning.content?.length ?? 0 };
      this.blocks.set(blockId, block);
      this.host.emit({
        type: 'response.content_part.added',
        sequence_number: this.host.sequence,
        ...ref,
        content_index: block.contentIndex,
        part: { type: 'reasoning_text', text: '' },
      });
    }
    const event: ResponseEvent = {
      type: 'response.reasoning_text.delta',
      sequence_number: this.host.sequence,
      ...ref,
      content_index: block.contentIndex,
      delta,
    };
    if (this.host.obfuscate) event.obfuscation = obfuscationFor(delta);
    this.host.emit(event);
  }

  end(blockId: string, encryptedContent: string | undefined): void {
    const block = this.blocks.get(blockId);
    if (!block) return;
    this.blocks.delete(blockId);
    const item = this.host.response.output[block.outputIndex];
    if (item?.type !== 'reasoning') return;
    const ref = { item_id: block.itemId, output_index: block.outputIndex };
    if (block.kind === 'summary') {
      this.summaryDone(block, item);
    } else if (block.contentIndex >= 0) {
      const text = item.content?.[block.contentIndex]?.text ?? '';
      const partRef = { ...ref, content_index: block.contentIndex };
      this.host.emit({
        type: 'response.reasoning_text.done',
        sequence_number: this.host.sequence,
        ...partRef,
        text,
      });
      this.host.emit({
        type: 'response.content_part.done',
        sequence_number: this.host.sequence,
        ...partRef,
        part: { type: 'reasoning_text', text },
      });
    }
    if (encryptedContent !== undefined) this.sealedAt = block.outputIndex;
    this.sealItem(item, encryptedContent);
  }

  /** Ends the blocks still open in the item at this index (the item is being closed). */
  endAllIn(outputIndex: number): void {
    for (const [blockId, block] of this.blocks)
      if (block.outputIndex === outputIndex) this.end(blockId, undefined);
  }

  private sealItem(item: ReasoningItem, encryptedContent: string | undefined): void {
    const seal = this.seal.sealReasoning;
    if (!seal || (!this.seal.exposeReasoningSeal && encryptedContent === undefined)) return;
    const sealed = seal({
      text: (item.content ?? []).map((part) => part.text).join(''),
      summary: item.summary.map((part) => part.text),
      ...(encryptedContent !== undefined ? { upstream: encryptedContent } : {}),
    });
    if (this.seal.exposeReasoningSeal) item.encrypted_content = sealed;
    else this.hiddenSeals.set(item.id, sealed);
  }

  private summaryDone(block: Extract<ReasoningBlock, { kind: 'summary' }>, item: ReasoningItem): void {
    const text = item.summary[block.summaryIndex]?.text ?? '';
    const ref = { item_id: block.itemId, output_index: block.outputIndex, summary_index: block.summaryIndex };
    this.host.emit({
      type: 'response.reasoning_summary_text.done',
      sequence_number: this.host.sequence,
      ...ref,
      text,
    });
    this.host.emit({
      type: 'response.reasoning_summary_part.done',
      sequence_number: this.host.sequence,
      ...ref,
      part: { type: 'summary_text', text },
    });
  }
}

/**
 * The events of a message's content parts: output_text (with its logprobs, and its citation
 * markers turned into annotations once some tool has cited a source) and refusal.
 */
import type { ResponseEvent } from '../../protocol/events.js';
import type { Annotation, ContentPart, Logprob } from '../../protocol/response.js';
import type { MessagePhase, TokenLogprob } from '../../providers/types.js';
import type { CitableSource } from '../../tools/types.js';
import { CitationStream } from '../citations/citation-stream.js';
import { obfuscationFor } from '../obfuscation.js';
import type { ItemHost } from './item-host.js';

/** An output_text part whose markers become annotations (once some tool has cited a source). */
interface Citing {
  stream: CitationStream;
  /** Annotations already announced. */
  announced: number;
  /** Logprobs of text held back (a possible marker), sent with the next delta. */
  logprobs: TokenLogprob[];
}

interface ContentBlock {
  kind: 'text' | 'refusal';
  outputIndex: number;
  contentIndex: number;
  itemId: string;
  citing?: Citing | undefined;
}

export class MessageBuilder {
  private readonly blocks = new Map<string, ContentBlock>();

  /**
   * @param cited the sources built-in tools showed the model so far, by citation number − 1.
   */
  constructor(
    private readonly host: ItemHost,
    private readonly includeLogprobs: boolean,
    private readonly cited: () => readonly CitableSource[] | undefined,
  ) {}

  start(blockId: string, kind: 'text' | 'refusal', phase?: MessagePhase): void {
    const item = this.host.ensureItem('message', phase);
    const message = this.host.response.output[item.outputIndex];
    const contentIndex = message?.type === 'message' ? message.content.length : 0;
    const cited = this.cited();
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
    this.host.emit({
      type: 'response.content_part.added',
      sequence_number: this.host.sequence,
      item_id: item.itemId,
      output_index: item.outputIndex,
      content_index: contentIndex,
      part,
    });
  }

  textDelta(blockId: string, delta: string, logprobs: TokenLogprob[] | undefined): void {
    const block = this.blockOf(blockId, 'text');
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

  refusalDelta(blockId: string, delta: string): void {
    const block = this.blockOf(blockId, 'refusal');
    if (block.kind !== 'refusal') return;
    this.host.emit({
      type: 'response.refusal.delta',
      sequence_number: this.host.sequence,
      item_id: block.itemId,
      output_index: block.outputIndex,
      content_index: block.contentIndex,
      delta,
    });
  }

  end(blockId: string): void {
    const block = this.blocks.get(blockId);
    if (!block) return;
    if (block.citing) {
      // What was held back as a possible marker is text after all.
      const rest = block.citing.stream.end();
      if (rest !== '') this.emitTextDelta(block, rest, block.citing.logprobs);
      this.announceCitations(block, block.citing);
    }
    this.blocks.delete(blockId);
    const item = this.host.response.output[block.outputIndex];
    const part = item?.type === 'message' ? item.content[block.contentIndex] : undefined;
    if (!part) return;
    const ref = { item_id: block.itemId, output_index: block.outputIndex, content_index: block.contentIndex };
    if (part.type === 'output_text') {
      this.host.emit({
        type: 'response.output_text.done',
        sequence_number: this.host.sequence,
        ...ref,
        text: part.text,
        logprobs: part.logprobs ?? [],
      });
    } else {
      this.host.emit({
        type: 'response.refusal.done',
        sequence_number: this.host.sequence,
        ...ref,
        refusal: part.refusal,
      });
    }
    this.host.emit({
      type: 'response.content_part.done',
      sequence_number: this.host.sequence,
      ...ref,
      part: this.host.unobserved ? part : { ...part },
    });
  }

  /** Ends the blocks still open in the item at this index (the item is being closed). */
  endAllIn(outputIndex: number): void {
    for (const [blockId, block] of this.blocks) if (block.outputIndex === outputIndex) this.end(blockId);
  }

  /** A delta without its start opens the block (some upstreams skip the start). */
  private blockOf(blockId: string, kind: 'text' | 'refusal'): ContentBlock {
    if (!this.blocks.has(blockId)) this.start(blockId, kind);
    return this.blocks.get(blockId)!;
  }

  private emitTextDelta(block: ContentBlock, delta: string, logprobs: TokenLogprob[] | undefined): void {
    const event: ResponseEvent = {
      type: 'response.output_text.delta',
      sequence_number: this.host.sequence,
      item_id: block.itemId,
      output_index: block.outputIndex,
      content_index: block.contentIndex,
      delta,
      logprobs: this.includeLogprobs && logprobs ? toPublicLogprobs(logprobs) : [],
    };
    if (this.host.obfuscate) event.obfuscation = obfuscationFor(delta);
    this.host.emit(event);
  }

  /** An annotation the upstream made (its own web_search's url_citation), announced as it came. */
  upstreamAnnotation(blockId: string, annotation: Record<string, unknown>): void {
    const block = this.blocks.get(blockId);
    if (block?.kind !== 'text') return;
    const item = this.host.response.output[block.outputIndex];
    const part = item?.type === 'message' ? item.content[block.contentIndex] : undefined;
    if (part?.type !== 'output_text') return;
    // The Responses translator passes OpenAI's own annotation objects through.
    this.announce(block, part.annotations.length, { ...annotation } as Annotation);
  }

  /** `response.output_text.annotation.added` for citations found since the last delta. */
  private announceCitations(block: ContentBlock, citing: Citing): void {
    const { annotations } = citing.stream;
    for (; citing.announced < annotations.length; citing.announced++) {
      this.announce(block, citing.announced, { ...annotations[citing.announced]! });
    }
  }

  private announce(block: ContentBlock, index: number, annotation: Annotation): void {
    this.host.emit({
      type: 'response.output_text.annotation.added',
      sequence_number: this.host.sequence,
      item_id: block.itemId,
      output_index: block.outputIndex,
      content_index: block.contentIndex,
      annotation_index: index,
      annotation,
    });
  }
}

function toPublicLogprobs(logprobs: readonly TokenLogprob[]): Logprob[] {
  return logprobs.map((entry) => ({
    token: entry.token,
    bytes: entry.bytes,
    logprob: entry.logprob,
    top_logprobs: entry.topLogprobs,
  }));
}

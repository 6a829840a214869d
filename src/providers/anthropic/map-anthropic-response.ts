/**
 * Anthropic responses (the streamed events, or one whole message) → normalized stream parts.
 *
 * Content blocks map one to one: `text` → text, `thinking` → reasoning text whose signature rides
 * on `reasoning-end.encryptedContent`, `redacted_thinking` → an empty reasoning block carrying
 * `redacted_thinking:<data>`, `tool_use` → a tool call. The structured-output tool's input is
 * streamed as message text instead, and custom tools' `{input}` arguments are unwrapped.
 */
import { UpstreamError } from '../../errors.js';
import { unwrapCustomInput } from '../shared/custom-tool.js';
import { tokenCount } from '../shared/token-count.js';
import type { StreamPart, TokenUsage } from '../types.js';
import {
  type AnthropicMessageResponse,
  type AnthropicResponseBlock,
  type AnthropicStreamEvent,
  type AnthropicUsage,
  REDACTED_THINKING_PREFIX,
} from './anthropic-api.js';
import { streamError } from './anthropic-errors.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

export interface ResponseMapOptions {
  jsonToolName: string | undefined;
  customToolNames: ReadonlySet<string>;
}

type Block =
  | { kind: 'text' | 'json'; id: string; wrote: boolean; initial?: unknown }
  | { kind: 'reasoning'; id: string; signature: string }
  | { kind: 'tool'; id: string; wrote: boolean; initial: unknown }
  | { kind: 'custom'; id: string; buffer: string; initial: unknown }
  | { kind: 'ignored'; id: string };

export function mapAnthropicUsage(usage: AnthropicUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const cacheRead = tokenCount(usage.cache_read_input_tokens);
  return {
    inputTokens: tokenCount(usage.input_tokens) + cacheRead + tokenCount(usage.cache_creation_input_tokens),
    outputTokens: tokenCount(usage.output_tokens),
    cachedInputTokens: cacheRead,
    reasoningTokens: 0,
  };
}

/** Follows one streamed message; `translate` each event's data, then `end` once. */
export class AnthropicStreamTranslator {
  private readonly blocks = new Map<number, Block>();
  private usage: AnthropicUsage | undefined;
  private stopReason: string | null | undefined;
  private toolCalls = 0;
  private warnedIgnored = false;
  /** message_stop arrived. */
  stopped = false;
  /** An `error` event arrived (and was reported as an error part). */
  failed = false;

  constructor(
    private readonly provider: string,
    private readonly options: ResponseMapOptions,
  ) {}

  translate(event: AnthropicStreamEvent, out: StreamPart[]): void {
    switch (event.type) {
      case 'message_start':
        this.mergeUsage(event.message?.usage);
        return;
      case 'content_block_start':
        return this.start(event.index, event.content_block, out);
      case 'content_block_delta':
        return this.delta(event.index, event.delta, out);
      case 'content_block_stop':
        return this.stop(event.index, out);
      case 'message_delta':
        if (event.delta?.stop_reason != null) this.stopReason = event.delta.stop_reason;
        this.mergeUsage(event.usage);
        return;
      case 'message_stop':
        this.stopped = true;
        return;
      case 'error':
        this.failed = true;
        out.push({ type: 'error', error: streamError(event, this.provider) });
        return;
      default:
        // ping, and event types newer than this code.
        return;
    }
  }

  /** Closes what is still open and reports the finish. */
  end(out: StreamPart[]): void {
    for (const index of [...this.blocks.keys()]) this.stop(index, out);
    let finishReason = mapAnthropicFinishReason(this.stopReason);
    // The structured-output tool answered: that is a finished message, not a tool call.
    if (finishReason === 'tool-calls' && this.toolCalls === 0) finishReason = 'stop';
    out.push({ type: 'finish', finishReason, usage: mapAnthropicUsage(this.usage) });
  }

  private start(index: number, block: AnthropicResponseBlock, out: StreamPart[]): void {
    const id = `b${index}`;
    switch (block.type) {
      case 'text': {
        this.blocks.set(index, { kind: 'text', id, wrote: false });
        out.push({ type: 'text-start', id });
        const text = (block as { text?: unknown }).text;
        if (typeof text === 'string' && text !== '') out.push({ type: 'text-delta', id, delta: text });
        return;
      }
      case 'thinking': {
        const { thinking, signature } = block as { thinking?: unknown; signature?: unknown };
        this.blocks.set(index, {
          kind: 'reasoning',
          id,
          signature: typeof signature === 'string' ? signature : '',
        });
        out.push({ type: 'reasoning-start', id });
        if (typeof thinking === 'string' && thinking !== '')
          out.push({ type: 'reasoning-delta', id, delta: thinking, kind: 'text' });
        return;
      }
      case 'redacted_thinking': {
        const data = (block as { data?: unknown }).data;
        this.blocks.set(index, {
          kind: 'reasoning',
          id,
          signature: typeof data === 'string' ? REDACTED_THINKING_PREFIX + data : '',
        });
        out.push({ type: 'reasoning-start', id });
        return;
      }
      case 'tool_use': {
        const { id: callId, name, input } = block as { id?: unknown; name?: unknown; input?: unknown };
        const toolName = typeof name === 'string' ? name : '';
        if (toolName === this.options.jsonToolName) {
          this.blocks.set(index, { kind: 'json', id, wrote: false, initial: input });
          out.push({ type: 'text-start', id });
          return;
        }
        this.toolCalls++;
        const custom = this.options.customToolNames.has(toolName);
        this.blocks.set(
          index,
          custom
            ? { kind: 'custom', id, buffer: '', initial: input }
            : { kind: 'tool', id, wrote: false, initial: input },
        );
        out.push({
          type: 'tool-input-start',
          id,
          callId: typeof callId === 'string' ? callId : `toolu_${index}`,
          toolName,
          toolKind: custom ? 'custom' : 'function',
        });
        return;
      }
      default:
        this.blocks.set(index, { kind: 'ignored', id });
        if (!this.warnedIgnored) {
          this.warnedIgnored = true;
          out.push({
            type: 'warning',
            message: `Anthropic content block '${block.type}' is not supported; skipped.`,
          });
        }
    }
  }

  private delta(index: number, delta: { type: string; [key: string]: unknown }, out: StreamPart[]): void {
    const block = this.blocks.get(index);
    if (!block) return;
    const piece =
      delta.type === 'text_delta'
        ? delta.text
        : delta.type === 'thinking_delta'
          ? delta.thinking
          : delta.type === 'input_json_delta'
            ? delta.partial_json
            : delta.type === 'signature_delta'
              ? delta.signature
              : undefined;
    if (typeof piece !== 'string' || piece === '') return;
    switch (block.kind) {
      case 'text':
      case 'json':
        if (delta.type !== 'text_delta' && delta.type !== 'input_json_delta') return;
        block.wrote = true;
        out.push({ type: 'text-delta', id: block.id, delta: piece });
        return;
      case 'reasoning':
        if (delta.type === 'signature_delta') block.signature += piece;
        else if (delta.type === 'thinking_delta')
          out.push({ type: 'reasoning-delta', id: block.id, delta: piece, kind: 'text' });
        return;
      case 'tool':
        if (delta.type !== 'input_json_delta') return;
        block.wrote = true;
        out.push({ type: 'tool-input-delta', id: block.id, delta: piece });
        return;
      case 'custom':
        if (delta.type === 'input_json_delta') block.buffer += piece;
        return;
      case 'ignored':
        return;
    }
  }

  private stop(index: number, out: StreamPart[]): void {
    const block = this.blocks.get(index);
    if (!block) return;
    this.blocks.delete(index);
    switch (block.kind) {
      case 'text':
        out.push({ type: 'text-end', id: block.id });
        return;
      case 'json':
        if (!block.wrote)
          out.push({ type: 'text-delta', id: block.id, delta: JSON.stringify(block.initial ?? {}) });
        out.push({ type: 'text-end', id: block.id });
        return;
      case 'reasoning':
        out.push(
          block.signature !== ''
            ? { type: 'reasoning-end', id: block.id, encryptedContent: block.signature }
            : { type: 'reasoning-end', id: block.id },
        );
        return;
      case 'tool':
        if (!block.wrote)
          out.push({ type: 'tool-input-delta', id: block.id, delta: JSON.stringify(block.initial ?? {}) });
        out.push({ type: 'tool-input-end', id: block.id });
        return;
      case 'custom': {
        const input = unwrapCustomInput(block.buffer !== '' ? block.buffer : (block.initial ?? {}));
        if (input !== '') out.push({ type: 'tool-input-delta', id: block.id, delta: input });
        out.push({ type: 'tool-input-end', id: block.id });
        return;
      }
      case 'ignored':
        return;
    }
  }

  private mergeUsage(usage: AnthropicUsage | null | undefined): void {
    if (!usage) return;
    const merged: AnthropicUsage = { ...this.usage };
    for (const [key, value] of Object.entries(usage) as Array<[keyof AnthropicUsage, number | null]>) {
      if (typeof value === 'number') merged[key] = value;
    }
    this.usage = merged;
  }
}

/** A whole (non-streamed) message as the same parts a stream would give. */
export function messageToParts(
  message: AnthropicMessageResponse,
  provider: string,
  options: ResponseMapOptions,
): StreamPart[] {
  if (message.type === 'error' || message.error) {
    throw streamError(
      { type: 'error', error: message.error ?? { type: 'api_error', message: '' } },
      provider,
    );
  }
  if (!Array.isArray(message.content)) {
    throw new UpstreamError(`Upstream provider '${provider}' returned a message without content.`, {
      status: 502,
      retryable: false,
      code: 'upstream_invalid_response',
    });
  }
  const translator = new AnthropicStreamTranslator(provider, options);
  const out: StreamPart[] = [];
  message.content.forEach((block, index) => {
    // Whole blocks already hold their content; replay them as start + delta + stop.
    const opened = openingOf(block);
    translator.translate({ type: 'content_block_start', index, content_block: opened }, out);
    if (block.type === 'thinking' && typeof block.signature === 'string' && block.signature !== '') {
      translator.translate(
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'signature_delta', signature: block.signature },
        },
        out,
      );
    }
    if (block.type === 'tool_use') {
      translator.translate(
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) },
        },
        out,
      );
    }
    translator.translate({ type: 'content_block_stop', index }, out);
  });
  translator.translate(
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason ?? null },
      usage: message.usage ?? null,
    },
    out,
  );
  translator.end(out);
  return out;
}

function openingOf(block: AnthropicResponseBlock): AnthropicResponseBlock {
  if (block.type === 'thinking')
    return { type: 'thinking', thinking: (block as { thinking?: string }).thinking ?? '' };
  if (block.type === 'tool_use') return { ...block, input: {} };
  return block;
}

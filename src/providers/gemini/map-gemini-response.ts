/**
 * Gemini responses (streamed chunks or one whole response, which share a shape) → stream parts.
 *
 * Parts have no block boundaries: a block ends when another kind of part begins. Thought parts are
 * thought summaries, so they become reasoning with kind `summary`. A `thoughtSignature` is kept
 * for replay where it arrived: on a function call it rides on `tool-input-start.signature`, and it
 * also ends the reasoning block before it as `encryptedContent` (a call signed without visible
 * thoughts gets an empty reasoning block for it, as OpenAI's reasoning items can be empty), so
 * stateless clients that send reasoning items back keep it too.
 */
import { randomBytes } from 'node:crypto';
import { unwrapCustomInput } from '../shared/custom-tool.js';
import { tokenCount } from '../shared/token-count.js';
import type { FinishReason, StreamPart, TokenUsage } from '../types.js';
import type { GeminiPart, GeminiResponse, GeminiUsageMetadata } from './gemini-api.js';
import { geminiBodyError } from './gemini-errors.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

export interface GeminiMapOptions {
  customToolNames: ReadonlySet<string>;
}

export function mapGeminiUsage(usage: GeminiUsageMetadata | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const thoughts = tokenCount(usage.thoughtsTokenCount);
  return {
    inputTokens: tokenCount(usage.promptTokenCount) + tokenCount(usage.toolUsePromptTokenCount),
    outputTokens: tokenCount(usage.candidatesTokenCount) + thoughts,
    cachedInputTokens: tokenCount(usage.cachedContentTokenCount),
    reasoningTokens: thoughts,
  };
}

/** Follows one streamed response; `translate` each chunk, then `end` once. */
export class GeminiStreamTranslator {
  private open: { kind: 'reasoning' | 'text'; id: string; signature?: string } | null = null;
  private blockCount = 0;
  private toolCalls = 0;
  private finishReason: string | undefined;
  private blockReason: string | undefined;
  private usage: GeminiUsageMetadata | undefined;
  private warnedMedia = false;
  /** An error chunk arrived (and was reported as an error part). */
  failed = false;

  constructor(
    private readonly provider: string,
    private readonly options: GeminiMapOptions,
  ) {}

  /** A finish reason (or a blocked prompt) was seen: the response is complete. */
  get finished(): boolean {
    return this.finishReason !== undefined || this.blockReason !== undefined;
  }

  translate(chunk: GeminiResponse, out: StreamPart[]): void {
    if (chunk.error) {
      this.failed = true;
      out.push({ type: 'error', error: geminiBodyError(chunk.error, this.provider) });
      return;
    }
    if (chunk.usageMetadata) this.usage = chunk.usageMetadata;
    if (chunk.promptFeedback?.blockReason) this.blockReason = chunk.promptFeedback.blockReason;
    const candidate = chunk.candidates?.[0];
    if (!candidate) return;
    for (const part of candidate.content?.parts ?? []) this.part(part, out);
    if (candidate.finishReason) this.finishReason = candidate.finishReason;
  }

  end(out: StreamPart[]): void {
    this.close(out);
    const finishReason: FinishReason =
      this.blockReason !== undefined
        ? 'content-filter'
        : mapGeminiFinishReason(this.finishReason, this.toolCalls > 0);
    out.push({ type: 'finish', finishReason, usage: mapGeminiUsage(this.usage) });
  }

  private part(part: GeminiPart, out: StreamPart[]): void {
    const signature = part.thoughtSignature !== '' ? part.thoughtSignature : undefined;
    if (part.functionCall) return this.functionCall(part, signature, out);
    if (part.thought === true) {
      const block = this.ensure('reasoning', out);
      if (signature !== undefined) block.signature = signature;
      if (part.text) out.push({ type: 'reasoning-delta', id: block.id, delta: part.text, kind: 'summary' });
      return;
    }
    if (typeof part.text === 'string') {
      // The first part after the thoughts carries their signature.
      if (this.open?.kind === 'reasoning' && signature !== undefined) this.open.signature ??= signature;
      if (part.text === '') return;
      const block = this.ensure('text', out);
      out.push({ type: 'text-delta', id: block.id, delta: part.text });
      return;
    }
    if (!this.warnedMedia && (part.inlineData || part.fileData)) {
      this.warnedMedia = true;
      out.push({
        type: 'warning',
        message: 'Gemini returned media parts; they are not supported and were skipped.',
      });
    }
  }

  private functionCall(part: GeminiPart, signature: string | undefined, out: StreamPart[]): void {
    const call = part.functionCall!;
    if (signature !== undefined) {
      if (this.open?.kind !== 'reasoning') this.ensure('reasoning', out);
      this.open!.signature ??= signature;
    }
    this.close(out);
    const id = `c${this.toolCalls++}`;
    const custom = this.options.customToolNames.has(call.name);
    out.push({
      type: 'tool-input-start',
      id,
      callId: call.id != null && call.id !== '' ? call.id : `call_${randomBytes(12).toString('hex')}`,
      toolName: call.name,
      toolKind: custom ? 'custom' : 'function',
      ...(signature !== undefined ? { signature } : {}),
    });
    const input = custom ? unwrapCustomInput(call.args ?? {}) : JSON.stringify(call.args ?? {});
    if (input !== '') out.push({ type: 'tool-input-delta', id, delta: input });
    out.push({ type: 'tool-input-end', id });
  }

  private ensure(kind: 'reasoning' | 'text', out: StreamPart[]): { id: string; signature?: string } {
    if (this.open?.kind === kind) return this.open;
    this.close(out);
    const id = `b${this.blockCount++}`;
    this.open = { kind, id };
    out.push({ type: kind === 'reasoning' ? 'reasoning-start' : 'text-start', id });
    return this.open;
  }

  private close(out: StreamPart[]): void {
    const open = this.open;
    if (!open) return;
    this.open = null;
    if (open.kind === 'text') out.push({ type: 'text-end', id: open.id });
    else
      out.push(
        open.signature !== undefined
          ? { type: 'reasoning-end', id: open.id, encryptedContent: open.signature }
          : { type: 'reasoning-end', id: open.id },
      );
  }
}

/** A whole (non-streamed) response as the same parts a stream would give. */
export function responseToParts(
  response: GeminiResponse,
  provider: string,
  options: GeminiMapOptions,
): StreamPart[] {
  const translator = new GeminiStreamTranslator(provider, options);
  const out: StreamPart[] = [];
  if (response.error) throw geminiBodyError(response.error, provider);
  translator.translate(response, out);
  translator.end(out);
  return out;
}

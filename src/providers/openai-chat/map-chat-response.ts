/** Chat Completions responses (streamed chunks or one completion) → normalized stream parts. */

import { UpstreamError } from '../../errors.js';
import { tokenCount } from '../shared/token-count.js';
import type { FinishReason, StreamPart, TokenLogprob, TokenUsage } from '../types.js';
import type {
  ChatChunk,
  ChatCompletion,
  ChatTokenLogprob,
  ChatToolCallDelta,
  ChatUsage,
} from './chat-api.js';

export function mapChatFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'end_turn':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    default:
      return 'other';
  }
}

export function mapChatUsage(usage: ChatUsage | null | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: tokenCount(usage.prompt_tokens),
    outputTokens: tokenCount(usage.completion_tokens),
    cachedInputTokens: tokenCount(usage.prompt_tokens_details?.cached_tokens),
    reasoningTokens: tokenCount(usage.completion_tokens_details?.reasoning_tokens),
  };
}

export function mapChatLogprobs(
  tokens: readonly ChatTokenLogprob[] | null | undefined,
): TokenLogprob[] | undefined {
  if (!tokens || tokens.length === 0) return undefined;
  return tokens.map((t) => ({
    token: t.token,
    bytes: t.bytes ?? [...Buffer.from(t.token)],
    logprob: t.logprob,
    topLogprobs: (t.top_logprobs ?? []).map((top) => ({
      token: top.token,
      bytes: top.bytes ?? [...Buffer.from(top.token)],
      logprob: top.logprob,
    })),
  }));
}

export function upstreamErrorFromBody(error: ChatChunk['error'], provider: string): UpstreamError {
  const message = typeof error === 'string' ? error : (error?.message ?? 'unknown error');
  const code = typeof error === 'object' && error?.code != null ? String(error.code) : 'upstream_error';
  return new UpstreamError(`Upstream provider '${provider}' reported an error: ${message}`, {
    status: 502,
    retryable: false,
    code,
  });
}

type Block = 'reasoning' | 'text' | 'refusal';

/**
 * Follows one streamed choice. Chat Completions has no block boundaries, so a block ends when the
 * next kind of content starts; tool calls are told apart by their `index`.
 */
export class ChatChunkTranslator {
  private open: Block | null = null;
  private blockCount = 0;
  private readonly tools = new Map<number, { id: string; callId: string | undefined; open: boolean }>();
  /** Wire index → the call it now stands for, once a server reused an index for a new call. */
  private readonly reused = new Map<number, number>();
  private finishReason: FinishReason | null = null;
  private usage: TokenUsage | undefined;

  constructor(private readonly provider: string) {}

  get sawFinish(): boolean {
    return this.finishReason !== null;
  }

  translate(chunk: ChatChunk, out: StreamPart[]): void {
    if (chunk.error) throw upstreamErrorFromBody(chunk.error, this.provider);
    if (chunk.usage) this.usage = mapChatUsage(chunk.usage);
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta;
    if (delta) {
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (reasoning) this.blockDelta('reasoning', reasoning, out);
      if (delta.content)
        this.blockDelta('text', delta.content, out, mapChatLogprobs(choice.logprobs?.content));
      if (delta.refusal) this.blockDelta('refusal', delta.refusal, out);
      if (delta.tool_calls) {
        for (const call of delta.tool_calls) this.toolDelta(call, out);
      }
    }
    if (choice.finish_reason) this.finishReason = mapChatFinishReason(choice.finish_reason);
  }

  /** Closes what is open and reports the finish; call once the stream has ended. */
  end(out: StreamPart[]): void {
    this.closeBlock(out);
    this.closeTools(out);
    out.push({ type: 'finish', finishReason: this.finishReason ?? 'other', usage: this.usage });
  }

  private blockDelta(kind: Block, delta: string, out: StreamPart[], logprobs?: TokenLogprob[]): void {
    if (this.open !== kind) {
      this.closeBlock(out);
      this.closeTools(out);
      this.open = kind;
      this.blockCount++;
      out.push({ type: `${kind}-start`, id: this.blockId() });
    }
    const id = this.blockId();
    if (kind === 'reasoning') out.push({ type: 'reasoning-delta', id, delta, kind: 'text' });
    else if (kind === 'text')
      out.push(logprobs ? { type: 'text-delta', id, delta, logprobs } : { type: 'text-delta', id, delta });
    else out.push({ type: 'refusal-delta', id, delta });
  }

  private closeBlock(out: StreamPart[]): void {
    if (this.open === null) return;
    out.push({ type: `${this.open}-end`, id: this.blockId() });
    this.open = null;
  }

  private blockId(): string {
    return `b${this.blockCount}`;
  }

  private toolDelta(call: ChatToolCallDelta, out: StreamPart[]): void {
    const wire = call.index ?? this.tools.size;
    let index = this.reused.get(wire) ?? wire;
    let tool = this.tools.get(index);
    // Some servers send every parallel call at index 0, each with its own id: a new id is a new
    // call, else their arguments would run together into one.
    if (tool?.callId !== undefined && call.id && call.id !== tool.callId) {
      index = Math.max(...this.tools.keys()) + 1;
      this.reused.set(wire, index);
      tool = undefined;
    }
    if (!tool) {
      this.closeBlock(out);
      // Tool calls stream one after another: a new index ends the calls before it, so that each
      // becomes one whole item (as OpenAI streams parallel calls) instead of interleaved ones.
      this.closeTools(out);
      const isCustom = call.type === 'custom' || (call.custom != null && call.function == null);
      const name = (isCustom ? call.custom?.name : call.function?.name) ?? '';
      tool = { id: `t${index}`, callId: call.id || undefined, open: true };
      this.tools.set(index, tool);
      out.push({
        type: 'tool-input-start',
        id: tool.id,
        callId: call.id ?? `call_${index}`,
        toolName: name,
        toolKind: isCustom ? 'custom' : 'function',
      });
    }
    const piece = call.function?.arguments ?? call.custom?.input;
    if (!piece) return;
    if (tool.open) out.push({ type: 'tool-input-delta', id: tool.id, delta: piece });
    else
      out.push({
        type: 'warning',
        message: `tool call ${index}: arguments after a later call began were dropped`,
      });
  }

  private closeTools(out: StreamPart[]): void {
    for (const tool of this.tools.values()) {
      if (!tool.open) continue;
      tool.open = false;
      out.push({ type: 'tool-input-end', id: tool.id });
    }
  }
}

/** A whole (non-streamed) completion as the same parts a stream would give. */
export function completionToParts(completion: ChatCompletion, provider: string): StreamPart[] {
  if (completion.error) throw upstreamErrorFromBody(completion.error, provider);
  const choice = completion.choices?.[0];
  if (!choice) {
    throw new UpstreamError(`Upstream provider '${provider}' returned a completion without choices.`, {
      status: 502,
      retryable: false,
      code: 'upstream_invalid_response',
    });
  }
  const message = choice.message ?? {};
  const parts: StreamPart[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (reasoning) {
    parts.push(
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: reasoning, kind: 'text' },
      { type: 'reasoning-end', id: 'r' },
    );
  }
  if (message.content) {
    const logprobs = mapChatLogprobs(choice.logprobs?.content);
    parts.push(
      { type: 'text-start', id: 't' },
      logprobs
        ? { type: 'text-delta', id: 't', delta: message.content, logprobs }
        : { type: 'text-delta', id: 't', delta: message.content },
      { type: 'text-end', id: 't' },
    );
  }
  if (message.refusal) {
    parts.push(
      { type: 'refusal-start', id: 'f' },
      { type: 'refusal-delta', id: 'f', delta: message.refusal },
      { type: 'refusal-end', id: 'f' },
    );
  }
  (message.tool_calls ?? []).forEach((call, index) => {
    const id = `c${index}`;
    const isCustom = call.type === 'custom';
    parts.push({
      type: 'tool-input-start',
      id,
      callId: call.id,
      toolName: isCustom ? call.custom.name : call.function.name,
      toolKind: isCustom ? 'custom' : 'function',
    });
    const input = isCustom ? call.custom.input : call.function.arguments;
    if (input) parts.push({ type: 'tool-input-delta', id, delta: input });
    parts.push({ type: 'tool-input-end', id });
  });
  parts.push({
    type: 'finish',
    finishReason: mapChatFinishReason(choice.finish_reason),
    usage: mapChatUsage(completion.usage),
  });
  return parts;
}

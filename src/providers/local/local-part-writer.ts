/**
 * Turns what node-llama-cpp generates (text chunks, thought segments, function calls) into
 * normalized stream parts, opening and closing one block at a time.
 */
import { randomBytes } from 'node:crypto';
import type { LlamaChatResponseChunk } from 'node-llama-cpp';
import type { StreamPart, ToolKind } from '../types.js';
import type { LocalToolCall } from './local-prepare-tools.js';

type Block = { kind: 'text' | 'reasoning'; id: string } | { kind: 'tool'; id: string };

export class LocalPartWriter {
  private open: Block | null = null;
  private blocks = 0;
  private toolCalls = 0;
  /** Tokens spent in thought segments. */
  reasoningTokens = 0;

  constructor(private readonly emit: (part: StreamPart) => void) {}

  get madeToolCalls(): boolean {
    return this.toolCalls > 0;
  }

  /** A chunk of the model's answer; `asTool` routes answer text into the open forced tool call. */
  chunk(chunk: LlamaChatResponseChunk, asTool: boolean): void {
    if (chunk.type === 'segment') {
      this.reasoningTokens += chunk.tokens.length;
      if (chunk.text !== '') this.delta('reasoning', chunk.text);
      if (chunk.segmentEndTime !== undefined && this.open?.kind === 'reasoning') this.close();
      return;
    }
    if (chunk.text === '') return;
    if (asTool && this.open?.kind === 'tool')
      this.emit({ type: 'tool-input-delta', id: this.open.id, delta: chunk.text });
    else if (!asTool) this.delta('text', chunk.text);
  }

  /** Opens a tool call whose input then streams in (a forced call). */
  startTool(toolName: string, toolKind: ToolKind): void {
    this.close();
    const id = `c${this.toolCalls++}`;
    this.open = { kind: 'tool', id };
    this.emit({ type: 'tool-input-start', id, callId: newCallId(), toolName, toolKind });
  }

  /** A whole tool call. */
  toolCall(call: LocalToolCall): void {
    this.startTool(call.toolName, call.toolKind);
    if (call.input !== '') this.emit({ type: 'tool-input-delta', id: this.open!.id, delta: call.input });
    this.close();
  }

  close(): void {
    const block = this.open;
    if (!block) return;
    this.open = null;
    if (block.kind === 'tool') this.emit({ type: 'tool-input-end', id: block.id });
    else this.emit({ type: block.kind === 'text' ? 'text-end' : 'reasoning-end', id: block.id });
  }

  private delta(kind: 'text' | 'reasoning', delta: string): void {
    if (this.open?.kind !== kind) {
      this.close();
      const id = `${kind === 'text' ? 't' : 'r'}${this.blocks++}`;
      this.open = { kind, id };
      this.emit({ type: kind === 'text' ? 'text-start' : 'reasoning-start', id });
    }
    const id = this.open.id;
    this.emit(
      kind === 'text'
        ? { type: 'text-delta', id, delta }
        : { type: 'reasoning-delta', id, delta, kind: 'text' },
    );
  }
}

function newCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

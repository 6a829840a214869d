/**
 * One model turn as the next turn must see it: the assistant's parts in the order the model gave
 * them (text, reasoning with its upstream token, every tool call), and which of its calls are the
 * gateway's own to run.
 */
import type { AssistantPart, MessagePhase, StreamPart } from '../providers/types.js';
import type { HostedTool } from './hosted-tools.js';

export interface HostedCall {
  readonly hosted: HostedTool;
  readonly callId: string;
  arguments: string;
}

type Block =
  | { kind: 'text'; part: Extract<AssistantPart, { type: 'text' }> }
  | { kind: 'refusal'; part: Extract<AssistantPart, { type: 'refusal' }> }
  | { kind: 'reasoning'; part: Extract<AssistantPart, { type: 'reasoning' }>; inSummary?: boolean }
  | { kind: 'tool'; part: Extract<AssistantPart, { type: 'tool-call' }>; hosted?: HostedCall };

export class TurnRecorder {
  readonly parts: AssistantPart[] = [];
  readonly hostedCalls: HostedCall[] = [];
  /** A call the client runs (function, custom): it ends the response after this turn. */
  clientCalls = 0;
  private readonly blocks = new Map<string, Block>();

  constructor(private readonly hostedNamed: (name: string) => HostedTool | undefined) {}

  /** Records a part; returns the built-in call it starts, continues or ends (not for the emitter). */
  record(part: StreamPart): { call: HostedCall; ended: boolean } | undefined {
    switch (part.type) {
      case 'text-start':
      case 'refusal-start':
        this.open(part.id, part.type === 'text-start' ? 'text' : 'refusal', part.phase);
        return undefined;
      case 'text-delta': {
        const block = this.blocks.get(part.id) ?? this.open(part.id, 'text');
        if (block.kind === 'text') block.part.text += part.delta;
        return undefined;
      }
      case 'refusal-delta': {
        const block = this.blocks.get(part.id) ?? this.open(part.id, 'refusal');
        if (block.kind === 'refusal') block.part.refusal += part.delta;
        return undefined;
      }
      case 'reasoning-start':
        this.open(part.id, 'reasoning');
        return undefined;
      case 'reasoning-delta': {
        const block = this.blocks.get(part.id) ?? this.open(part.id, 'reasoning');
        if (block.kind !== 'reasoning') return undefined;
        if (part.kind === 'text') {
          block.part.text += part.delta;
          block.inSummary = false;
        } else if (block.inSummary) {
          block.part.summary[block.part.summary.length - 1] += part.delta;
        } else {
          block.part.summary.push(part.delta);
          block.inSummary = true;
        }
        return undefined;
      }
      case 'reasoning-end': {
        const block = this.blocks.get(part.id);
        if (block?.kind === 'reasoning' && part.encryptedContent !== undefined)
          block.part.encryptedContent = part.encryptedContent;
        this.blocks.delete(part.id);
        return undefined;
      }
      case 'tool-input-start': {
        const toolCall: Extract<AssistantPart, { type: 'tool-call' }> = {
          type: 'tool-call',
          callId: part.callId,
          toolName: part.toolName,
          input: '',
          toolKind: part.toolKind,
          ...(part.signature !== undefined ? { signature: part.signature } : {}),
        };
        this.parts.push(toolCall);
        const hostedTool = part.toolKind === 'function' ? this.hostedNamed(part.toolName) : undefined;
        const hosted = hostedTool ? { hosted: hostedTool, callId: part.callId, arguments: '' } : undefined;
        if (hosted) this.hostedCalls.push(hosted);
        else this.clientCalls++;
        this.blocks.set(part.id, { kind: 'tool', part: toolCall, ...(hosted ? { hosted } : {}) });
        return hosted ? { call: hosted, ended: false } : undefined;
      }
      case 'tool-input-delta': {
        const block = this.blocks.get(part.id);
        if (block?.kind !== 'tool') return undefined;
        block.part.input += part.delta;
        if (!block.hosted) return undefined;
        block.hosted.arguments += part.delta;
        return { call: block.hosted, ended: false };
      }
      case 'tool-input-end': {
        const block = this.blocks.get(part.id);
        this.blocks.delete(part.id);
        return block?.kind === 'tool' && block.hosted ? { call: block.hosted, ended: true } : undefined;
      }
      case 'text-end':
      case 'refusal-end':
        this.blocks.delete(part.id);
        return undefined;
      case 'finish':
      case 'warning':
      case 'error':
        return undefined;
    }
  }

  /** Whether the model's call to this block belongs to a built-in tool. */
  isHosted(blockId: string): boolean {
    const block = this.blocks.get(blockId);
    return block?.kind === 'tool' && block.hosted !== undefined;
  }

  private open(id: string, kind: 'text' | 'refusal' | 'reasoning', phase?: MessagePhase): Block {
    const labelled = phase === undefined ? {} : { phase };
    const block: Block =
      kind === 'text'
        ? { kind, part: { type: 'text', text: '', ...labelled } }
        : kind === 'refusal'
          ? { kind, part: { type: 'refusal', refusal: '', ...labelled } }
          : { kind, part: { type: 'reasoning', text: '', summary: [] } };
    this.parts.push(block.part);
    this.blocks.set(id, block);
    return block;
  }
}

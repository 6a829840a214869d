/**
 * The items of calls to client tools declared as functions (apply_patch_call, shell_call, …). The
 * item's fields are the call's arguments, known once they are complete: the call is held until its
 * end, then added, with apply_patch's diff events, and done at once.
 */
import { newId } from '../../ids.js';
import type { OutputItem } from '../../protocol/response.js';
import type { ClientToolBinding } from '../client-tools/client-tool-set.js';
import { obfuscationFor } from '../obfuscation.js';
import type { ItemHost } from './item-host.js';

interface PendingCall {
  binding: ClientToolBinding;
  callId: string;
  args: string;
}

export class ClientCallBuilder {
  private readonly pending = new Map<string, PendingCall>();

  /** @param named the client tool the model calls by this upstream name, if any */
  constructor(
    private readonly host: ItemHost,
    private readonly named: (name: string) => ClientToolBinding | undefined,
  ) {}

  /** Whether the call starts a client tool's item (else it is a function or custom call). */
  start(blockId: string, callId: string, name: string): boolean {
    const binding = this.named(name);
    if (!binding) return false;
    this.pending.set(blockId, { binding, callId, args: '' });
    return true;
  }

  /** False when the block is not a client tool's call. */
  delta(blockId: string, delta: string): boolean {
    const call = this.pending.get(blockId);
    if (!call) return false;
    call.args += delta;
    return true;
  }

  /** False when the block is not a client tool's call. */
  end(blockId: string): boolean {
    const call = this.pending.get(blockId);
    if (!call) return false;
    this.pending.delete(blockId);
    this.emitCall(call);
    return true;
  }

  /** Calls whose end never came (the response ends): reported with the arguments they have. */
  closeAll(): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) this.emitCall(call);
  }

  private emitCall({ binding, callId, args }: PendingCall): void {
    this.host.closeCurrentItem('completed');
    const outputIndex = this.host.response.output.length;
    const item = binding.tool.item(newId(binding.tool.idPrefix), callId, args, binding.entry);
    const ref = { item_id: item.id, output_index: outputIndex };
    this.host.emit({
      type: 'response.output_item.added',
      sequence_number: this.host.sequence,
      output_index: outputIndex,
      item: opening(item),
    });
    if (item.type === 'apply_patch_call' && item.operation.type !== 'delete_file') {
      const { diff } = item.operation;
      if (diff !== '') {
        this.host.emit({
          type: 'response.apply_patch_call_operation_diff.delta',
          sequence_number: this.host.sequence,
          ...ref,
          delta: diff,
          ...(this.host.obfuscate ? { obfuscation: obfuscationFor(diff) } : {}),
        });
      }
      this.host.emit({
        type: 'response.apply_patch_call_operation_diff.done',
        sequence_number: this.host.sequence,
        ...ref,
        diff,
      });
    }
    this.host.emit({
      type: 'response.output_item.done',
      sequence_number: this.host.sequence,
      output_index: outputIndex,
      item: this.host.unobserved ? item : { ...item },
    });
  }
}

/** The item as `output_item.added` shows it: in progress, an apply_patch diff still empty. */
function opening(item: OutputItem): OutputItem {
  if (item.type === 'apply_patch_call' && item.operation.type !== 'delete_file')
    return { ...item, status: 'in_progress', operation: { ...item.operation, diff: '' } };
  if (item.type === 'message' || item.type === 'reasoning' || item.type === 'compaction') return item;
  return { ...item, status: 'in_progress' };
}

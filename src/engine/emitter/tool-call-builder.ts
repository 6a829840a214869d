/**
 * The events of the model's calls to the client's tools: function_call and custom_tool_call
 * items, their streamed arguments or input, and their `done` events. A model may stream several
 * calls interleaved, so each stays open until its own end (or until the response ends).
 */
import { newId } from '../../ids.js';
import type { ResponseEvent } from '../../protocol/events.js';
import type { ItemStatus, OutputItem } from '../../protocol/response.js';
import type { ToolKind } from '../../providers/types.js';
import { obfuscationFor } from '../obfuscation.js';
import type { ItemHost } from './item-host.js';

interface ToolBlock {
  outputIndex: number;
  itemId: string;
  toolKind: ToolKind;
}

export class ToolCallBuilder {
  private readonly blocks = new Map<string, ToolBlock>();
  private readonly open = new Set<number>();

  /** @param namespacedTools upstream names of tools inside `namespace` tools → how calls are reported. */
  constructor(
    private readonly host: ItemHost,
    private readonly namespacedTools: ReadonlyMap<string, { namespace: string; name: string }> | undefined,
  ) {}

  start(blockId: string, callId: string, name: string, toolKind: ToolKind): void {
    this.host.closeCurrentItem('completed');
    const outputIndex = this.host.response.output.length;
    const itemId = newId(toolKind === 'function' ? 'fc' : 'ctc');
    this.blocks.set(blockId, { outputIndex, itemId, toolKind });
    this.open.add(outputIndex);
    const namespaced = this.namespacedTools?.get(name);
    const called = namespaced ? { name: namespaced.name, namespace: namespaced.namespace } : { name };
    const item: OutputItem =
      toolKind === 'function'
        ? {
            id: itemId,
            type: 'function_call',
            status: 'in_progress',
            arguments: '',
            call_id: callId,
            ...called,
          }
        : {
            id: itemId,
            type: 'custom_tool_call',
            status: 'in_progress',
            call_id: callId,
            input: '',
            ...called,
          };
    this.host.emit({
      type: 'response.output_item.added',
      sequence_number: this.host.sequence,
      output_index: outputIndex,
      item,
    });
  }

  delta(blockId: string, delta: string): void {
    const block = this.blocks.get(blockId);
    if (!block || delta === '') return;
    const ref = {
      sequence_number: this.host.sequence,
      item_id: block.itemId,
      output_index: block.outputIndex,
    };
    const event: ResponseEvent =
      block.toolKind === 'function'
        ? { type: 'response.function_call_arguments.delta', ...ref, delta }
        : { type: 'response.custom_tool_call_input.delta', ...ref, delta };
    if (this.host.obfuscate) event.obfuscation = obfuscationFor(delta);
    this.host.emit(event);
  }

  end(blockId: string): void {
    const block = this.blocks.get(blockId);
    if (!block) return;
    this.blocks.delete(blockId);
    this.finish(block.outputIndex, 'completed');
  }

  /** Ends every call still open (a message or reasoning item follows, or the response ends). */
  closeAll(status: ItemStatus): void {
    this.blocks.clear();
    for (const outputIndex of [...this.open]) this.finish(outputIndex, status);
  }

  private finish(outputIndex: number, status: ItemStatus): void {
    if (!this.open.delete(outputIndex)) return;
    const item = this.host.response.output[outputIndex];
    const ref = { sequence_number: this.host.sequence, item_id: item?.id ?? '', output_index: outputIndex };
    if (item?.type === 'function_call') {
      this.host.emit({
        type: 'response.function_call_arguments.done',
        ...ref,
        arguments: item.arguments,
        name: item.name,
      });
    } else if (item?.type === 'custom_tool_call') {
      this.host.emit({ type: 'response.custom_tool_call_input.done', ...ref, input: item.input });
    } else {
      return;
    }
    this.host.itemDone(outputIndex, status);
  }
}

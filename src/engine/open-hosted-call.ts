/**
 * Where a built-in call's item starts, once its arguments are in: a call that needs the client's
 * approval becomes that request's item (finished at once, never run); any other call opens its
 * tool's item, which runHostedCall finishes.
 */
import { newId } from '../ids.js';
import type { ToolCall } from '../tools/types.js';
import type { ResponseEmitter } from './response-emitter.js';
import type { HostedCall } from './turn-recorder.js';

export type OpenedCall = { kind: 'held' } | { kind: 'opened'; outputIndex: number } | { kind: 'over-budget' };

/**
 * @param budget whether max_tool_calls leaves room for one more run; a call held for approval does
 * not run in this response, so it needs none.
 */
export function openHostedCall(emitter: ResponseEmitter, call: HostedCall, budget: boolean): OpenedCall {
  const { tool, prepared } = call.hosted;
  const request = (itemId: string): ToolCall => ({
    itemId,
    callId: call.callId,
    arguments: call.arguments,
    function: call.hosted.function,
  });
  const held = prepared.hold?.(request(''));
  if (!held && !budget) return { kind: 'over-budget' };
  emitter.endCurrentItem();
  if (held) {
    const outputIndex = emitter.hosted.open(held.type, newId(held.idPrefix), held.fields);
    emitter.hosted.done(outputIndex, {});
    return { kind: 'held' };
  }
  const itemId = newId(tool.idPrefix);
  let fields: Record<string, unknown> = {};
  try {
    fields = prepared.openItem(request(itemId));
  } catch {
    // Arguments the tool cannot read: the call itself reports that when it runs.
  }
  return { kind: 'opened', outputIndex: emitter.hosted.open(tool.itemType, itemId, fields) };
}

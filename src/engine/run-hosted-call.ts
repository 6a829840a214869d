/**
 * Runs one built-in call inside its item: a tool that throws or runs out of time ends its own item
 * `failed` / `incomplete` and the model is told why; the response goes on. Only the response's own
 * abort (cancel, disconnect, shutdown) stops more than the call.
 */
import { newId } from '../ids.js';
import type { UserPart } from '../providers/types.js';
import type { ResponseEmitter } from './response-emitter.js';
import type { ToolLoop } from './tool-loop.js';
import type { HostedCall } from './turn-recorder.js';

export async function runHostedCall(
  call: HostedCall,
  how: {
    itemId: string;
    outputIndex: number;
    emitter: ResponseEmitter;
    signal: AbortSignal;
    loop: ToolLoop;
  },
): Promise<string | UserPart[]> {
  const { emitter, outputIndex, signal, loop } = how;
  const timeout = AbortSignal.timeout(loop.timeoutMs);
  const callSignal = AbortSignal.any([signal, timeout]);
  const toolCall = {
    itemId: how.itemId,
    callId: call.callId,
    arguments: call.arguments,
    function: call.hosted.function,
  };
  // Names and ids only: the call's arguments and output are content.
  const span = loop.span?.child(`execute_tool ${call.hosted.type}`, 'internal', {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': call.hosted.type,
    'gen_ai.tool.type': 'extension',
    'gen_ai.tool.call.id': call.callId,
    'rgw.tool.item_id': how.itemId,
  });
  const ended = (status: 'completed' | 'incomplete' | 'failed' | 'aborted') => {
    span?.set({ 'rgw.tool.status': status });
    if (status === 'failed' || status === 'incomplete')
      span?.fail(status === 'failed' ? 'tool_error' : 'timeout');
    span?.end();
  };
  try {
    const result = await call.hosted.prepared.execute(toolCall, {
      signal: callSignal,
      progress: (update) => {
        if (!signal.aborted) emitter.hosted.progress(outputIndex, update);
      },
      context: loop.context,
      cite: (source) => emitter.cite(source),
    });
    if (signal.aborted) {
      ended('aborted');
      return ABORTED;
    }
    ended('completed');
    emitter.hosted.done(outputIndex, { status: 'completed', ...result.item });
    for (const followUp of result.followUps ?? []) {
      const { status, ...fields } = followUp.fields;
      emitter.hosted.done(emitter.hosted.open(followUp.type, newId(followUp.idPrefix), fields), { status });
    }
    return result.output;
  } catch (error) {
    if (signal.aborted) {
      ended('aborted');
      return ABORTED;
    }
    if (timeout.aborted) {
      ended('incomplete');
      const seconds = Math.round(loop.timeoutMs / 1000);
      emitter.hosted.done(outputIndex, { status: 'incomplete' });
      return `The ${call.hosted.type} call did not finish within ${seconds} s and was stopped.`;
    }
    const message = error instanceof Error ? error.message : String(error);
    ended('failed');
    emitter.hosted.done(outputIndex, { status: 'failed' });
    return `The ${call.hosted.type} call failed: ${message}`;
  }
}

/** Never shown to a model: the response ends as soon as the loop sees the abort. */
const ABORTED = '';

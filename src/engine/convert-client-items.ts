/**
 * Client tools' call and output items of the input (apply_patch_call, shell_call_output, …) as the
 * model saw them: a call of the function the tool was declared as, and its result — each with the
 * item itself for a native Responses upstream, which takes them as they are.
 */
import { invalidRequest } from '../errors.js';
import type { AssistantPart, ModelMessage, NativeItem, UserPart } from '../providers/types.js';
import type { Entry } from './client-tools/client-tool.js';
import type { ClientToolSet } from './client-tools/client-tool-set.js';
import { answeredCallId, clientToolOfCall, clientToolOfOutput } from './client-tools/client-tools.js';
import { imageInput } from './media/media-input.js';
import type { MediaTable } from './media/resolve-media.js';

export type PushAssistant = (messages: ModelMessage[], parts: AssistantPart[]) => void;

/** Appends the item if it is a client tool's call or output; false when it is neither. */
export function appendClientItem(
  messages: ModelMessage[],
  item: Entry,
  param: string,
  how: {
    client: ClientToolSet | undefined;
    media: MediaTable;
    pushAssistant: PushAssistant;
    /**
     * The output answers a built-in call the model saw as a plain function (the hosted shell's):
     * a native upstream is sent it as that function's output, not as the item.
     */
    plain?: boolean;
  },
): boolean {
  const call = clientToolOfCall(item);
  if (call) {
    const callId = typeof item.call_id === 'string' ? item.call_id : '';
    how.pushAssistant(messages, [
      {
        type: 'tool-call',
        callId,
        toolName: how.client?.nameOf(call) ?? call.declare({ type: call.toolType }).name,
        input: call.argumentsOf(item),
        toolKind: 'function',
        native: nativeCall(item),
      },
    ]);
    return true;
  }
  const answered = clientToolOfOutput(item);
  if (!answered) return false;
  const answer = answered.answer(item);
  const output: string | UserPart[] =
    'text' in answer ? answer.text : [screenshotPart(answer.screenshot, item, param, how.media)];
  messages.push({
    role: 'tool',
    callId: answeredCallId(item),
    toolKind: 'function',
    output,
    ...(how.plain ? {} : { native: withoutId(item, item.type === 'local_shell_call_output') }),
  });
  return true;
}

/** A call as a native upstream takes it back: without the gateway's item id, with a status. */
function nativeCall(item: Entry): NativeItem {
  return { ...withoutId(item, false), status: typeof item.status === 'string' ? item.status : 'completed' };
}

/** Item ids are the gateway's, unknown upstream (local_shell_call_output's `id` names its call). */
function withoutId(item: Entry, keep: boolean): NativeItem {
  if (keep) return { ...item };
  const { id: _id, ...rest } = item;
  return { ...rest, type: item.type };
}

function screenshotPart(
  screenshot: { image_url?: string; file_id?: string },
  item: Entry,
  param: string,
  media: MediaTable,
): UserPart {
  // Resolved beforehand (media/resolve-media.ts) when the request went through the engine.
  const resolved = media.get(item.output as object);
  if (resolved) return resolved;
  const input = imageInput(
    { type: 'computer_screenshot', ...screenshot },
    (field) => `${param}.output.${field}`,
  );
  if (input.kind === 'file_id')
    throw invalidRequest(`No file with id '${input.fileId}' found.`, input.param, 'file_not_found');
  return {
    type: 'image',
    source:
      input.kind === 'url'
        ? { kind: 'url', url: input.url }
        : { kind: 'data', mediaType: input.mediaType, base64: input.base64 },
    detail: 'auto',
  };
}

/** Normalized messages → Responses input items: the whole context, rebuilt on every call. */
import { toDataUrl } from '../shared/data-url.js';
import type { AssistantPart, MessagePhase, ModelMessage, UserPart } from '../types.js';
import type {
  ResponsesAssistantContent,
  ResponsesInputContent,
  ResponsesInputItem,
} from './responses-api.js';

export function toResponsesInput(messages: readonly ModelMessage[]): ResponsesInputItem[] {
  const out: ResponsesInputItem[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        out.push({ type: 'message', role: message.role, content: message.content });
        break;
      case 'user':
        out.push({ type: 'message', role: 'user', content: message.content.map(toInputContent) });
        break;
      case 'assistant':
        appendAssistant(out, message.content);
        break;
      case 'tool':
        if (message.native) {
          out.push(message.native);
          break;
        }
        out.push({
          type: message.toolKind === 'function' ? 'function_call_output' : 'custom_tool_call_output',
          call_id: message.callId,
          output: typeof message.output === 'string' ? message.output : message.output.map(toInputContent),
        });
        break;
    }
  }
  return out;
}

/** True when some assistant turn carries reasoning the upstream can take back. */
export function hasReplayableReasoning(messages: readonly ModelMessage[]): boolean {
  return messages.some(
    (message) =>
      message.role === 'assistant' &&
      message.content.some((part) => part.type === 'reasoning' && part.encryptedContent != null),
  );
}

export function toInputContent(part: UserPart): ResponsesInputContent {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image':
      return {
        type: 'input_image',
        image_url: part.source.kind === 'url' ? part.source.url : toDataUrl(part.source),
        detail: part.detail,
      };
    case 'file':
      return {
        type: 'input_file',
        ...(part.source.kind === 'url'
          ? { file_url: part.source.url }
          : { file_data: toDataUrl(part.source) }),
        ...(part.filename !== undefined ? { filename: part.filename } : {}),
      };
  }
}

/**
 * One assistant turn becomes items in its own order: text and refusal parts in a row share one
 * message; reasoning and tool calls are items of their own.
 */
function appendAssistant(out: ResponsesInputItem[], parts: readonly AssistantPart[]): void {
  let content: ResponsesAssistantContent[] | null = null;
  let phase: MessagePhase | undefined;
  const flush = () => {
    if (content && content.length > 0)
      out.push({ type: 'message', role: 'assistant', content, ...(phase === undefined ? {} : { phase }) });
    content = null;
  };
  /** The message the part belongs in: the open one, or a new one when its phase differs. */
  const messageFor = (part: { phase?: MessagePhase }): ResponsesAssistantContent[] => {
    if (content && part.phase !== phase) flush();
    phase = part.phase;
    content ??= [];
    return content;
  };
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        messageFor(part).push({ type: 'output_text', text: part.text });
        break;
      case 'refusal':
        messageFor(part).push({ type: 'refusal', refusal: part.refusal });
        break;
      case 'reasoning':
        flush();
        // Without its encrypted content the upstream cannot take reasoning back (it kept none:
        // store is false), and reasoning from another provider is not its own: it reasons anew.
        if (part.encryptedContent != null) {
          out.push({
            type: 'reasoning',
            summary: part.summary.map((text) => ({ type: 'summary_text', text })),
            encrypted_content: part.encryptedContent,
          });
        }
        break;
      case 'tool-call':
        flush();
        if (part.native) {
          out.push(part.native);
          break;
        }
        out.push(
          part.toolKind === 'function'
            ? { type: 'function_call', call_id: part.callId, name: part.toolName, arguments: part.input }
            : { type: 'custom_tool_call', call_id: part.callId, name: part.toolName, input: part.input },
        );
        break;
    }
  }
  flush();
}

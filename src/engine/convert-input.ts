/**
 * Public Responses input (instructions + string or items) → the normalized prompt providers take.
 * Consecutive assistant-side items (message, reasoning, tool calls) fold into one assistant turn,
 * which is how every chat-style upstream expects them.
 */
import { invalidRequest } from '../errors.js';
import type { InputContent } from '../protocol/create-response.js';
import type { ContextItem } from '../protocol/input-items.js';
import { isHostedItemType } from '../protocol/response.js';
import {
  type AssistantPart,
  type MediaSource,
  type MessagePhase,
  type ModelMessage,
  messagePhaseOf,
  type UserPart,
} from '../providers/types.js';
import type { Entry } from './client-tools/client-tool.js';
import type { ClientToolSet } from './client-tools/client-tool-set.js';
import { answeredCallId, clientToolOfOutput } from './client-tools/client-tools.js';
import { isOpenedCompaction, SUMMARY_PREFIX } from './compaction/compaction-item.js';
import { appendClientItem } from './convert-client-items.js';
import { type FieldParam, fileInput, imageInput } from './media/media-input.js';
import { type MediaTable, NO_MEDIA } from './media/resolve-media.js';
import { ApprovalReplay } from './replay-approvals.js';

/** The name the upstream knows a tool by (tools inside a `namespace` tool may be renamed). */
export type UpstreamToolName = (name: string, namespace: string | undefined) => string;

/**
 * A built-in tool's item from an earlier turn, as the model saw it: the call it made (under the
 * name the tool has in this request) and what it was answered.
 */
export type HostedReplay = (item: Record<string, unknown> & { type: string }) =>
  | {
      toolName: string;
      arguments: string;
      output: string | UserPart[];
    }
  | undefined;

export interface ConvertOptions {
  toolName?: UpstreamToolName;
  hosted?: HostedReplay | undefined;
  /** The request's client tools (apply_patch, shell, …): the names their earlier calls replay under. */
  client?: ClientToolSet | undefined;
  /**
   * The input's images and files, resolved (media/resolve-media.ts); a part not in it is
   * classified without I/O, and refused when it names a file id.
   */
  media?: MediaTable;
}

export function toModelMessages(
  instructions: string | null | undefined,
  input: string | readonly ContextItem[],
  options: ConvertOptions = {},
): ModelMessage[] {
  const { toolName = (name: string) => name, hosted, client, media = NO_MEDIA } = options;
  const messages: ModelMessage[] = [];
  if (instructions != null && instructions !== '') messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') {
    messages.push({ role: 'user', content: [{ type: 'text', text: input }] });
    return messages;
  }
  const approvals = new ApprovalReplay(hosted ?? replayAsRecorded);
  const answered = answeredByItems(input);
  /** Built-in calls whose answer is an output item of their own (the hosted shell's shell_call_output). */
  const hostedCalls = new Set<string>();
  for (const [index, item] of input.entries()) {
    const told = approvals.told(item);
    if (told !== undefined) {
      if (told !== null) appendHosted(messages, told.replayed, told.callId, false);
      continue;
    }
    const entry = item as Entry;
    const plain = hostedCalls.has(answeredCallId(entry));
    if (appendClientItem(messages, entry, `input[${index}]`, { client, media, pushAssistant, plain }))
      continue;
    const type = item.type ?? 'message';
    if (isHostedItemType(type)) {
      const call = item as Record<string, unknown> & { type: string };
      // Paired with its output item by call_id when it has one (shell_call), else by its own id.
      const callId =
        typeof call.call_id === 'string'
          ? call.call_id
          : typeof call.id === 'string'
            ? call.id
            : `${type}_${index}`;
      const answerFollows = answered.has(callId);
      if (answerFollows) hostedCalls.add(callId);
      appendHosted(messages, (hosted ?? replayAsRecorded)(call), callId, answerFollows);
      continue;
    }
    appendItem(messages, item, index, toolName, media);
  }
  return messages;
}

/** Call ids that a client tool's output item of the input answers (the hosted shell's shell_call_output). */
function answeredByItems(input: readonly ContextItem[]): Set<string> {
  const ids = new Set<string>();
  for (const item of input) if (clientToolOfOutput(item as Entry)) ids.add(answeredCallId(item as Entry));
  return ids;
}

function appendItem(
  messages: ModelMessage[],
  item: ContextItem,
  index: number,
  toolName: UpstreamToolName,
  media: MediaTable,
): void {
  const param = `input[${index}]`;
  const type = item.type ?? 'message';
  switch (type) {
    case 'message': {
      const message = item as Extract<ContextItem, { role: string }>;
      if (message.role === 'assistant') {
        pushAssistant(messages, assistantParts(message.content, param, messagePhaseOf(message.phase)));
      } else if (message.role === 'user') {
        messages.push({ role: 'user', content: userParts(message.content, `${param}.content`, media) });
      } else {
        messages.push({ role: message.role, content: textOf(message.content, `${param}.content`) });
      }
      return;
    }
    case 'function_call': {
      const call = item as Extract<ContextItem, { type: 'function_call' }>;
      pushAssistant(messages, [
        {
          type: 'tool-call',
          callId: call.call_id,
          toolName: toolName(call.name, call.namespace),
          input: call.arguments,
          toolKind: 'function',
        },
      ]);
      return;
    }
    case 'custom_tool_call': {
      const call = item as Extract<ContextItem, { type: 'custom_tool_call' }>;
      pushAssistant(messages, [
        {
          type: 'tool-call',
          callId: call.call_id,
          toolName: toolName(call.name, call.namespace),
          input: call.input,
          toolKind: 'custom',
        },
      ]);
      return;
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const result = item as Extract<
        ContextItem,
        { type: 'function_call_output' | 'custom_tool_call_output' }
      >;
      messages.push({
        role: 'tool',
        callId: result.call_id,
        toolKind: type === 'function_call_output' ? 'function' : 'custom',
        output:
          typeof result.output === 'string'
            ? result.output
            : userParts(result.output as InputContent[], `${param}.output`, media),
      });
      return;
    }
    case 'reasoning': {
      const reasoning = item as Extract<ContextItem, { type: 'reasoning' }>;
      pushAssistant(messages, [
        {
          type: 'reasoning',
          text: (reasoning.content ?? []).map((part) => part.text).join(''),
          summary: reasoning.summary.map((part) => part.text),
          ...(reasoning.encrypted_content != null ? { encryptedContent: reasoning.encrypted_content } : {}),
          // Set by resolveContext from the seal (never from a client's item, which has no such field).
          ...issuerOf(reasoning),
        },
      ]);
      return;
    }
    case 'compaction': {
      // resolveContext verified the seal and put the summary in; anything else is not ours.
      if (!isOpenedCompaction(item)) {
        throw invalidRequest(
          'The encrypted content of this compaction item could not be verified.',
          `${param}.encrypted_content`,
          'invalid_encrypted_content',
        );
      }
      messages.push({ role: 'developer', content: SUMMARY_PREFIX + item.summary });
      return;
    }
    case 'item_reference':
      throw invalidRequest(
        `Item reference '${(item as { id: string }).id}' cannot be resolved: no stored item with that id.`,
        `${param}.id`,
        'item_not_found',
      );
    default:
      throw invalidRequest(
        `Input items of type '${type}' are not supported by this gateway yet.`,
        `${param}.type`,
        'unsupported_value',
      );
  }
}

/**
 * A built-in item replayed as the model's call and its answer (nothing, when it has nothing to
 * tell); the call alone when an output item of the input answers it.
 */
function appendHosted(
  messages: ModelMessage[],
  replayed: ReturnType<HostedReplay>,
  callId: string,
  answerFollows: boolean,
): void {
  if (!replayed) return;
  pushAssistant(messages, [
    {
      type: 'tool-call',
      callId,
      toolName: replayed.toolName,
      input: replayed.arguments,
      toolKind: 'function',
    },
  ]);
  if (!answerFollows) messages.push({ role: 'tool', callId, toolKind: 'function', output: replayed.output });
}

/**
 * A built-in item no tool of this gateway knows (another server's transcript): the call's own
 * fields, and whatever result it carries.
 */
export const replayAsRecorded: HostedReplay = (item) => {
  const { id: _id, type, status, results, outputs, output, ...call } = item;
  const answer = results ?? outputs ?? output;
  return {
    toolName: type.replace(/_call$/, ''),
    arguments: JSON.stringify(call),
    output: answer == null ? `(status: ${String(status ?? 'unknown')})` : JSON.stringify(answer),
  };
};

function issuerOf(reasoning: object): { issuer?: string } {
  const issuer = (reasoning as { issuer?: unknown }).issuer;
  return typeof issuer === 'string' ? { issuer } : {};
}

function pushAssistant(messages: ModelMessage[], parts: AssistantPart[]): void {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') last.content.push(...parts);
  else messages.push({ role: 'assistant', content: parts });
}

function assistantParts(
  content: string | readonly InputContent[],
  param: string,
  phase: MessagePhase | undefined,
): AssistantPart[] {
  const labelled = phase === undefined ? {} : { phase };
  if (typeof content === 'string') return [{ type: 'text', text: content, ...labelled }];
  return content.map((part, i): AssistantPart => {
    if (part.type === 'output_text' || part.type === 'input_text')
      return { type: 'text', text: part.text, ...labelled };
    if (part.type === 'refusal') return { type: 'refusal', refusal: part.refusal, ...labelled };
    throw invalidRequest(
      `Assistant messages take output_text and refusal content, not '${part.type}'.`,
      `${param}.content[${i}].type`,
      'invalid_value',
    );
  });
}

function userParts(content: string | readonly InputContent[], param: string, media: MediaTable): UserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, i): UserPart => {
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: part.text };
      case 'input_image':
      case 'input_file':
        return media.get(part) ?? unresolvedMedia(part, (field) => `${param}[${i}].${field}`);
      default:
        throw invalidRequest(
          `Content of type '${part.type}' is not allowed here.`,
          `${param}[${i}].type`,
          'invalid_value',
        );
    }
  });
}

/**
 * A part the caller did not resolve (a check without I/O): its source is classified all the same,
 * so bad schemes and data URLs are refused; only a file id needs the resolver.
 */
function unresolvedMedia(
  part: Extract<InputContent, { type: 'input_image' | 'input_file' }>,
  param: FieldParam,
) {
  const input = part.type === 'input_image' ? imageInput(part, param) : fileInput(part, param);
  if (input.kind === 'file_id')
    throw invalidRequest(`No file with id '${input.fileId}' found.`, input.param, 'file_not_found');
  const source: MediaSource =
    input.kind === 'url'
      ? { kind: 'url', url: input.url }
      : { kind: 'data', mediaType: input.mediaType, base64: input.base64 };
  if (part.type === 'input_image') return { type: 'image' as const, source, detail: part.detail ?? 'auto' };
  return { type: 'file' as const, source, ...(part.filename != null ? { filename: part.filename } : {}) };
}

function textOf(content: string | readonly InputContent[], param: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, i) => {
      if (part.type === 'input_text' || part.type === 'output_text') return part.text;
      throw invalidRequest(
        `System and developer messages take text only, not '${part.type}'.`,
        `${param}[${i}].type`,
        'invalid_value',
      );
    })
    .join('\n');
}

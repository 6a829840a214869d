/**
 * Normalized prompt → Anthropic `system` + `messages`.
 *
 * - Leading system/developer messages become the `system` blocks; later ones (Codex-style mid-turn
 *   instructions) stay in place as user text, since Anthropic has no system role inside `messages`.
 * - Tool results become `tool_result` blocks in a user turn; consecutive results (parallel calls)
 *   and any user content that follows them share that one turn, results first.
 * - Reasoning goes back only as signed blocks: `thinking` with its signature, or `redacted_thinking`
 *   (see REDACTED_THINKING_PREFIX). Reasoning without a signature cannot be replayed and is left out.
 */
import { invalidRequest } from '../../errors.js';
import { wrapCustomInput } from '../shared/custom-tool.js';
import { mediaTypeFromName } from '../shared/data-url.js';
import type { AssistantPart, MediaSource, ModelMessage, UserPart } from '../types.js';
import {
  type AnthropicAssistantBlock,
  type AnthropicDocumentBlock,
  type AnthropicImageBlock,
  type AnthropicMessage,
  type AnthropicTextBlock,
  type AnthropicToolResultBlock,
  type AnthropicUserBlock,
  REDACTED_THINKING_PREFIX,
} from './anthropic-api.js';

export interface AnthropicPrompt {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
  warnings: string[];
}

export function convertToAnthropicMessages(messages: readonly ModelMessage[]): AnthropicPrompt {
  const system: AnthropicTextBlock[] = [];
  const out: AnthropicMessage[] = [];
  const warnings: string[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        if (message.content === '') break;
        if (out.length === 0) system.push({ type: 'text', text: message.content });
        else appendUser(out, [{ type: 'text', text: message.content }]);
        break;
      case 'user':
        appendUser(out, toUserBlocks(message.content, 'input'));
        break;
      case 'tool':
        appendUser(out, [toToolResult(message.callId, message.output)]);
        break;
      case 'assistant':
        appendAssistant(out, toAssistantBlocks(message.content, warnings));
        break;
    }
  }
  return { system, messages: out, warnings };
}

/** Drops thinking blocks (a call without thinking enabled), merging turns left adjacent. */
export function stripThinking(messages: readonly AnthropicMessage[]): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.role === 'user') appendUser(out, [...message.content]);
    else
      appendAssistant(
        out,
        message.content.filter((block) => block.type !== 'thinking' && block.type !== 'redacted_thinking'),
      );
  }
  return out;
}

/**
 * With thinking enabled, Anthropic wants the assistant turn that opened the running tool loop
 * (the last assistant turn, when only tool results follow it) to start with its thinking block.
 */
export function toolLoopLacksThinking(messages: readonly AnthropicMessage[]): boolean {
  const last = messages[messages.length - 1];
  const assistant = messages[messages.length - 2];
  if (last?.role !== 'user' || assistant?.role !== 'assistant') return false;
  if (!last.content.some((block) => block.type === 'tool_result')) return false;
  const first = assistant.content[0];
  return first?.type !== 'thinking' && first?.type !== 'redacted_thinking';
}

/** Anthropic tool ids match ^[a-zA-Z0-9_-]+$; ids from other upstreams are made to fit. */
export function toAnthropicToolId(callId: string): string {
  const id = callId.replace(/[^a-zA-Z0-9_-]/g, '_');
  return id === '' ? 'toolu_' : id;
}

function appendUser(out: AnthropicMessage[], blocks: AnthropicUserBlock[]): void {
  if (blocks.length === 0) return;
  const last = out[out.length - 1];
  if (last?.role !== 'user') {
    out.push({ role: 'user', content: blocks });
    return;
  }
  for (const block of blocks) {
    if (block.type !== 'tool_result') {
      last.content.push(block);
      continue;
    }
    // tool_result blocks lead their turn.
    let at = 0;
    while (at < last.content.length && last.content[at]?.type === 'tool_result') at++;
    last.content.splice(at, 0, block);
  }
}

function appendAssistant(out: AnthropicMessage[], blocks: AnthropicAssistantBlock[]): void {
  if (blocks.length === 0) return;
  const last = out[out.length - 1];
  if (last?.role === 'assistant') last.content.push(...blocks);
  else out.push({ role: 'assistant', content: blocks });
}

function toAssistantBlocks(parts: readonly AssistantPart[], warnings: string[]): AnthropicAssistantBlock[] {
  const blocks: AnthropicAssistantBlock[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') blocks.push({ type: 'text', text: part.text });
        break;
      case 'refusal':
        if (part.refusal !== '') blocks.push({ type: 'text', text: part.refusal });
        break;
      case 'reasoning': {
        const token = part.encryptedContent;
        if (token == null || token === '') break;
        if (token.startsWith(REDACTED_THINKING_PREFIX)) {
          blocks.push({ type: 'redacted_thinking', data: token.slice(REDACTED_THINKING_PREFIX.length) });
        } else {
          blocks.push({ type: 'thinking', thinking: part.text, signature: token });
        }
        break;
      }
      case 'tool-call':
        blocks.push({
          type: 'tool_use',
          id: toAnthropicToolId(part.callId),
          name: part.toolName,
          input: part.toolKind === 'custom' ? wrapCustomInput(part.input) : parseArguments(part, warnings),
        });
        break;
    }
  }
  return blocks;
}

function parseArguments(part: Extract<AssistantPart, { type: 'tool-call' }>, warnings: string[]): unknown {
  if (part.input.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(part.input);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  warnings.push(
    `function_call '${part.callId}': arguments are not a JSON object; sent to Anthropic as {"arguments": "..."}.`,
  );
  return { arguments: part.input };
}

function toToolResult(callId: string, output: string | UserPart[]): AnthropicToolResultBlock {
  const content =
    typeof output === 'string'
      ? output
      : toUserBlocks(output, 'input.output').filter(
          (b): b is AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock =>
            b.type !== 'tool_result',
        );
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: toAnthropicToolId(callId) };
  if (content.length > 0) block.content = content;
  return block;
}

function toUserBlocks(parts: readonly UserPart[], param: string): AnthropicUserBlock[] {
  const blocks: AnthropicUserBlock[] = [];
  for (const part of parts) {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'image') {
      blocks.push(toImageBlock(part.source));
    } else {
      blocks.push(toFileBlock(part, param));
    }
  }
  return blocks;
}

function toImageBlock(source: MediaSource): AnthropicImageBlock {
  return source.kind === 'data'
    ? { type: 'image', source: { type: 'base64', media_type: source.mediaType, data: source.base64 } }
    : { type: 'image', source: { type: 'url', url: source.url } };
}

function toFileBlock(
  part: Extract<UserPart, { type: 'file' }>,
  param: string,
): AnthropicDocumentBlock | AnthropicImageBlock {
  const title = part.filename != null ? { title: part.filename } : {};
  const { source } = part;
  if (source.kind === 'url') {
    // Anthropic fetches images and PDFs by URL; which one it is, only the name can tell here.
    if (mediaTypeFromName(source.url, 'application/pdf').startsWith('image/')) return toImageBlock(source);
    return { type: 'document', source: { type: 'url', url: source.url }, ...title };
  }
  if (source.mediaType === 'application/pdf') {
    return {
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: source.base64 },
      ...title,
    };
  }
  if (source.mediaType.startsWith('image/')) return toImageBlock(source);
  if (source.mediaType.startsWith('text/') || source.mediaType === 'application/json') {
    return {
      type: 'document',
      source: {
        type: 'text',
        media_type: 'text/plain',
        data: Buffer.from(source.base64, 'base64').toString('utf8'),
      },
      ...title,
    };
  }
  throw invalidRequest(
    `Files of type '${source.mediaType}' cannot be sent to an Anthropic upstream; it reads PDF, text and images.`,
    param,
    'unsupported_file',
  );
}

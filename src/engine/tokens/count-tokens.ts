/**
 * Token counts of a request's context, after OpenAI's chat accounting: every message costs its
 * content plus 4 (`<|start|>role<|message|>…<|end|>`), the reply is primed with 3 more, and tool
 * definitions are counted as their name, description and JSON schema plus a few framing tokens.
 * Images count a flat 85 tokens at `detail: "low"` and 765 otherwise (one 1024×1024 image at high
 * detail); files a flat 1,000 (their real cost depends on pages and text the gateway does not see).
 * These are approximations of what the upstream will bill, not the bill.
 */
import type { InputContent, Tool } from '../../protocol/create-response.js';
import type { ContextItem } from '../../protocol/input-items.js';
import type { Tokenizer } from './tokenizer.js';

export const MESSAGE_OVERHEAD = 4;
export const REPLY_PRIMING = 3;
export const TOOL_OVERHEAD = 8;
export const TOOLS_OVERHEAD = 12;
export const IMAGE_TOKENS_LOW = 85;
export const IMAGE_TOKENS = 765;
export const FILE_TOKENS = 1_000;

/** What a context holds besides its items: counted once, never truncated. */
export interface FixedContext {
  instructions: string | null | undefined;
  tools: readonly Tool[];
}

/** Instructions, tools and the reply priming. */
export function countFixed(fixed: FixedContext, tokenizer: Tokenizer): number {
  let tokens = REPLY_PRIMING;
  if (fixed.instructions != null && fixed.instructions !== '') {
    tokens += MESSAGE_OVERHEAD + tokenizer.count(fixed.instructions);
  }
  return tokens + countTools(fixed.tools, tokenizer);
}

export function countTools(tools: readonly Tool[], tokenizer: Tokenizer): number {
  if (tools.length === 0) return 0;
  let tokens = TOOLS_OVERHEAD;
  for (const tool of tools) {
    tokens += TOOL_OVERHEAD;
    if (tool.type === 'function') {
      tokens += tokenizer.count(tool.name) + tokenizer.count(tool.description ?? '');
      if (tool.parameters != null) tokens += tokenizer.count(JSON.stringify(tool.parameters));
    } else if (tool.type === 'custom') {
      tokens += tokenizer.count(tool.name) + tokenizer.count(tool.description ?? '');
      if (tool.format != null) tokens += tokenizer.count(JSON.stringify(tool.format));
    } else {
      tokens += tokenizer.count(JSON.stringify(tool));
    }
  }
  return tokens;
}

/** One input item as the model sees it. */
export function countItem(item: ContextItem, tokenizer: Tokenizer): number {
  const record = item as Record<string, unknown>;
  switch (item.type ?? ('role' in item ? 'message' : 'item_reference')) {
    case 'message':
      return MESSAGE_OVERHEAD + countContent(record.content as string | InputContent[], tokenizer);
    case 'function_call':
      return (
        MESSAGE_OVERHEAD + tokenizer.count(String(record.name)) + tokenizer.count(String(record.arguments))
      );
    case 'custom_tool_call':
      return MESSAGE_OVERHEAD + tokenizer.count(String(record.name)) + tokenizer.count(String(record.input));
    case 'function_call_output':
    case 'custom_tool_call_output':
      return MESSAGE_OVERHEAD + countContent(record.output as string | InputContent[], tokenizer);
    case 'reasoning': {
      const parts = [
        ...((record.summary as Array<{ text: string }> | undefined) ?? []),
        ...((record.content as Array<{ text: string }> | null | undefined) ?? []),
      ];
      return parts.reduce((sum, part) => sum + tokenizer.count(part.text), 0);
    }
    case 'compaction':
      // Opened by resolveContext: the summary is what the model reads.
      return MESSAGE_OVERHEAD + tokenizer.count(typeof record.summary === 'string' ? record.summary : '');
    default:
      return MESSAGE_OVERHEAD + tokenizer.count(JSON.stringify(item));
  }
}

function countContent(content: string | readonly InputContent[] | null | undefined, tokenizer: Tokenizer) {
  if (content == null) return 0;
  if (typeof content === 'string') return tokenizer.count(content);
  let tokens = 0;
  for (const part of content) {
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        tokens += tokenizer.count(part.text);
        break;
      case 'refusal':
        tokens += tokenizer.count(part.refusal);
        break;
      case 'input_image':
        tokens += part.detail === 'low' ? IMAGE_TOKENS_LOW : IMAGE_TOKENS;
        break;
      case 'input_file':
        tokens += FILE_TOKENS;
        break;
    }
  }
  return tokens;
}

/** The whole context: fixed part and every item. */
export function countContext(
  fixed: FixedContext,
  items: readonly ContextItem[],
  tokenizer: Tokenizer,
): number {
  let tokens = countFixed(fixed, tokenizer);
  for (const item of items) tokens += countItem(item, tokenizer);
  return tokens;
}

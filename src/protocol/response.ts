/**
 * Public shapes of the Response object and its output items, following the `openai` package's
 * types (resources/responses). Kept separate from any upstream wire format.
 */
import type { ClientToolCallItem } from './client-tool-items.js';

export type * from './client-tool-items.js';

export interface TopLogprob {
  token: string;
  bytes: number[];
  logprob: number;
}
export interface Logprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

/** Citations on output text (openai `ResponseOutputText` annotations). */
export type Annotation =
  | { type: 'file_citation'; file_id: string; filename: string; index: number }
  | { type: 'url_citation'; url: string; title: string; start_index: number; end_index: number }
  | {
      type: 'container_file_citation';
      container_id: string;
      file_id: string;
      filename: string;
      start_index: number;
      end_index: number;
    }
  | { type: 'file_path'; file_id: string; index: number };

export interface OutputTextPart {
  type: 'output_text';
  annotations: Annotation[];
  logprobs?: Logprob[];
  text: string;
}
export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}
export interface ReasoningTextPart {
  type: 'reasoning_text';
  text: string;
}
export interface SummaryTextPart {
  type: 'summary_text';
  text: string;
}

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export type OutputMessage = {
  id: string;
  type: 'message';
  status: ItemStatus;
  content: Array<OutputTextPart | RefusalPart>;
  role: 'assistant';
  /** Set when the upstream labels its messages (gpt-5.3-codex and later); kept for later turns. */
  phase?: 'commentary' | 'final_answer' | null;
};
export type FunctionCallItem = {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  arguments: string;
  call_id: string;
  name: string;
  /** The `namespace` tool the called function belongs to. */
  namespace?: string;
};
export type CustomToolCallItem = {
  id: string;
  type: 'custom_tool_call';
  status?: ItemStatus;
  call_id: string;
  input: string;
  name: string;
  namespace?: string;
};
export type ReasoningItem = {
  id: string;
  type: 'reasoning';
  status?: ItemStatus;
  summary: SummaryTextPart[];
  content?: ReasoningTextPart[];
  encrypted_content?: string | null;
};

/** A summary of earlier turns, sealed by the gateway (see compaction/compaction-item.ts). */
export type CompactionItem = {
  id: string;
  type: 'compaction';
  encrypted_content: string;
};

/** Items of the tools the gateway runs itself (one folder each under src/tools/). */
export const HOSTED_ITEM_TYPES = [
  'file_search_call',
  'web_search_call',
  'code_interpreter_call',
  'image_generation_call',
  'mcp_call',
  'mcp_list_tools',
  'mcp_approval_request',
  'shell_call',
  'shell_call_output',
] as const;
export type HostedItemType = (typeof HOSTED_ITEM_TYPES)[number];

/** `searching` / `interpreting` / `generating` are the phases OpenAI shows while a tool runs. */
export type HostedItemStatus =
  | 'in_progress'
  | 'searching'
  | 'interpreting'
  | 'generating'
  | 'completed'
  | 'incomplete'
  | 'failed';

/**
 * A built-in tool's call (file_search_call, code_interpreter_call, …): the fields besides these
 * are each tool's own (`queries`/`results`, `code`/`outputs`, …), as the `openai` types show them.
 */
export interface HostedToolCallItem {
  id: string;
  type: HostedItemType;
  /** Absent from the items OpenAI shows without one (`mcp_list_tools`, `mcp_approval_request`). */
  status?: HostedItemStatus;
  [field: string]: unknown;
}

export function isHostedItemType(type: string): type is HostedItemType {
  return (HOSTED_ITEM_TYPES as readonly string[]).includes(type);
}

export type OutputItem =
  | OutputMessage
  | FunctionCallItem
  | CustomToolCallItem
  | ReasoningItem
  | CompactionItem
  | HostedToolCallItem
  | ClientToolCallItem;
export type ContentPart = OutputTextPart | RefusalPart | ReasoningTextPart;

export interface Usage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';

export interface ResponseErrorInfo {
  code: string;
  message: string;
}

/** The Response object, field order as OpenAI serialises it. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: boolean;
  completed_at: number | null;
  content_filters: unknown[] | null;
  conversation: { id: string } | null;
  error: ResponseErrorInfo | null;
  frequency_penalty: number;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | unknown[] | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  model: string;
  output: OutputItem[];
  output_text: string;
  parallel_tool_calls: boolean;
  presence_penalty: number;
  previous_response_id: string | null;
  prompt: unknown | null;
  prompt_cache_key: string | null;
  prompt_cache_retention: string | null;
  reasoning: { effort: string | null; summary: string | null };
  safety_identifier: string | null;
  service_tier: string;
  store: boolean;
  temperature: number;
  text: { format: Record<string, unknown>; verbosity: string };
  tool_choice: unknown;
  tools: unknown[];
  top_logprobs: number;
  top_p: number;
  truncation: 'auto' | 'disabled';
  usage: Usage | null;
  user: string | null;
  metadata: Record<string, string>;
}

export function emptyUsage(): Usage {
  return {
    input_tokens: 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 0,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 0,
  };
}

/** The SDK's `output_text` convenience: every output_text part of every message, in order. */
export function collectOutputText(output: readonly OutputItem[]): string {
  let text = '';
  for (const item of output) {
    if (item.type !== 'message') continue;
    for (const part of item.content) if (part.type === 'output_text') text += part.text;
  }
  return text;
}

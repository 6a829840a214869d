/**
 * Wire shapes of the OpenAI Responses API (`POST /v1/responses`) as this provider sends and reads
 * them: OpenAI itself and aggregators that speak the same wire. Only the fields used are typed;
 * upstream JSON is read defensively (every field optional), since compatible servers vary.
 */
import type { NativeItem } from '../types.js';

// ---------------------------------------------------------------- request

export type ResponsesInputContent =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail: 'low' | 'high' | 'auto' | 'original' }
  | { type: 'input_file'; file_data?: string; file_url?: string; filename?: string };

export type ResponsesAssistantContent =
  | { type: 'output_text'; text: string }
  | { type: 'refusal'; refusal: string };

/**
 * Input items for a stateless call (`store: false`): no item ids, since the upstream keeps nothing
 * that an id could refer to; reasoning goes back by its `encrypted_content` alone (as OpenAI's own
 * Codex CLI replays it).
 */
export type ResponsesInputItem =
  | { type: 'message'; role: 'system' | 'developer'; content: string }
  | { type: 'message'; role: 'user'; content: ResponsesInputContent[] }
  | {
      type: 'message';
      role: 'assistant';
      content: ResponsesAssistantContent[];
      phase?: 'commentary' | 'final_answer';
    }
  | {
      type: 'reasoning';
      summary: Array<{ type: 'summary_text'; text: string }>;
      encrypted_content: string;
    }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'custom_tool_call'; call_id: string; name: string; input: string }
  | { type: 'function_call_output'; call_id: string; output: string | ResponsesInputContent[] }
  | { type: 'custom_tool_call_output'; call_id: string; output: string | ResponsesInputContent[] }
  /** A client tool's call or output item, as the gateway's own input had it (apply_patch_call, …). */
  | NativeItem;

export type ResponsesTool =
  | {
      type: 'function';
      name: string;
      description?: string;
      parameters: Record<string, unknown> | null;
      strict?: boolean;
    }
  | { type: 'custom'; name: string; description?: string; format?: unknown }
  /** A tool this API knows natively (apply_patch, shell, computer, tool_search, …), as the client sent it. */
  | NativeItem;

export type ResponsesToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function' | 'custom'; name: string }
  | { type: string }
  | {
      type: 'allowed_tools';
      mode: 'auto' | 'required';
      tools: Array<{ type: 'function' | 'custom'; name: string } | { type: string }>;
    };

export type ResponsesTextFormat =
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      description?: string;
      strict?: boolean;
    };

export interface ResponsesRequest {
  model: string;
  input: ResponsesInputItem[];
  /** Always false: the gateway owns state and rebuilds the full context on every call. */
  store: false;
  stream?: boolean;
  include?: string[];
  /** Functions and custom tools, then built-in entries the upstream runs (passed as given). */
  tools?: Array<ResponsesTool | Readonly<Record<string, unknown>>>;
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean;
  text?: { format?: ResponsesTextFormat; verbosity?: string };
  reasoning?: { effort?: string; summary?: string };
  max_output_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_logprobs?: number;
  metadata?: Record<string, string>;
  safety_identifier?: string;
  service_tier?: string;
  prompt_cache_key?: string;
}

// ---------------------------------------------------------------- response

export interface ResponsesTopLogprob {
  token?: string;
  logprob?: number;
  bytes?: number[] | null;
}
export interface ResponsesLogprob {
  token: string;
  logprob: number;
  bytes?: number[] | null;
  top_logprobs?: ResponsesTopLogprob[] | null;
}

export interface ResponsesContentPart {
  type?: string;
  text?: string;
  refusal?: string;
  logprobs?: ResponsesLogprob[] | null;
  /** url_citation and the like, from the upstream's own built-in tools. */
  annotations?: Array<Record<string, unknown>> | null;
}

export interface ResponsesOutputItem {
  id?: string;
  type?: string;
  status?: string;
  role?: string;
  content?: ResponsesContentPart[] | null;
  summary?: Array<{ type?: string; text?: string }> | null;
  encrypted_content?: string | null;
  call_id?: string;
  name?: string;
  arguments?: string;
  input?: string;
  /**
   * A web_search_call's action (its query, page, sources); client tool call items
   * (apply_patch_call, computer_call, …) carry fields of their own.
   */
  [field: string]: unknown;
}

export interface ResponsesUsage {
  input_tokens?: number;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens?: number;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
  total_tokens?: number;
}

export interface ResponsesErrorBody {
  code?: string | null;
  message?: string;
  type?: string;
  param?: string | null;
}

export interface ResponsesResponse {
  id?: string;
  object?: string;
  status?: string;
  model?: string;
  output?: ResponsesOutputItem[] | null;
  usage?: ResponsesUsage | null;
  error?: ResponsesErrorBody | null;
  incomplete_details?: { reason?: string | null } | null;
}

/** One streamed event. A single loose shape: the translator switches on `type`. */
export interface ResponsesStreamEvent {
  type?: string;
  sequence_number?: number;
  response?: ResponsesResponse;
  output_index?: number;
  item_id?: string;
  item?: ResponsesOutputItem;
  content_index?: number;
  summary_index?: number;
  part?: ResponsesContentPart;
  delta?: string;
  logprobs?: ResponsesLogprob[] | null;
  text?: string;
  refusal?: string;
  arguments?: string;
  input?: string;
  /** `response.output_text.annotation.added`. */
  annotation?: Record<string, unknown>;
  /** `error` events. */
  code?: string | null;
  message?: string;
  param?: string | null;
  /** Some compatible servers nest the error. */
  error?: ResponsesErrorBody | string | null;
}

/** Wire shapes of the Chat Completions API, as OpenAI-compatible servers speak it. */

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'low' | 'high' | 'auto' } }
  | { type: 'file'; file: { file_data: string; filename?: string } };

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}
export interface ChatCustomToolCall {
  id: string;
  type: 'custom';
  custom: { name: string; input: string };
}

export type ChatMessage =
  | { role: 'system' | 'developer'; content: string }
  | { role: 'user'; content: string | ChatContentPart[] }
  | {
      role: 'assistant';
      content: string | null;
      refusal?: string;
      tool_calls?: Array<ChatToolCall | ChatCustomToolCall>;
    }
  | { role: 'tool'; tool_call_id: string; content: string | Array<{ type: 'text'; text: string }> };

export type ChatTool =
  | {
      type: 'function';
      function: {
        name: string;
        description?: string;
        parameters?: Record<string, unknown>;
        strict?: boolean;
      };
    }
  | { type: 'custom'; custom: { name: string; description?: string; format?: unknown } };

export type ChatToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | { type: 'custom'; custom: { name: string } }
  | {
      type: 'allowed_tools';
      allowed_tools: {
        mode: 'auto' | 'required';
        tools: Array<{ type: 'function'; function: { name: string } }>;
      };
    };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  response_format?:
    | { type: 'json_object' }
    | {
        type: 'json_schema';
        json_schema: {
          name: string;
          schema: Record<string, unknown>;
          strict?: boolean;
          description?: string;
        };
      };
  reasoning_effort?: string;
  verbosity?: string;
  max_completion_tokens?: number;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  metadata?: Record<string, string>;
  store?: boolean;
  user?: string;
  service_tier?: string;
  prompt_cache_key?: string;
}

export interface ChatTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs?: Array<{ token: string; logprob: number; bytes: number[] | null }>;
}

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface ChatToolCallDelta {
  index?: number;
  id?: string | null;
  type?: 'function' | 'custom';
  function?: { name?: string | null; arguments?: string | null } | null;
  custom?: { name?: string | null; input?: string | null } | null;
}

export interface ChatDelta {
  role?: string | null;
  content?: string | null;
  refusal?: string | null;
  /** DeepSeek, vLLM, SGLang. */
  reasoning_content?: string | null;
  /** OpenRouter, Ollama, newer vLLM. */
  reasoning?: string | null;
  tool_calls?: ChatToolCallDelta[] | null;
}

export interface ChatChunk {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    delta?: ChatDelta | null;
    finish_reason?: string | null;
    logprobs?: { content?: ChatTokenLogprob[] | null; refusal?: ChatTokenLogprob[] | null } | null;
  }>;
  usage?: ChatUsage | null;
  error?: { message?: string; type?: string; code?: string | number | null } | string;
}

export interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    message?: {
      role?: string;
      content?: string | null;
      refusal?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<ChatToolCall | ChatCustomToolCall> | null;
    } | null;
    finish_reason?: string | null;
    logprobs?: { content?: ChatTokenLogprob[] | null } | null;
  }>;
  usage?: ChatUsage | null;
  error?: { message?: string; type?: string; code?: string | number | null } | string;
}

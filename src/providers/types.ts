/**
 * The provider contract: a normalized request in, normalized stream parts out. Providers translate
 * these to and from their own wire format and never see the public Responses shapes.
 */

// ---------------------------------------------------------------- prompt

/**
 * Where an image's or a file's content is. The engine resolves every source before a provider sees
 * it (file ids read, data URLs parsed, URLs fetched when the upstream cannot fetch them itself), so
 * an adapter only maps these two forms to its wire format; a URL is always http(s).
 */
export type MediaSource = { kind: 'url'; url: string } | { kind: 'data'; mediaType: string; base64: string };

export type ImageDetail = 'low' | 'high' | 'auto' | 'original';

export type UserPart =
  | { type: 'text'; text: string }
  | { type: 'image'; source: MediaSource; detail: ImageDetail }
  | { type: 'file'; source: MediaSource; filename?: string };

/**
 * An assistant message's `phase` on the Responses wire: intermediate commentary or the final
 * answer. Only a native Responses upstream carries it; the others neither send nor take it.
 */
export type MessagePhase = 'commentary' | 'final_answer';

/** A `phase` field as the wire has it (absent, null or another string: none). */
export function messagePhaseOf(value: unknown): MessagePhase | undefined {
  return value === 'commentary' || value === 'final_answer' ? value : undefined;
}

export type AssistantPart =
  | { type: 'text'; text: string; phase?: MessagePhase }
  | { type: 'refusal'; refusal: string; phase?: MessagePhase }
  | {
      type: 'reasoning';
      text: string;
      summary: string[];
      /** The upstream's opaque reasoning token, as its provider gave it on `reasoning-end`. */
      encryptedContent?: string;
      /** The provider that issued `encryptedContent`: no other upstream can verify it. */
      issuer?: string;
    }
  | {
      type: 'tool-call';
      callId: string;
      toolName: string;
      input: string;
      toolKind: ToolKind;
      /** Opaque upstream signature to send back with the call (Gemini `thoughtSignature`). */
      signature?: string;
      /** The call as its own item, for an upstream that knows the tool (see FunctionToolSpec.native). */
      native?: NativeItem;
    };

/**
 * A client tool's item in the Responses wire shape (`apply_patch_call`, `shell_call_output`, …):
 * what a native Responses upstream is sent instead of the function form other upstreams get.
 */
export type NativeItem = { type: string } & Record<string, unknown>;

export type ToolKind = 'function' | 'custom';

/** OpenAI's built-in tools that a native Responses upstream can run itself. */
export const BUILT_IN_TOOL_FAMILIES = [
  'web_search',
  'file_search',
  'code_interpreter',
  'image_generation',
] as const;
export type BuiltInToolFamily = (typeof BUILT_IN_TOOL_FAMILIES)[number];
/** The items of their calls. */
export type UpstreamCallType = `${BuiltInToolFamily}_call`;

export type ModelMessage =
  | { role: 'system' | 'developer'; content: string }
  | { role: 'user'; content: UserPart[] }
  | { role: 'assistant'; content: AssistantPart[] }
  | {
      role: 'tool';
      callId: string;
      toolKind: ToolKind;
      output: string | UserPart[];
      /** The output as its own item, for an upstream that knows the tool. */
      native?: NativeItem;
    };

// ---------------------------------------------------------------- request

export interface FunctionToolSpec {
  kind: 'function';
  name: string;
  description?: string;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
  /** `defer_loading`: an upstream with tool search loads it on demand; others declare it outright. */
  deferLoading?: true;
  /**
   * A client tool declared as this function (`apply_patch`, `shell`, `computer`, …): its `tools`
   * entry, which a native Responses upstream is sent as it is. Calls to it come back under `name`.
   */
  native?: NativeItem;
}
export interface CustomToolSpec {
  kind: 'custom';
  name: string;
  description?: string;
  format?: unknown;
}
export type ToolSpec = FunctionToolSpec | CustomToolSpec;

export type ToolChoiceSpec =
  | { type: 'auto' | 'none' | 'required' }
  | { type: 'tool'; name: string }
  | {
      type: 'allowed';
      mode: 'auto' | 'required';
      names: string[];
      /** Entries of `nativeTools` allowed too, as `allowed_tools` selectors (`{type: "web_search"}`). */
      native?: NativeItem[];
    };

export type OutputFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      description?: string;
      strict: boolean | null;
    };

export interface ModelRequest {
  /** The model id the upstream knows (after routing stripped any provider prefix). */
  modelId: string;
  messages: ModelMessage[];
  tools: ToolSpec[];
  /**
   * `tools` entries only a native Responses upstream can use, as the client sent them (tool_search,
   * and built-in tools the upstream runs: engine/upstream-tools.ts); other upstreams leave them
   * out, and only adapters whose capabilities say so are given a built-in tool.
   */
  nativeTools?: NativeItem[];
  toolChoice: ToolChoiceSpec | undefined;
  /**
   * A `tool_choice` naming one of `nativeTools` (`{type: "web_search"}`), as the client wrote it:
   * only a native Responses upstream gets it, and it wins over `toolChoice`.
   */
  nativeToolChoice?: NativeItem;
  parallelToolCalls: boolean | undefined;
  outputFormat: OutputFormat | undefined;
  reasoningEffort: string | undefined;
  reasoningSummary: string | undefined;
  verbosity: string | undefined;
  maxOutputTokens: number | undefined;
  temperature: number | undefined;
  topP: number | undefined;
  /** Return per-token logprobs, with this many alternatives (0 = only the chosen token). */
  logprobs: number | undefined;
  metadata: Record<string, string> | undefined;
  user: string | undefined;
  serviceTier: string | undefined;
  promptCacheKey: string | undefined;
  /** `include` values about built-in tools the upstream runs (`web_search_call.action.sources`, …). */
  upstreamInclude?: readonly string[];
}

// ---------------------------------------------------------------- stream parts

/** One sampled token with its log probability and the alternatives the upstream gave. */
export interface TokenLogprob {
  token: string;
  bytes: number[];
  logprob: number;
  topLogprobs: Array<{ token: string; bytes: number[]; logprob: number }>;
}

export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
}

/**
 * What a provider yields. `id`s are provider-local and only pair start/delta/end of one block;
 * the emitter assigns the public item ids and indexes.
 */
export type StreamPart =
  /** `phase`: the upstream labelled the message this block is part of. */
  | { type: 'text-start'; id: string; phase?: MessagePhase }
  | { type: 'text-delta'; id: string; delta: string; logprobs?: TokenLogprob[] }
  | { type: 'text-end'; id: string }
  | { type: 'refusal-start'; id: string; phase?: MessagePhase }
  | { type: 'refusal-delta'; id: string; delta: string }
  | { type: 'refusal-end'; id: string }
  | { type: 'reasoning-start'; id: string }
  | { type: 'reasoning-delta'; id: string; delta: string; kind: 'text' | 'summary' }
  /**
   * `encryptedContent`: the upstream's opaque reasoning token, replayed verbatim (Anthropic: the
   * thinking block's signature, or `redacted_thinking:<data>`; Gemini: the `thoughtSignature`).
   */
  | { type: 'reasoning-end'; id: string; encryptedContent?: string }
  | {
      type: 'tool-input-start';
      id: string;
      callId: string;
      toolName: string;
      toolKind: ToolKind;
      /** Opaque upstream signature that must go back with the call (Gemini `thoughtSignature`). */
      signature?: string;
    }
  | { type: 'tool-input-delta'; id: string; delta: string }
  | { type: 'tool-input-end'; id: string }
  /** An annotation the upstream put on the text of block `id` (url_citation of its own web search). */
  | { type: 'text-annotation'; id: string; annotation: Record<string, unknown> }
  /** A built-in call the upstream ran itself, whole (its web_search_call, …), as its public fields. */
  | { type: 'upstream-call'; itemType: UpstreamCallType; fields: Record<string, unknown> }
  | { type: 'finish'; finishReason: FinishReason; usage: TokenUsage | undefined }
  | { type: 'warning'; message: string }
  | { type: 'error'; error: Error };

export interface CallOptions {
  signal: AbortSignal;
  /** Told which provider accepted the call (a route may fall back to another one). */
  onServed?: (provider: string) => void;
}

export interface LanguageModel {
  /** Provider name, for logs and metrics. */
  readonly provider: string;
  /**
   * Starts a call. Resolves once the upstream has accepted it (status and headers received), so
   * that failures before the first byte reject here and can fail over; later failures arrive as an
   * `error` part.
   */
  stream(
    request: ModelRequest,
    options: CallOptions,
  ): Promise<AsyncIterable<StreamPart> | Iterable<StreamPart>>;
  /** Same result without upstream streaming, cheaper for non-streaming clients. */
  generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]>;
  /** Releases what the model holds beyond HTTP connections (an in-process model's memory). */
  close?(): Promise<void>;
}

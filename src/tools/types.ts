/**
 * The seam every built-in tool plugs into. A tool is one folder under `src/tools/` exporting a
 * `BuiltInTool`; the engine's loop offers its definition to the model, runs its calls and emits its
 * item and events. Tools never see the HTTP layer; what they need from the store comes in through
 * their own constructor (repository interfaces), not through the engine.
 */
import type { IdPrefix } from '../ids.js';
import type { HostedItemType } from '../protocol/response.js';
import type { FunctionToolSpec, UserPart } from '../providers/types.js';

/** A phase of a hosted call's item, emitted as `response.<item type>.<phase>`. */
export type ToolPhase = 'in_progress' | 'searching' | 'interpreting' | 'generating' | 'completed' | 'failed';

/** What a running call reports while it works. */
export type ToolProgress =
  /** `response.<item type>.<phase>`, e.g. `response.file_search_call.searching`. */
  | { type: 'phase'; phase: ToolPhase }
  /**
   * A streamed field of the item, e.g. code_interpreter's `code` → `response.code_interpreter_call_code.delta`
   * or mcp's `arguments` → `response.mcp_call_arguments.delta`; `event` is the event's prefix.
   */
  | { type: 'delta'; event: string; delta: string }
  | { type: 'delta-done'; event: string; field: string; value: string }
  /** `response.image_generation_call.partial_image`: a preview of the image being made. */
  | { type: 'partial-image'; b64: string; index: number };

/** Per-request facts a tool may need. */
export interface ToolContext {
  tenantId: string;
  responseId: string;
  /** The request's `include` list (e.g. `file_search_call.results`). */
  include: readonly string[];
  /** The previous response in the chain, e.g. to reuse its container. */
  previousResponseId: string | undefined;
}

export interface ToolCall {
  /** The public item id the emitter gave the call (`fs_…`, `ci_…`). */
  itemId: string;
  /** The upstream's call id (pairs the model's tool call with its result). */
  callId: string;
  /** The model's arguments: JSON text matching the tool's `spec.parameters`. */
  arguments: string;
  /**
   * Which of the tool's functions the model called, by the name the tool gave it (the request may
   * have renamed it to keep names unique). A tool with one function can ignore it.
   */
  function?: string;
}

/**
 * A source a tool showed the model, which the answer may cite by the number `cite` gave it
 * (`【3】`); the engine turns such markers into the matching annotation.
 */
export type CitableSource =
  | { type: 'file_citation'; file_id: string; filename: string }
  | { type: 'url_citation'; url: string; title: string }
  | {
      type: 'container_file_citation';
      container_id: string;
      file_id: string;
      filename: string;
      /** Where the code sees it (`/mnt/data/out/plot.png`), for the link in the answer. */
      path: string;
    };

export interface ToolExecution {
  signal: AbortSignal;
  progress(update: ToolProgress): void;
  context: ToolContext;
  /** Registers a source for the answer to cite; numbers run from 1 across the whole response. */
  cite(source: CitableSource): number;
}

/** A finished call. */
export interface ToolResult {
  /**
   * The item's fields besides `id` and `type` (`status` included: `completed`, `failed` or
   * `incomplete`), as the public item shows them.
   */
  item: Record<string, unknown>;
  /** What the model is told. */
  output: string | UserPart[];
  /**
   * Items that show the result after the call's own, added and done at once (the hosted shell's
   * `shell_call_output`: OpenAI shows the commands and their output as two items).
   */
  followUps?: FollowUpItem[];
}

export interface FollowUpItem {
  type: HostedItemType;
  idPrefix: IdPrefix;
  /** The item's fields besides id and type, `status` included. */
  fields: Record<string, unknown>;
}

/**
 * An item a tool finished before the model's first turn (MCP's `mcp_list_tools`, an approved
 * `mcp_call`): it leads the output, emitted as if it ran then, and the model is told of it.
 */
export interface FinishedItem {
  type: HostedItemType;
  id: string;
  /** The fields it is added with (besides id, type, status). */
  opened: Record<string, unknown>;
  /** What it reported while it ran, in order. */
  progress: ToolProgress[];
  /** Its final fields, `status` included. */
  done: Record<string, unknown>;
}

/** What `begin` hands the engine. */
export interface ToolOpening {
  /** The functions the model sees (`ToolCall.function` names the one called). */
  functions: FunctionToolSpec[];
  items: FinishedItem[];
  /**
   * The tool's own function (`PreparedTool.spec`) as this response's context shapes it, under the
   * same name (image_generation offers the images it could edit): it replaces the one bound.
   */
  spec?: FunctionToolSpec;
}

/** Facts `begin` may need: the earlier turns and this request's input, as stored. */
export interface OpeningContext {
  tenantId: string;
  signal: AbortSignal;
  /** Items of the previous_response_id chain or the conversation, oldest first. */
  earlier: readonly Record<string, unknown>[];
  /** How an error about an earlier turn's item names it: `previous_response_id` or `conversation`. */
  earlierParam?: string;
  /** This request's input items; an error about `input[i]` names that index. */
  input: readonly Record<string, unknown>[];
}

/** A call shown to the client for approval instead of being run; the response ends after the turn. */
export interface HeldCall {
  type: HostedItemType;
  idPrefix: IdPrefix;
  /** The item's fields besides id and type. */
  fields: Record<string, unknown>;
}

/** One tool entry of a request, checked and bound to its settings. */
export interface PreparedTool {
  /**
   * The function the model sees (the request keeps names unique). A tool whose functions are known
   * only once it talked to its server (MCP) has none and gives them from `begin`.
   */
  readonly spec?: FunctionToolSpec;
  /** Item fields known before the call runs (e.g. `queries` parsed from the arguments). */
  openItem(call: ToolCall): Record<string, unknown>;
  execute(call: ToolCall, how: ToolExecution): Promise<ToolResult>;
  /**
   * Once per response, before the first model call (never for a background request's check): the
   * tool's functions and the items that lead the output. An error here is the request's (400).
   */
  begin?(how: OpeningContext): Promise<ToolOpening>;
  /** A call that needs the client's approval: the item shown instead of running it. */
  hold?(call: ToolCall): HeldCall | undefined;
  /** The response ended: release what `begin` or calls opened (sessions, connections). */
  close?(): Promise<void>;
}

export interface BuiltInTool {
  /** The request's tool `type`, e.g. `file_search`. */
  readonly type: string;
  /** The output item's `type`, e.g. `file_search_call`. */
  readonly itemType: HostedItemType;
  /** Prefix of the item ids, e.g. `fs`. */
  readonly idPrefix: IdPrefix;
  /**
   * Checks the request's tool entry (a GatewayError 400/404 naming `param` when it is wrong, before
   * any upstream call) and binds it.
   */
  prepare(entry: Record<string, unknown>, how: { tenantId: string; param: string }): Promise<PreparedTool>;
  /**
   * An item of this type from an earlier turn, told to a model: the call as the model made it and
   * what it was answered; `undefined` for an item the model need not hear of.
   */
  replay(item: Record<string, unknown>): ToolReplay | undefined;
  /** Other item types the tool produces (MCP's `mcp_list_tools`, `mcp_approval_request`), replayed by it too. */
  readonly otherItemTypes?: readonly HostedItemType[];
}

/**
 * An earlier item as the model is told it: a call and its answer, under `toolName` when the tool
 * names its functions per item (else the tool's one function). `undefined`: nothing to tell.
 */
export interface ToolReplay {
  arguments: string;
  output: string | UserPart[];
  toolName?: string;
}

/** What the response engine is built from and what it hands out (response-engine.ts). */
import type { Logger } from 'pino';
import type { ResponseObject } from '../protocol/response.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Store, StoredItem } from '../store/types.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { ToolPolicy } from './build-model-request.js';
import type { MediaResolver } from './media/resolve-media.js';
import type { ModelCatalog } from './model-limits.js';
import type { PromptTemplates } from './prompt-templates.js';
import type { ReasoningSealer } from './reasoning-seal.js';
import type { EventSink } from './response-emitter.js';
import type { ResponseObserver } from './response-report.js';
import type { TraceSpan } from './trace-span.js';

export interface EngineDeps {
  registry: ProviderRegistry;
  store: Store;
  sealer: ReasoningSealer;
  toolPolicy: ToolPolicy;
  logger: Logger;
  /** Context windows and tokenizers; default: the built-in table only. */
  models?: ModelCatalog;
  /** Prompt templates from the config file. */
  prompts?: PromptTemplates;
  /** The built-in tools the gateway runs itself. */
  tools?: ToolRegistry;
  /** Reads file ids and fetches media URLs; default: no files, the guard with no exceptions. */
  media?: MediaResolver;
  /** Told about every response that ran (usage rows, limits, metrics). */
  observer?: ResponseObserver;
}

/** What context resolution and counting outside a create need. */
export interface ContextDeps {
  registry: ProviderRegistry;
  store: Store;
  sealer: ReasoningSealer;
  models: ModelCatalog;
  media: MediaResolver;
}

export interface StartOptions {
  tenantId: string;
  /** The API key the request came with, for usage; default `unknown`. */
  keyId?: string;
  /** Logs about this response (with its request id); default the engine's. */
  logger?: Logger;
  stream: boolean;
  /** Aborts the upstream call: client disconnect or cancel. */
  signal: AbortSignal;
  /** A queued background response whose opening events were already sent: continue it. */
  resume?: { response: ResponseObject; nextSequence: number };
  /**
   * The chain `previous_response_id` names, already in hand (a WebSocket connection keeps its latest
   * response's): used instead of reading it from the store, so it works with store:false too.
   */
  previousContext?: readonly StoredItem[];
  /** The request's (or background run's) span: model and tool calls get spans under it. */
  span?: TraceSpan;
}

/** A response whose upstream call has been accepted; running it emits every event. */
export interface StartedResponse {
  readonly initial: ResponseObject;
  /**
   * What came before the output, as stored: earlier turns, then this input. With the output, it is
   * the chain a continuation of this response sees.
   */
  readonly context: readonly StoredItem[];
  /**
   * @param sink sees every event; without one (a non-streaming request) the events are made and
   * folded all the same, only without copies for a consumer.
   * @param backpressure returns a promise while the consumer cannot take more events; reading
   * from the upstream waits for it, so a slow client slows the upstream instead of filling memory.
   */
  run(sink?: EventSink, backpressure?: () => Promise<void> | undefined): Promise<ResponseObject>;
}

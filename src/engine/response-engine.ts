import { configSchema } from '../config/config-schema.js';
import { newId } from '../ids.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { nowSeconds } from '../now-seconds.js';
import type { CompactBody } from '../protocol/compact.js';
import type { CreateResponseBody } from '../protocol/create-response.js';
import { isTerminalEvent, type ResponseEvent } from '../protocol/events.js';
import { type ContextItem, isInputItem } from '../protocol/input-items.js';
import type { InputTokensBody } from '../protocol/input-tokens.js';
import type { ResponseObject } from '../protocol/response.js';
import type { ModelRequest } from '../providers/types.js';
import type { StoredItem } from '../store/types.js';
import { ToolRegistry } from '../tools/registry.js';
import type { FinishedItem } from '../tools/types.js';
import { buildModelRequest } from './build-model-request.js';
import { type CompactedResponse, compactResponse } from './compaction/compact-response.js';
import type { ContextDeps, EngineDeps, StartedResponse, StartOptions } from './engine-types.js';
import { openHostedTools, prepareHostedTools } from './hosted-tools.js';
import { initialResponse } from './initial-response.js';
import { conversationIdOf, countInputTokens, type InputTokenCount } from './input-tokens.js';
import { mediaParams } from './media/media-params.js';
import { MediaResolver } from './media/resolve-media.js';
import { ModelCallSpans } from './model-call-spans.js';
import { ModelCatalog } from './model-limits.js';
import { ResponseSaver, withHiddenSeals } from './persist-response.js';
import { prepareModelInput } from './prepare-model-input.js';
import { applyPromptTemplate, type PromptTemplates } from './prompt-templates.js';
import type { ReasoningPayload } from './reasoning-seal.js';
import { resolveContext } from './resolve-context.js';
import { type EventSink, ResponseEmitter } from './response-emitter.js';
import { driveResponse, type ModelParts, type ToolLoop, toResponseError } from './tool-loop.js';

export type { ContextDeps, EngineDeps, StartedResponse, StartOptions } from './engine-types.js';

const NO_TOOLS = new ToolRegistry();

export class ResponseEngine {
  private readonly contextDeps: ContextDeps;

  constructor(private readonly deps: EngineDeps) {
    this.contextDeps = {
      ...deps,
      models: deps.models ?? new ModelCatalog(),
      media: deps.media ?? defaultMediaResolver(),
    };
  }

  /** A reloaded config: model limits and prompt templates for the next response. */
  reconfigure(settings: { models: ModelCatalog; prompts: PromptTemplates }): void {
    this.contextDeps.models = settings.models;
    this.deps.prompts = settings.prompts;
  }

  /** `POST /v1/responses/input_tokens`. */
  countInputTokens(body: InputTokensBody, tenantId: string): Promise<InputTokenCount> {
    return countInputTokens(this.contextDeps, body, tenantId);
  }

  /** `POST /v1/responses/compact`. */
  compact(body: CompactBody, options: { tenantId: string; signal: AbortSignal }): Promise<CompactedResponse> {
    return compactResponse(this.contextDeps, body, options);
  }

  /**
   * Validates what only the engine can (model, context, tools), then calls the upstream. Rejects
   * with a GatewayError or UpstreamError before anything was emitted, so the server can still
   * answer with an HTTP error.
   */
  async start(requested: CreateResponseBody, options: StartOptions): Promise<StartedResponse> {
    const { registry, store, sealer, toolPolicy, observer } = this.deps;
    const logger = options.logger ?? this.deps.logger;
    const startedAt = Date.now();
    const body = applyPromptTemplate(requested, this.deps.prompts ?? {});
    const { model, modelId, mediaUrls, builtIns } = registry.resolve(body.model);
    const conversationId = conversationIdOf(body.conversation);
    const context = await resolveContext(
      {
        input: body.input,
        previousResponseId: body.previous_response_id,
        conversationId,
        previousContext: options.previousContext,
      },
      options.tenantId,
      store,
      sealer,
    );
    const prepared = await prepareModelInput(body, context, {
      model,
      modelId,
      limits: this.contextDeps.models.limitsFor(model.provider, modelId),
      sealer,
      signal: options.signal,
    });
    const tools = this.deps.tools ?? NO_TOOLS;
    const hosted = await prepareHostedTools(body.tools, tools, options.tenantId, builtIns);
    const leading = await openHostedTools(hosted.tools, {
      tenantId: options.tenantId,
      signal: options.signal,
      earlier: context.earlier,
      earlierParam: earlierParam(body, conversationId),
      input: context.storedInput,
    });
    const initial = options.resume?.response ?? initialResponse(newId('resp'), body, nowSeconds());
    // Which provider serves the current turn: its reasoning tokens are sealed with its name.
    let servedBy = model.provider;
    options.span?.set({ 'rgw.response.id': initial.id });
    const spans =
      options.span &&
      new ModelCallSpans(options.span, { provider: model.provider, modelId, stream: options.stream });
    const callOptions = {
      signal: options.signal,
      onServed: (provider: string) => {
        servedBy = provider;
        spans?.served(provider);
      },
    };
    const call = (request: ModelRequest): Promise<ModelParts> =>
      options.stream ? model.stream(request, callOptions) : model.generate(request, callOptions);
    const callModel = spans ? (request: ModelRequest) => spans.traced(() => call(request)) : call;
    const firstTurn = async () => {
      // After compaction and truncation: nothing is fetched for items the model will not see.
      const media = await this.contextDeps.media.resolve(prepared.items, {
        tenantId: options.tenantId,
        urls: mediaUrls,
        paramOf: mediaParams(requested, earlierParam(body, conversationId)),
        signal: options.signal,
      });
      // The model sees what the tools did before its turn right after the input.
      const built = buildModelRequest(
        body,
        [...prepared.items, ...leading.map(asInputItem)],
        modelId,
        toolPolicy,
        hosted,
        media,
      );
      for (const warning of built.warnings) logger.warn({ model: body.model }, warning);
      return { ...built, parts: await callModel(built.request) };
    };
    // Sessions the tools opened (MCP) end with the response, or now when it cannot start.
    const { request, namespacedTools, clientTools, parts } = await firstTurn().catch(
      async (error: unknown) => {
        await hosted.tools?.close();
        throw error;
      },
    );
    const include = body.include ?? [];
    const loop: ToolLoop | undefined = hosted.tools && {
      tools: hosted.tools,
      // Later turns extend the messages; the first request stays as it was sent.
      request: { ...request, messages: [...request.messages] },
      callModel,
      maxToolCalls: body.max_tool_calls ?? undefined,
      parallel: body.parallel_tool_calls !== false,
      context: {
        tenantId: options.tenantId,
        responseId: initial.id,
        include,
        previousResponseId: body.previous_response_id ?? undefined,
      },
      timeoutMs: toolPolicy.callTimeoutMs ?? 120_000,
      leading,
      span: options.span,
    };
    const emitterOptions = {
      includeLogprobs: include.includes('message.output_text.logprobs'),
      obfuscate: options.stream && body.stream_options?.include_obfuscation !== false,
      sealReasoning:
        include.includes('reasoning.encrypted_content') || body.store !== false
          ? (payload: ReasoningPayload) =>
              sealer.seal(payload.upstream === undefined ? payload : { ...payload, issuer: servedBy })
          : undefined,
      exposeReasoningSeal: include.includes('reasoning.encrypted_content'),
      firstSequence: options.resume?.nextSequence ?? 0,
      namespacedTools,
      clientTools,
    };
    const how = { store: body.store !== false, conversationId, resumed: options.resume !== undefined };
    // Without a store, a conversation or a queued row to update, there is nothing to persist.
    const persists = how.store || how.resumed || conversationId !== undefined;
    // A streamed response's id reaches the client with its first event, long before the end: it is
    // stored in_progress first, so that GET /v1/responses/{id} finds it while it runs. (A
    // non-streaming client learns the id only with the finished response.)
    const storedFirst = options.stream && how.store && !how.resumed;
    const saver = new ResponseSaver(
      this.deps.store,
      this.deps.logger,
      options.tenantId,
      context.storedInput,
      how,
    );
    const persist = (response: ResponseObject) => saver.save(response);
    return {
      initial,
      get context() {
        return [...context.earlier, ...context.storedInput];
      },
      run: async (sink, backpressure) => {
        // The final event waits until the response is stored, so it is readable once a client sees it.
        let terminal: ResponseEvent | undefined;
        let ttftMs: number | undefined;
        const noteFirstToken = (type: string) => {
          if (ttftMs === undefined && type.endsWith('.delta')) ttftMs = Date.now() - startedAt;
        };
        const emitter = new ResponseEmitter(
          initial,
          sink
            ? (event) => {
                noteFirstToken(event.type);
                if (isTerminalEvent(event)) terminal = event;
                else sink(event);
              }
            : (event) => noteFirstToken(event.type),
          sink ? emitterOptions : { ...emitterOptions, unobserved: true },
        );
        const report = (response: ResponseObject) =>
          observer?.finished({
            response,
            tenantId: options.tenantId,
            keyId: options.keyId ?? 'unknown',
            provider: servedBy,
            startedAt,
            latencyMs: Date.now() - startedAt,
            ttftMs,
            stream: options.stream,
          });
        // Committed before `response.created` goes out (the same group commit as other saves).
        if (storedFirst) {
          try {
            await persist(initial);
          } catch (error) {
            await stopReading(parts);
            throw error;
          }
        }
        let response: ResponseObject;
        try {
          response = await driveResponse(emitter, parts, {
            signal: options.signal,
            logger,
            opening: options.resume === undefined,
            backpressure,
            compaction: prepared.compaction,
            loop,
            onTurnEnd: spans && ((finish, ended) => spans.turnEnded(finish, ended)),
          });
        } catch (error) {
          // Not left in_progress until the next restart: stored as failed with what it had.
          const failed = failedWith(emitter.response, error);
          report(failed);
          if (storedFirst) await persist(failed).catch(() => undefined);
          throw error;
        } finally {
          spans?.close();
          await hosted.tools?.close();
        }
        report(response);
        if (persists) {
          try {
            await persist(withHiddenSeals(response, emitter.hiddenSeals));
          } catch (error) {
            // What was stored at the start is not left in progress, when the store still takes that.
            if (saver.saved) await persist(failedWith(response, error)).catch(() => undefined);
            throw error;
          }
        }
        if (terminal) sink?.(terminal);
        return response;
      },
    };
  }

  /**
   * Checks what a background request needs before it is queued (model, context) and returns its
   * input as it will be stored.
   */
  async check(requested: CreateResponseBody, tenantId: string): Promise<{ storedInput: StoredItem[] }> {
    const body = applyPromptTemplate(requested, this.deps.prompts ?? {});
    const { builtIns } = this.deps.registry.resolve(body.model);
    const conversationId = conversationIdOf(body.conversation);
    const context = await resolveContext(
      { input: body.input, previousResponseId: body.previous_response_id, conversationId },
      tenantId,
      this.deps.store,
      this.deps.sealer,
    );
    const tools = this.deps.tools ?? NO_TOOLS;
    const hosted = await prepareHostedTools(body.tools, tools, tenantId, builtIns);
    // File ids and URL schemes are checked now; URLs are fetched when the response runs.
    const media = await this.contextDeps.media.resolve(context.modelInput, {
      tenantId,
      urls: 'all',
      paramOf: mediaParams(requested, earlierParam(body, conversationId)),
    });
    buildModelRequest(body, context.modelInput, body.model, this.deps.toolPolicy, hosted, media);
    return { storedInput: context.storedInput };
  }

  /** Ends a queued response that could not start (upstream refused, context gone, restart). */
  async failQueued(
    tenantId: string,
    response: ResponseObject,
    nextSequence: number,
    error: unknown,
    sink: EventSink,
  ): Promise<void> {
    const emitter = new ResponseEmitter(response, sink, {
      includeLogprobs: false,
      obfuscate: false,
      firstSequence: nextSequence,
    });
    const failed = new ResponseEmitter(response, () => {}, { includeLogprobs: false, obfuscate: false });
    failed.fail(toResponseError(error));
    await this.deps.store.responses.update(tenantId, failed.response);
    emitter.fail(toResponseError(error));
  }
}

/** Stops the upstream call a response will not read (its parts are abandoned). */
async function stopReading(parts: ModelParts): Promise<void> {
  if (!(Symbol.asyncIterator in parts)) return;
  // The streams providers return are their own iterators: `return` ends the upstream call.
  await parts[Symbol.asyncIterator]()
    .return?.()
    .catch(() => undefined);
}

function failedWith(response: ResponseObject, error: unknown): ResponseObject {
  return { ...response, status: 'failed', error: toResponseError(error) };
}

/** The param of an error about a part from earlier turns. */
function earlierParam(body: CreateResponseBody, conversationId: string | undefined): string {
  if (body.previous_response_id != null) return 'previous_response_id';
  return conversationId !== undefined ? 'conversation' : 'input';
}

function defaultMediaResolver(): MediaResolver {
  const outbound = configSchema.shape.outbound.parse(undefined);
  return new MediaResolver({
    fetcher: new GuardedFetcher(),
    maxBytes: outbound.maxMediaBytes,
    timeoutMs: outbound.mediaTimeoutMs,
  });
}

/** A finished leading item as the model's input shows it (its final fields). */
function asInputItem(item: FinishedItem): ContextItem {
  const fields = { ...item.opened, ...item.done, id: item.id, type: item.type };
  // Every built-in item type is one input takes back.
  if (!isInputItem(fields))
    throw new Error(`a tool finished an item of type ${item.type}, which no input takes`);
  return fields;
}

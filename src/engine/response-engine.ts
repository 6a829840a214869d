/**
 * One response's life: resolve its context, call the model, drive the emitter from the stream
 * parts, and store the result before the final event goes out. Streaming and non-streaming
 * requests run through the same emitter; only the sink differs.
 */
import type { Logger } from 'pino';
import { GatewayError, UpstreamError } from '../errors.js';
import { newId } from '../ids.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { StreamPart, TokenUsage } from '../providers/types.js';
import type { CreateResponseBody } from '../server/schemas/create-response.js';
import type { Store, StoredItem } from '../store/types.js';
import { buildModelRequest, type ToolPolicy } from './build-model-request.js';
import { isTerminalEvent, type ResponseEvent } from './events.js';
import { initialResponse } from './initial-response.js';
import type { ReasoningSealer } from './reasoning-seal.js';
import { resolveContext } from './resolve-context.js';
import { type EventSink, ResponseEmitter } from './response-emitter.js';
import type { ResponseErrorInfo, ResponseObject } from './response-types.js';

export interface EngineDeps {
  registry: ProviderRegistry;
  store: Store;
  sealer: ReasoningSealer;
  toolPolicy: ToolPolicy;
  logger: Logger;
}

export interface StartOptions {
  tenantId: string;
  stream: boolean;
  /** Aborts the upstream call: client disconnect or cancel. */
  signal: AbortSignal;
  /** A queued background response whose opening events were already sent: continue it. */
  resume?: { response: ResponseObject; nextSequence: number };
}

/** A response whose upstream call has been accepted; running it emits every event. */
export interface StartedResponse {
  readonly initial: ResponseObject;
  run(sink: EventSink): Promise<ResponseObject>;
}

export class ResponseEngine {
  constructor(private readonly deps: EngineDeps) {}

  /**
   * Validates what only the engine can (model, context, tools), then calls the upstream. Rejects
   * with a GatewayError or UpstreamError before anything was emitted, so the server can still
   * answer with an HTTP error.
   */
  async start(body: CreateResponseBody, options: StartOptions): Promise<StartedResponse> {
    const { registry, store, sealer, toolPolicy, logger } = this.deps;
    const { model, modelId } = registry.resolve(body.model);
    const conversationId = conversationIdOf(body);
    const context = await resolveContext(
      { input: body.input, previousResponseId: body.previous_response_id, conversationId },
      options.tenantId,
      store,
      sealer,
    );
    const { request, warnings } = buildModelRequest(body, context.modelInput, modelId, toolPolicy);
    for (const warning of warnings) logger.warn({ model: body.model }, warning);
    const initial = options.resume?.response ?? initialResponse(newId('resp'), body, nowSeconds());
    const parts: AsyncIterable<StreamPart> | StreamPart[] = options.stream
      ? await model.stream(request, { signal: options.signal })
      : await model.generate(request, { signal: options.signal });
    const include = body.include ?? [];
    const emitterOptions = {
      includeLogprobs: include.includes('message.output_text.logprobs'),
      obfuscate: options.stream && body.stream_options?.include_obfuscation !== false,
      sealReasoning: include.includes('reasoning.encrypted_content') ? sealer.seal.bind(sealer) : undefined,
      firstSequence: options.resume?.nextSequence ?? 0,
    };
    const persist = (response: ResponseObject) =>
      this.persist(options.tenantId, response, context.storedInput, {
        store: body.store !== false,
        conversationId,
        resumed: options.resume !== undefined,
      });
    return {
      initial,
      run: async (sink) => {
        // The final event waits until the response is stored, so it is readable once a client sees it.
        let terminal: ResponseEvent | undefined;
        const emitter = new ResponseEmitter(
          initial,
          (event) => {
            if (isTerminalEvent(event)) terminal = event;
            else sink(event);
          },
          emitterOptions,
        );
        const response = await drive(emitter, parts, options.signal, logger, options.resume === undefined);
        await persist(response);
        if (terminal) sink(terminal);
        return response;
      },
    };
  }

  /**
   * Checks what a background request needs before it is queued (model, context) and returns its
   * input as it will be stored.
   */
  async check(body: CreateResponseBody, tenantId: string): Promise<{ storedInput: StoredItem[] }> {
    this.deps.registry.resolve(body.model);
    const context = await resolveContext(
      {
        input: body.input,
        previousResponseId: body.previous_response_id,
        conversationId: conversationIdOf(body),
      },
      tenantId,
      this.deps.store,
      this.deps.sealer,
    );
    buildModelRequest(body, context.modelInput, body.model, this.deps.toolPolicy);
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

  private async persist(
    tenantId: string,
    response: ResponseObject,
    storedInput: StoredItem[],
    how: { store: boolean; conversationId: string | undefined; resumed: boolean },
  ): Promise<void> {
    const { store, conversationId } = how;
    const appendTo =
      response.status === 'completed' || response.status === 'incomplete' ? conversationId : undefined;
    try {
      if (how.resumed) {
        await this.deps.store.responses.update(tenantId, response, appendTo);
      } else if (store) {
        await this.deps.store.responses.save(tenantId, { response, inputItems: storedInput }, appendTo);
      } else if (appendTo !== undefined) {
        await this.deps.store.conversations.appendItems(tenantId, appendTo, [
          ...storedInput,
          ...(response.output as unknown as StoredItem[]),
        ]);
      }
    } catch (error) {
      this.deps.logger.error({ err: error, responseId: response.id }, 'could not store response');
    }
  }
}

async function drive(
  emitter: ResponseEmitter,
  parts: AsyncIterable<StreamPart> | StreamPart[],
  signal: AbortSignal,
  logger: Logger,
  opening: boolean,
): Promise<ResponseObject> {
  if (opening) emitter.created();
  emitter.inProgress();
  let usage: TokenUsage | undefined;
  try {
    for await (const part of parts) {
      if (signal.aborted) break;
      switch (part.type) {
        case 'finish':
          usage = part.usage;
          emitter.finish(part.finishReason, part.usage, nowSeconds());
          return emitter.response;
        case 'error':
          emitter.fail(toResponseError(part.error), usage);
          return emitter.response;
        case 'warning':
          logger.warn({ responseId: emitter.response.id }, part.message);
          break;
        default:
          emitter.part(part);
      }
    }
  } catch (error) {
    if (!signal.aborted) {
      logger.warn({ err: error, responseId: emitter.response.id }, 'upstream failed mid-response');
      emitter.fail(toResponseError(error), usage);
      return emitter.response;
    }
  }
  if (signal.aborted) {
    // A shutdown aborts with a GatewayError: that ends the response as failed, not as cancelled.
    if (signal.reason instanceof GatewayError) emitter.fail(toResponseError(signal.reason), usage);
    else emitter.cancel(usage);
    return emitter.response;
  }
  emitter.fail(
    { code: 'server_error', message: 'The upstream stream ended without finishing the response.' },
    usage,
  );
  return emitter.response;
}

/** Response.error codes are a fixed set in OpenAI's API; upstream failures map onto it. */
function toResponseError(error: unknown): ResponseErrorInfo {
  if (error instanceof UpstreamError) {
    return { code: error.status === 429 ? 'rate_limit_exceeded' : 'server_error', message: error.message };
  }
  return { code: 'server_error', message: error instanceof Error ? error.message : String(error) };
}

function conversationIdOf(body: CreateResponseBody): string | undefined {
  if (body.conversation == null) return undefined;
  return typeof body.conversation === 'string' ? body.conversation : body.conversation.id;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

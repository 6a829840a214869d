/**
 * One response's life: resolve the model, call it, and drive the emitter from its stream parts.
 * Streaming and non-streaming requests run through the same emitter; only the sink differs.
 */
import type { Logger } from 'pino';
import { UpstreamError } from '../errors.js';
import { newId } from '../ids.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { StreamPart, TokenUsage } from '../providers/types.js';
import type { CreateResponseBody } from '../server/schemas/create-response.js';
import { buildModelRequest, type ToolPolicy } from './build-model-request.js';
import { initialResponse } from './initial-response.js';
import { type EventSink, ResponseEmitter } from './response-emitter.js';
import type { ResponseErrorInfo, ResponseObject } from './response-types.js';

export interface EngineDeps {
  registry: ProviderRegistry;
  toolPolicy: ToolPolicy;
  logger: Logger;
}

export interface StartOptions {
  stream: boolean;
  /** Aborts the upstream call: client disconnect or cancel. */
  signal: AbortSignal;
}

/** A response whose upstream call has been accepted; running it emits every event. */
export interface StartedResponse {
  readonly initial: ResponseObject;
  run(sink: EventSink): Promise<ResponseObject>;
}

export class ResponseEngine {
  constructor(private readonly deps: EngineDeps) {}

  /**
   * Validates what only the engine can (model, tools, input), then calls the upstream. Rejects
   * with a GatewayError or UpstreamError before anything was emitted, so the server can still
   * answer with an HTTP error.
   */
  async start(body: CreateResponseBody, options: StartOptions): Promise<StartedResponse> {
    const { model, modelId } = this.deps.registry.resolve(body.model);
    const { request, warnings } = buildModelRequest(body, modelId, this.deps.toolPolicy);
    for (const warning of warnings) this.deps.logger.warn({ model: body.model }, warning);
    const initial = initialResponse(newId('resp'), body, nowSeconds());
    const parts: AsyncIterable<StreamPart> | StreamPart[] = options.stream
      ? await model.stream(request, { signal: options.signal })
      : await model.generate(request, { signal: options.signal });
    const emitterOptions = {
      includeLogprobs: (body.include ?? []).includes('message.output_text.logprobs'),
      obfuscate: options.stream && body.stream_options?.include_obfuscation !== false,
    };
    const logger = this.deps.logger;
    return {
      initial,
      run: (sink) => drive(new ResponseEmitter(initial, sink, emitterOptions), parts, options.signal, logger),
    };
  }
}

async function drive(
  emitter: ResponseEmitter,
  parts: AsyncIterable<StreamPart> | StreamPart[],
  signal: AbortSignal,
  logger: Logger,
): Promise<ResponseObject> {
  emitter.created();
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
    emitter.cancel(usage);
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

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

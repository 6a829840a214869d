/** A Claude model behind Anthropic's Messages API (`POST {baseUrl}/v1/messages`). */
import type { HttpClient } from '../shared/http-client.js';
import {
  answeredWhole,
  type JsonEvent,
  postJson,
  readJsonBody,
  readJsonEvents,
  translateEvents,
  type UpstreamEndpoint,
  warningParts,
} from '../shared/upstream-call.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import {
  ANTHROPIC_VERSION,
  type AnthropicMessageResponse,
  type AnthropicStreamEvent,
} from './anthropic-api.js';
import { anthropicStatusError, streamError } from './anthropic-errors.js';
import { buildAnthropicRequest } from './build-anthropic-request.js';
import {
  AnthropicStreamTranslator,
  messageToParts,
  type ResponseMapOptions,
} from './map-anthropic-response.js';

export interface AnthropicSettings {
  /** Provider name from the config, e.g. `anthropic`. */
  name: string;
  /** Server root as in Anthropic's SDK, e.g. `https://api.anthropic.com` (a trailing `/v1` is tolerated). */
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
}

export class AnthropicLanguageModel implements LanguageModel {
  readonly provider: string;
  private readonly endpoint: UpstreamEndpoint;

  constructor(
    settings: AnthropicSettings,
    private readonly http: HttpClient,
  ) {
    this.provider = settings.name;
    const root = settings.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.endpoint = {
      url: new URL(`${root}/v1/messages`),
      headers: {
        'content-type': 'application/json',
        'anthropic-version': ANTHROPIC_VERSION,
        ...(settings.apiKey ? { 'x-api-key': settings.apiKey } : {}),
        ...settings.headers,
      },
      provider: this.provider,
      mapError: (status, headers, text) => anthropicStatusError(status, headers, text, this.provider),
    };
  }

  /**
   * Resolves once the first event has arrived (Anthropic sends message_start right away), so that
   * an `error` event in its place (an overload just after the 200) still rejects and can fail over.
   */
  async stream(
    request: ModelRequest,
    options: CallOptions,
  ): Promise<AsyncIterable<StreamPart> | Iterable<StreamPart>> {
    const { body, mapOptions, warnings } = buildAnthropicRequest(request, true);
    const response = await postJson(this.http, this.endpoint, body, true, options.signal);
    if (answeredWhole(response)) {
      const whole = await readJsonBody<AnthropicMessageResponse>(response, this.provider, options.signal);
      return [...warningParts(warnings), ...messageToParts(whole, this.provider, mapOptions)];
    }
    const events = readJsonEvents<AnthropicStreamEvent>(response.body, this.provider, options.signal, {
      skipEmpty: true,
    });
    const first = await events.next();
    if (!first.done && first.value.data.type === 'error') {
      await events.return(undefined);
      throw streamError(first.value.data, this.provider);
    }
    return this.parts(first, events, mapOptions, warnings, options.signal);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const { body, mapOptions, warnings } = buildAnthropicRequest(request, false);
    const response = await postJson(this.http, this.endpoint, body, false, options.signal);
    const message = await readJsonBody<AnthropicMessageResponse>(response, this.provider, options.signal);
    return [...warningParts(warnings), ...messageToParts(message, this.provider, mapOptions)];
  }

  private async *parts(
    first: IteratorResult<JsonEvent<AnthropicStreamEvent>>,
    events: AsyncGenerator<JsonEvent<AnthropicStreamEvent>>,
    mapOptions: ResponseMapOptions,
    warnings: string[],
    signal: AbortSignal,
  ): AsyncGenerator<StreamPart> {
    yield* warningParts(warnings);
    const translator = new AnthropicStreamTranslator(this.provider, mapOptions);
    try {
      yield* translateEvents(
        resume(first, events),
        (event, out) => translator.translate(event.data, out),
        {
          stopAfter: () => translator.failed,
          finished: () => translator.stopped,
          end: (out) => translator.end(out),
        },
        this.provider,
        signal,
      );
    } finally {
      // Releases the body when the stream failed or the consumer stopped early.
      await events.return(undefined);
    }
  }
}

/** The events again, from the one already read. */
async function* resume<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  for (let next = first; !next.done; next = await rest.next()) yield next.value;
}

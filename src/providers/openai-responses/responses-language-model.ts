/**
 * A model behind a native Responses API (`POST /v1/responses`): OpenAI or an aggregator speaking the
 * same wire. The gateway owns state, so every call is stateless (`store: false`) and carries the
 * whole context.
 */
import type { HttpClient } from '../shared/http-client.js';
import {
  answeredWhole,
  postJson,
  readJsonBody,
  readJsonEvents,
  translateEvents,
  type UpstreamEndpoint,
} from '../shared/upstream-call.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import { buildResponsesRequest, type ResponsesRequestOptions } from './build-responses-request.js';
import { responseToParts } from './map-responses-response.js';
import { nativeCallNames } from './native-client-calls.js';
import type { ResponsesResponse, ResponsesStreamEvent } from './responses-api.js';
import { ResponsesEventTranslator } from './responses-event-translator.js';

export interface OpenAIResponsesSettings extends ResponsesRequestOptions {
  /** Provider name from the config, e.g. `openai`. */
  name: string;
  /** Base URL ending in `/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
}

export class OpenAIResponsesLanguageModel implements LanguageModel {
  readonly provider: string;
  private readonly endpoint: UpstreamEndpoint;

  constructor(
    private readonly settings: OpenAIResponsesSettings,
    private readonly http: HttpClient,
  ) {
    this.provider = settings.name;
    this.endpoint = {
      url: new URL(`${settings.baseUrl.replace(/\/+$/, '')}/responses`),
      headers: {
        'content-type': 'application/json',
        ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
        ...settings.headers,
      },
      provider: this.provider,
    };
  }

  async stream(
    request: ModelRequest,
    options: CallOptions,
  ): Promise<AsyncIterable<StreamPart> | Iterable<StreamPart>> {
    const body = buildResponsesRequest(request, true, this.settings);
    const response = await postJson(this.http, this.endpoint, body, true, options.signal);
    const nativeCalls = nativeCallNames(request.tools);
    if (answeredWhole(response)) {
      const whole = await readJsonBody<ResponsesResponse>(response, this.provider, options.signal, false);
      return responseToParts(whole, this.provider, nativeCalls);
    }
    return this.parts(response.body, options.signal, nativeCalls);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const body = buildResponsesRequest(request, false, this.settings);
    const response = await postJson(this.http, this.endpoint, body, false, options.signal);
    const parsed = await readJsonBody<ResponsesResponse>(response, this.provider, options.signal, false);
    return responseToParts(parsed, this.provider, nativeCallNames(request.tools));
  }

  /** Every answer ends with a terminal event; a stream without one was cut short. */
  private parts(
    body: AsyncIterable<Buffer>,
    signal: AbortSignal,
    nativeCalls: ReadonlyMap<string, string> | undefined,
  ): AsyncGenerator<StreamPart> {
    const translator = new ResponsesEventTranslator(this.provider, nativeCalls);
    return translateEvents(
      readJsonEvents<ResponsesStreamEvent>(body, this.provider, signal, { until: '[DONE]' }),
      ({ data, event }, out) => {
        data.type ??= event;
        translator.translate(data, out);
      },
      { stopAfter: () => translator.sawTerminal },
      this.provider,
      signal,
    );
  }
}

/** A Gemini model behind the Gemini API (`{baseUrl}/v1beta/models/{model}:generateContent`). */
import type { HttpClient, UpstreamResponse } from '../shared/http-client.js';
import {
  postJson,
  readJsonBody,
  readJsonEvents,
  translateEvents,
  type UpstreamEndpoint,
  warningParts,
} from '../shared/upstream-call.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import { buildGeminiRequest } from './build-gemini-request.js';
import type { GeminiResponse } from './gemini-api.js';
import { geminiStatusError } from './gemini-errors.js';
import { type GeminiMapOptions, GeminiStreamTranslator, responseToParts } from './map-gemini-response.js';

export interface GeminiSettings {
  /** Provider name from the config, e.g. `gemini`. */
  name: string;
  /** Server root as in Google's SDK, e.g. `https://generativelanguage.googleapis.com` (a trailing `/v1beta` is tolerated). */
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
}

export class GeminiLanguageModel implements LanguageModel {
  readonly provider: string;
  private readonly root: string;
  /** All but the url: each call names its model and method. */
  private readonly endpoint: Omit<UpstreamEndpoint, 'url'>;

  constructor(
    settings: GeminiSettings,
    private readonly http: HttpClient,
  ) {
    this.provider = settings.name;
    this.root = settings.baseUrl.replace(/\/+$/, '').replace(/\/v1beta$/, '');
    this.endpoint = {
      headers: {
        'content-type': 'application/json',
        ...(settings.apiKey ? { 'x-goog-api-key': settings.apiKey } : {}),
        ...settings.headers,
      },
      provider: this.provider,
      mapError: (status, headers, text) => geminiStatusError(status, headers, text, this.provider),
    };
  }

  async stream(request: ModelRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const { body, mapOptions, warnings } = buildGeminiRequest(request);
    const response = await this.post(request.modelId, 'streamGenerateContent?alt=sse', body, options);
    return this.parts(response.body, mapOptions, warnings, options.signal);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const { body, mapOptions, warnings } = buildGeminiRequest(request);
    const response = await this.post(request.modelId, 'generateContent', body, options);
    const parsed = await readJsonBody<GeminiResponse>(response, this.provider, options.signal);
    return [...warningParts(warnings), ...responseToParts(parsed, this.provider, mapOptions)];
  }

  private post(
    modelId: string,
    method: string,
    body: unknown,
    options: CallOptions,
  ): Promise<UpstreamResponse> {
    const model = encodeURIComponent(modelId.replace(/^models\//, ''));
    const endpoint = { ...this.endpoint, url: new URL(`${this.root}/v1beta/models/${model}:${method}`) };
    return postJson(this.http, endpoint, body, method.startsWith('stream'), options.signal);
  }

  private async *parts(
    body: AsyncIterable<Buffer>,
    mapOptions: GeminiMapOptions,
    warnings: string[],
    signal: AbortSignal,
  ): AsyncGenerator<StreamPart> {
    yield* warningParts(warnings);
    const translator = new GeminiStreamTranslator(this.provider, mapOptions);
    yield* translateEvents(
      readJsonEvents<GeminiResponse>(body, this.provider, signal, { skipEmpty: true }),
      (chunk, out) => translator.translate(chunk.data, out),
      {
        stopAfter: () => translator.failed,
        finished: () => translator.finished,
        end: (out) => translator.end(out),
      },
      this.provider,
      signal,
    );
  }
}

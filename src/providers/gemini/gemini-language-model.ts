/** A Gemini model behind the Gemini API (`{baseUrl}/v1beta/models/{model}:generateContent`). */
import { UpstreamError } from '../../errors.js';
import type { HttpClient, UpstreamResponse } from '../shared/http-client.js';
import { connectionError } from '../shared/http-client.js';
import { readServerSentEvents } from '../shared/sse-reader.js';
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
  private readonly headers: Record<string, string>;

  constructor(
    settings: GeminiSettings,
    private readonly http: HttpClient,
  ) {
    this.provider = settings.name;
    this.root = settings.baseUrl.replace(/\/+$/, '').replace(/\/v1beta$/, '');
    this.headers = {
      'content-type': 'application/json',
      ...(settings.apiKey ? { 'x-goog-api-key': settings.apiKey } : {}),
      ...settings.headers,
    };
  }

  async stream(request: ModelRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const { body, mapOptions, warnings } = buildGeminiRequest(request);
    const response = await this.post(
      request.modelId,
      'streamGenerateContent?alt=sse',
      JSON.stringify(body),
      options,
    );
    return this.parts(response.body, mapOptions, warnings, options.signal);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const { body, mapOptions, warnings } = buildGeminiRequest(request);
    const response = await this.post(request.modelId, 'generateContent', JSON.stringify(body), options);
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw connectionError(error, this.provider, options.signal);
    }
    let parsed: GeminiResponse;
    try {
      parsed = JSON.parse(text) as GeminiResponse;
    } catch {
      throw invalidResponse(this.provider, text);
    }
    if (parsed === null || typeof parsed !== 'object') throw invalidResponse(this.provider, text);
    return [...toWarnings(warnings), ...responseToParts(parsed, this.provider, mapOptions)];
  }

  private post(
    modelId: string,
    method: string,
    body: string,
    options: CallOptions,
  ): Promise<UpstreamResponse> {
    const model = encodeURIComponent(modelId.replace(/^models\//, ''));
    return this.http.post({
      url: new URL(`${this.root}/v1beta/models/${model}:${method}`),
      headers: method.startsWith('stream') ? { ...this.headers, accept: 'text/event-stream' } : this.headers,
      body,
      signal: options.signal,
      provider: this.provider,
      mapError: (status, headers, text) => geminiStatusError(status, headers, text, this.provider),
    });
  }

  private async *parts(
    body: AsyncIterable<Buffer>,
    mapOptions: GeminiMapOptions,
    warnings: string[],
    signal: AbortSignal,
  ): AsyncGenerator<StreamPart> {
    yield* toWarnings(warnings);
    const translator = new GeminiStreamTranslator(this.provider, mapOptions);
    const out: StreamPart[] = [];
    try {
      for await (const message of readServerSentEvents(body)) {
        if (message.data === '') continue;
        let chunk: GeminiResponse;
        try {
          chunk = JSON.parse(message.data) as GeminiResponse;
        } catch {
          throw invalidResponse(this.provider, message.data);
        }
        if (chunk === null || typeof chunk !== 'object') throw invalidResponse(this.provider, message.data);
        translator.translate(chunk, out);
        if (out.length > 0) {
          yield* out;
          out.length = 0;
        }
        if (translator.failed) return;
      }
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw connectionError(error, this.provider, signal);
    }
    if (!translator.finished) {
      throw new UpstreamError(`Upstream provider '${this.provider}' ended the stream before finishing.`, {
        status: 502,
        retryable: false,
        code: 'upstream_stream_truncated',
      });
    }
    translator.end(out);
    yield* out;
  }
}

function toWarnings(warnings: readonly string[]): StreamPart[] {
  return warnings.map((message) => ({ type: 'warning', message }));
}

function invalidResponse(provider: string, text: string): UpstreamError {
  return new UpstreamError(
    `Upstream provider '${provider}' sent a response that is not valid JSON: ${JSON.stringify(text.slice(0, 120))}`,
    { status: 502, retryable: false, code: 'upstream_invalid_response' },
  );
}

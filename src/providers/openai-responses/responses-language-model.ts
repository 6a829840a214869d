/**
 * A model behind a native Responses API (`POST /v1/responses`): OpenAI or an aggregator speaking the
 * same wire. The gateway owns state, so every call is stateless (`store: false`) and carries the
 * whole context.
 */
import { UpstreamError } from '../../errors.js';
import type { HttpClient } from '../shared/http-client.js';
import { connectionError } from '../shared/http-client.js';
import { readServerSentEvents } from '../shared/sse-reader.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import { buildResponsesRequest, type ResponsesRequestOptions } from './build-responses-request.js';
import { responseToParts } from './map-responses-response.js';
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
  private readonly url: URL;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly settings: OpenAIResponsesSettings,
    private readonly http: HttpClient,
  ) {
    this.provider = settings.name;
    this.url = new URL(`${settings.baseUrl.replace(/\/+$/, '')}/responses`);
    this.headers = {
      'content-type': 'application/json',
      ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
      ...settings.headers,
    };
  }

  async stream(request: ModelRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const response = await this.http.post({
      url: this.url,
      headers: { ...this.headers, accept: 'text/event-stream' },
      body: JSON.stringify(buildResponsesRequest(request, true, this.settings)),
      signal: options.signal,
      provider: this.provider,
    });
    return this.parts(response.body, options.signal);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const response = await this.http.post({
      url: this.url,
      headers: this.headers,
      body: JSON.stringify(buildResponsesRequest(request, false, this.settings)),
      signal: options.signal,
      provider: this.provider,
    });
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw connectionError(error, this.provider, options.signal);
    }
    let parsed: ResponsesResponse;
    try {
      parsed = JSON.parse(text) as ResponsesResponse;
    } catch {
      throw invalidResponse(this.provider, text);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw invalidResponse(this.provider, text);
    return responseToParts(parsed, this.provider);
  }

  private async *parts(body: AsyncIterable<Buffer>, signal: AbortSignal): AsyncGenerator<StreamPart> {
    const translator = new ResponsesEventTranslator(this.provider);
    const out: StreamPart[] = [];
    try {
      for await (const message of readServerSentEvents(body)) {
        if (message.data === '[DONE]') break;
        let event: ResponsesStreamEvent;
        try {
          event = JSON.parse(message.data) as ResponsesStreamEvent;
        } catch {
          throw invalidResponse(this.provider, message.data);
        }
        if (event === null || typeof event !== 'object') throw invalidResponse(this.provider, message.data);
        event.type ??= message.event;
        translator.translate(event, out);
        if (out.length > 0) {
          yield* out;
          out.length = 0;
        }
        if (translator.sawTerminal) return;
      }
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw connectionError(error, this.provider, signal);
    }
    throw new UpstreamError(`Upstream provider '${this.provider}' ended the stream before finishing.`, {
      status: 502,
      retryable: false,
      code: 'upstream_stream_truncated',
    });
  }
}

function invalidResponse(provider: string, text: string): UpstreamError {
  return new UpstreamError(
    `Upstream provider '${provider}' sent a response that is not valid JSON: ${JSON.stringify(text.slice(0, 120))}`,
    { status: 502, retryable: false, code: 'upstream_invalid_response' },
  );
}

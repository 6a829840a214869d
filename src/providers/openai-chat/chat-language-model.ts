/** A model behind any OpenAI-compatible Chat Completions server. */
import { UpstreamError } from '../../errors.js';
import type { HttpClient } from '../shared/http-client.js';
import { connectionError, type UpstreamResponse } from '../shared/http-client.js';
import { readServerSentEvents } from '../shared/sse-reader.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import type { ChatChunk, ChatCompletion } from './chat-api.js';
import { type ChatRequestOptions, toChatRequest } from './convert-to-chat-request.js';
import { ChatChunkTranslator, completionToParts } from './map-chat-response.js';

export interface OpenAIChatSettings extends ChatRequestOptions {
  /** Provider name from the config, e.g. `openai`. */
  name: string;
  /** Base URL ending in `/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
}

export class OpenAIChatLanguageModel implements LanguageModel {
  readonly provider: string;
  private readonly url: URL;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly settings: OpenAIChatSettings,
    private readonly http: HttpClient,
  ) {
    this.provider = settings.name;
    this.url = new URL(`${settings.baseUrl.replace(/\/+$/, '')}/chat/completions`);
    this.headers = {
      'content-type': 'application/json',
      ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
      ...settings.headers,
    };
  }

  async stream(
    request: ModelRequest,
    options: CallOptions,
  ): Promise<AsyncIterable<StreamPart> | StreamPart[]> {
    const body = JSON.stringify(toChatRequest(request, true, this.settings));
    const response = await this.http.post({
      url: this.url,
      headers: { ...this.headers, accept: 'text/event-stream' },
      body,
      signal: options.signal,
      provider: this.provider,
    });
    const type = String(response.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) {
      // Some servers ignore `stream: true` and answer with one JSON completion: take it as it is,
      // and anything else fails now, before the first byte, where it can still be an HTTP error.
      return this.completionParts(response, options.signal);
    }
    return this.parts(response.body, options.signal);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const body = JSON.stringify(toChatRequest(request, false, this.settings));
    const response = await this.http.post({
      url: this.url,
      headers: this.headers,
      body,
      signal: options.signal,
      provider: this.provider,
    });
    return this.completionParts(response, options.signal);
  }

  private async completionParts(response: UpstreamResponse, signal: AbortSignal): Promise<StreamPart[]> {
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw connectionError(error, this.provider, signal);
    }
    let completion: ChatCompletion;
    try {
      completion = JSON.parse(text) as ChatCompletion;
    } catch {
      throw invalidResponse(this.provider, text);
    }
    if (completion === null || typeof completion !== 'object') throw invalidResponse(this.provider, text);
    return completionToParts(completion, this.provider);
  }

  private async *parts(body: AsyncIterable<Buffer>, signal: AbortSignal): AsyncGenerator<StreamPart> {
    const translator = new ChatChunkTranslator(this.provider);
    const out: StreamPart[] = [];
    let done = false;
    try {
      for await (const message of readServerSentEvents(body)) {
        // After [DONE] the body is read to its end, as the openai SDK does: leaving the loop early
        // destroys the body with an AbortError whose stack trace costs more than the rest of a chunk.
        if (done) continue;
        if (message.data === '[DONE]') {
          done = true;
          continue;
        }
        let chunk: ChatChunk;
        try {
          chunk = JSON.parse(message.data) as ChatChunk;
        } catch {
          throw invalidResponse(this.provider, message.data);
        }
        translator.translate(chunk, out);
        if (out.length > 0) {
          yield* out;
          out.length = 0;
        }
      }
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw connectionError(error, this.provider, signal);
    }
    if (!done && !translator.sawFinish) {
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

function invalidResponse(provider: string, text: string): UpstreamError {
  return new UpstreamError(
    `Upstream provider '${provider}' sent a response that is not valid JSON: ${JSON.stringify(text.slice(0, 120))}`,
    { status: 502, retryable: false, code: 'upstream_invalid_response' },
  );
}

/** A model behind any OpenAI-compatible Chat Completions server. */
import type { ChunkBody, HttpClient } from '../shared/http-client.js';
import { connectionError } from '../shared/upstream-errors.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import type { ChatCompletion } from './chat-api.js';
import { ChatPartStream, invalidResponse } from './chat-part-stream.js';
import { type ChatRequestOptions, toChatRequest } from './convert-to-chat-request.js';
import { completionToParts } from './map-chat-response.js';

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
  private readonly streamHeaders: Record<string, string>;

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
    this.streamHeaders = { ...this.headers, accept: 'text/event-stream' };
  }

  async stream(
    request: ModelRequest,
    options: CallOptions,
  ): Promise<AsyncIterable<StreamPart> | StreamPart[]> {
    const body = JSON.stringify(toChatRequest(request, true, this.settings));
    // Chunks straight from the connection, parsed as they come: no body stream in between.
    const response = await this.http.postStreaming({
      url: this.url,
      headers: this.streamHeaders,
      body,
      signal: options.signal,
      provider: this.provider,
    });
    const type = String(response.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) {
      // Some servers ignore `stream: true` and answer with one JSON completion: take it as it is,
      // and anything else fails now, before the first byte, where it can still be an HTTP error.
      return this.completionParts(response.body, options.signal);
    }
    return new ChatPartStream(response.body, this.provider, options.signal);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const body = JSON.stringify(toChatRequest(request, false, this.settings));
    // The whole answer at once, read without a body stream.
    const response = await this.http.postForText({
      url: this.url,
      headers: this.headers,
      body,
      signal: options.signal,
      provider: this.provider,
    });
    return this.completionFromText(response.text);
  }

  private async completionParts(body: ChunkBody, signal: AbortSignal): Promise<StreamPart[]> {
    let text: string;
    try {
      text = await body.text();
    } catch (error) {
      throw connectionError(error, this.provider, signal);
    }
    return this.completionFromText(text);
  }

  private completionFromText(text: string): StreamPart[] {
    let completion: ChatCompletion;
    try {
      completion = JSON.parse(text) as ChatCompletion;
    } catch {
      throw invalidResponse(this.provider, text);
    }
    if (completion === null || typeof completion !== 'object') throw invalidResponse(this.provider, text);
    return completionToParts(completion, this.provider);
  }
}

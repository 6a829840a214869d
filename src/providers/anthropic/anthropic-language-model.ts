/** A Claude model behind Anthropic's Messages API (`POST {baseUrl}/v1/messages`). */
import { UpstreamError } from '../../errors.js';
import type { HttpClient, UpstreamResponse } from '../shared/http-client.js';
import { connectionError } from '../shared/http-client.js';
import { readServerSentEvents } from '../shared/sse-reader.js';
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
  private readonly url: URL;
  private readonly headers: Record<string, string>;

  constructor(
    settings: AnthropicSettings,
    private readonly http: HttpClient,
  ) {
    this.provider = settings.name;
    const root = settings.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.url = new URL(`${root}/v1/messages`);
    this.headers = {
      'content-type': 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      ...(settings.apiKey ? { 'x-api-key': settings.apiKey } : {}),
      ...settings.headers,
    };
  }

  /**
   * Resolves once the first event has arrived (Anthropic sends message_start right away), so that
   * an `error` event in its place (an overload just after the 200) still rejects and can fail over.
   */
  async stream(request: ModelRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const { body, mapOptions, warnings } = buildAnthropicRequest(request, true);
    const response = await this.post(JSON.stringify(body), true, options.signal);
    const events = this.events(response.body, options.signal);
    const first = await events.next();
    if (!first.done && first.value.type === 'error') {
      await events.return(undefined);
      throw streamError(first.value, this.provider);
    }
    return this.parts(first, events, mapOptions, warnings);
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const { body, mapOptions, warnings } = buildAnthropicRequest(request, false);
    const response = await this.post(JSON.stringify(body), false, options.signal);
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw connectionError(error, this.provider, options.signal);
    }
    let message: AnthropicMessageResponse;
    try {
      message = JSON.parse(text) as AnthropicMessageResponse;
    } catch {
      throw invalidResponse(this.provider, text);
    }
    if (message === null || typeof message !== 'object') throw invalidResponse(this.provider, text);
    return [...toWarnings(warnings), ...messageToParts(message, this.provider, mapOptions)];
  }

  private post(body: string, stream: boolean, signal: AbortSignal): Promise<UpstreamResponse> {
    return this.http.post({
      url: this.url,
      headers: stream ? { ...this.headers, accept: 'text/event-stream' } : this.headers,
      body,
      signal,
      provider: this.provider,
      mapError: (status, headers, text) => anthropicStatusError(status, headers, text, this.provider),
    });
  }

  /** The stream's events, parsed; transport failures become UpstreamErrors. */
  private async *events(
    body: AsyncIterable<Buffer>,
    signal: AbortSignal,
  ): AsyncGenerator<AnthropicStreamEvent> {
    try {
      for await (const message of readServerSentEvents(body)) {
        if (message.data === '') continue;
        let event: AnthropicStreamEvent;
        try {
          event = JSON.parse(message.data) as AnthropicStreamEvent;
        } catch {
          throw invalidResponse(this.provider, message.data);
        }
        if (event === null || typeof event !== 'object') throw invalidResponse(this.provider, message.data);
        yield event;
      }
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw connectionError(error, this.provider, signal);
    }
  }

  private async *parts(
    first: IteratorResult<AnthropicStreamEvent>,
    events: AsyncGenerator<AnthropicStreamEvent>,
    mapOptions: ResponseMapOptions,
    warnings: string[],
  ): AsyncGenerator<StreamPart> {
    yield* toWarnings(warnings);
    const translator = new AnthropicStreamTranslator(this.provider, mapOptions);
    const out: StreamPart[] = [];
    try {
      for (let next = first; !next.done; next = await events.next()) {
        translator.translate(next.value, out);
        if (out.length > 0) {
          yield* out;
          out.length = 0;
        }
        if (translator.failed) return;
      }
    } finally {
      // Releases the body when the stream failed or the consumer stopped early.
      await events.return(undefined);
    }
    if (!translator.stopped) {
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

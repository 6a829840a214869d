/**
 * The plumbing of one JSON-over-HTTP call to an upstream, shared by the adapters: POST a JSON body,
 * read a JSON answer or a stream of JSON server-sent events, and turn what goes wrong on the way
 * (a dropped connection, a body that is not JSON, a stream cut short) into UpstreamErrors.
 */
import { UpstreamError } from '../../errors.js';
import type { StreamPart } from '../types.js';
import type { HttpClient, PostOptions, UpstreamResponse } from './http-client.js';
import { readServerSentEvents } from './sse-reader.js';
import { connectionError } from './upstream-errors.js';

/** Where a call goes and how it is named in errors. */
export interface UpstreamEndpoint {
  url: URL;
  headers: Record<string, string>;
  provider: string;
  /** The provider's own reading of non-2xx bodies (see PostOptions.mapError). */
  mapError?: PostOptions['mapError'];
}

/** POSTs `body` as JSON; a streaming call asks for `text/event-stream`. */
export function postJson(
  http: HttpClient,
  endpoint: UpstreamEndpoint,
  body: unknown,
  stream: boolean,
  signal: AbortSignal,
): Promise<UpstreamResponse> {
  return http.post({
    url: endpoint.url,
    headers: stream ? { ...endpoint.headers, accept: 'text/event-stream' } : endpoint.headers,
    body: JSON.stringify(body),
    signal,
    provider: endpoint.provider,
    ...(endpoint.mapError ? { mapError: endpoint.mapError } : {}),
  });
}

/**
 * Whether a streaming call got the whole answer instead: some compatible servers ignore
 * `stream: true` and send the JSON object, which adapters read as a whole answer (before the first
 * byte, where a bad body is still an HTTP error). Anything not labelled JSON is read as a stream.
 */
export function answeredWhole(response: UpstreamResponse): boolean {
  return /\bjson\b/i.test(String(response.headers['content-type'] ?? ''));
}

/** Reads a whole (non-streaming) answer as a JSON object; `allowArray: false` refuses a top-level array. */
export async function readJsonBody<T extends object>(
  response: UpstreamResponse,
  provider: string,
  signal: AbortSignal,
  allowArray = true,
): Promise<T> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw connectionError(error, provider, signal);
  }
  return parseUpstreamJson<T>(text, provider, allowArray);
}

export interface JsonEventOptions {
  /** Skip events whose data is empty (keep-alives). */
  skipEmpty?: boolean;
  /** A data sentinel that ends the stream (e.g. `[DONE]`); the rest of the body is not read. */
  until?: string;
}

export interface JsonEvent<T> {
  data: T;
  /** The SSE `event:` field, where the upstream sent one. */
  event: string | undefined;
}

/** A server-sent-event body as parsed JSON objects; transport failures become UpstreamErrors. */
export async function* readJsonEvents<T extends object>(
  body: AsyncIterable<Buffer>,
  provider: string,
  signal: AbortSignal,
  options: JsonEventOptions = {},
): AsyncGenerator<JsonEvent<T>> {
  try {
    for await (const message of readServerSentEvents(body)) {
      if (options.skipEmpty && message.data === '') continue;
      if (message.data === options.until) return;
      yield { data: parseUpstreamJson<T>(message.data, provider), event: message.event };
    }
  } catch (error) {
    throw upstreamFailure(error, provider, signal);
  }
}

/** How a translated stream ends. */
export interface StreamEnding {
  /** Checked after each event: stop reading, the stream is over (an error or terminal event came). */
  stopAfter: () => boolean;
  /** Checked when the body ended otherwise: the answer was complete. Absent: it was cut short. */
  finished?: () => boolean;
  /** Appends the closing parts of a finished answer. */
  end?: (out: StreamPart[]) => void;
}

/**
 * Runs upstream events through a translator (`translate(event, out)` appends parts) and yields the
 * parts as they come; a body that ends before the answer finished is `upstream_stream_truncated`.
 */
export async function* translateEvents<T>(
  events: AsyncIterable<T>,
  translate: (event: T, out: StreamPart[]) => void,
  ending: StreamEnding,
  provider: string,
  signal: AbortSignal,
): AsyncGenerator<StreamPart> {
  const out: StreamPart[] = [];
  try {
    for await (const event of events) {
      translate(event, out);
      if (out.length > 0) {
        yield* out;
        out.length = 0;
      }
      if (ending.stopAfter()) return;
    }
  } catch (error) {
    throw upstreamFailure(error, provider, signal);
  }
  if (!ending.finished?.()) throw streamTruncated(provider);
  ending.end?.(out);
  yield* out;
}

/** Warnings about dropped request parameters, as parts. */
export function warningParts(warnings: readonly string[]): StreamPart[] {
  return warnings.map((message) => ({ type: 'warning', message }));
}

/** An UpstreamError as it is; anything else thrown while reading is a connection failure. */
export function upstreamFailure(error: unknown, provider: string, signal: AbortSignal): Error {
  return error instanceof UpstreamError ? error : connectionError(error, provider, signal);
}

/** Parses an upstream's JSON object; anything else (text, null, a number) is an invalid response. */
export function parseUpstreamJson<T extends object>(text: string, provider: string, allowArray = true): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidResponse(provider, text);
  }
  if (parsed === null || typeof parsed !== 'object' || (!allowArray && Array.isArray(parsed))) {
    throw invalidResponse(provider, text);
  }
  return parsed as T;
}

export function invalidResponse(provider: string, text: string): UpstreamError {
  return new UpstreamError(
    `Upstream provider '${provider}' sent a response that is not valid JSON: ${JSON.stringify(text.slice(0, 120))}`,
    { status: 502, retryable: false, code: 'upstream_invalid_response' },
  );
}

export function streamTruncated(provider: string): UpstreamError {
  return new UpstreamError(`Upstream provider '${provider}' ended the stream before finishing.`, {
    status: 502,
    retryable: false,
    code: 'upstream_stream_truncated',
  });
}

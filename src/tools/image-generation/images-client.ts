/**
 * An OpenAI-compatible images service (`POST /images/generations`), the one the config names
 * (`images.baseUrl`). Streams when partial images are wanted and the service streams; a service
 * that answers plain JSON instead is read the same, with no partials.
 */
import { UpstreamError } from '../../errors.js';
import { HttpClient } from '../../providers/shared/http-client.js';
import { readServerSentEvents } from '../../providers/shared/sse-reader.js';

export interface ImagesConfig {
  /** Ends in `/v1`, as OPENAI_BASE_URL does. */
  baseUrl: string;
  apiKey?: string | undefined;
  /** Asked for when the tool entry names no model. */
  model: string;
  timeoutMs: number;
}

export interface ImageRequest {
  prompt: string;
  model?: string | undefined;
  size?: string | undefined;
  quality?: string | undefined;
  background?: string | undefined;
  output_format?: string | undefined;
  output_compression?: number | undefined;
  moderation?: string | undefined;
  partialImages: number;
}

export interface GeneratedImage {
  b64: string;
  revisedPrompt: string | undefined;
  /** What the service says it made (each may be absent from its answer). */
  size: string | undefined;
  quality: string | undefined;
  background: string | undefined;
  outputFormat: string | undefined;
}

export class ImagesClient {
  private readonly http: HttpClient;
  private readonly url: URL;

  constructor(private readonly config: ImagesConfig) {
    this.http = new HttpClient({
      connections: 8,
      headersTimeoutMs: config.timeoutMs,
      bodyTimeoutMs: config.timeoutMs,
    });
    this.url = new URL(`${config.baseUrl.replace(/\/+$/, '')}/images/generations`);
  }

  async generate(
    request: ImageRequest,
    onPartial: (b64: string, index: number) => void,
    signal: AbortSignal,
  ): Promise<GeneratedImage> {
    try {
      return await this.call(request, onPartial, signal);
    } catch (error) {
      // Compatible servers that cannot stream refuse the parameters: the image still comes, whole.
      const refusedStreaming =
        request.partialImages > 0 &&
        error instanceof UpstreamError &&
        error.status === 400 &&
        /stream|partial_images/.test(error.message);
      if (!refusedStreaming) throw error;
      return this.call({ ...request, partialImages: 0 }, onPartial, signal);
    }
  }

  private async call(
    request: ImageRequest,
    onPartial: (b64: string, index: number) => void,
    signal: AbortSignal,
  ): Promise<GeneratedImage> {
    const { partialImages, ...fields } = request;
    const stream = partialImages > 0;
    const response = await this.http.post({
      url: this.url,
      headers: {
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
        ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}),
      },
      body: JSON.stringify({
        ...withoutUndefined(fields),
        model: request.model ?? this.config.model,
        n: 1,
        ...(stream ? { stream: true, partial_images: partialImages } : {}),
      }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.config.timeoutMs)]),
      provider: 'images',
    });
    const type = String(response.headers['content-type'] ?? '');
    if (!type.includes('text/event-stream')) return imageOf(parseJson(await response.body.text()), request);
    for await (const message of readServerSentEvents(response.body)) {
      const event = parseJson(message.data) as Record<string, unknown>;
      const kind = event.type ?? message.event;
      if (kind === 'image_generation.partial_image' && typeof event.b64_json === 'string') {
        onPartial(
          event.b64_json,
          typeof event.partial_image_index === 'number' ? event.partial_image_index : 0,
        );
      } else if (kind === 'image_generation.completed') {
        return imageOf({ data: [event], ...event }, request);
      } else if (kind === 'error') {
        const error = (event.error ?? event) as { message?: unknown };
        throw new ImagesError(`images: ${String(error.message ?? 'the service reported an error')}`);
      }
    }
    throw new ImagesError('images: the stream ended before the image was complete.');
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** The service answered, but not an image. */
export class ImagesError extends Error {
  override name = 'ImagesError';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ImagesError('images: the service answered something other than JSON.');
  }
}

function imageOf(answer: unknown, request: ImageRequest): GeneratedImage {
  const body = (answer ?? {}) as Record<string, unknown>;
  const first = (Array.isArray(body.data) ? body.data[0] : undefined) as Record<string, unknown> | undefined;
  if (typeof first?.b64_json !== 'string') {
    const hint = typeof first?.url === 'string' ? ' (it sent a URL; it must answer b64_json)' : '';
    throw new ImagesError(`images: the service answered no base64 image${hint}.`);
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    b64: first.b64_json,
    revisedPrompt: text(first.revised_prompt) ?? request.prompt,
    size: text(body.size) ?? request.size,
    quality: text(body.quality) ?? request.quality,
    background: text(body.background) ?? request.background,
    outputFormat: text(body.output_format) ?? request.output_format,
  };
}

function withoutUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * An OpenAI-compatible images service (`POST /images/generations`, `POST /images/edits`), the one
 * the config names (`images.baseUrl`). Streams when partial images are wanted and the service
 * streams; a service that answers plain JSON instead is read the same, with no partials, and one
 * that refuses the streaming parameters is asked again without them.
 */
import { UpstreamError } from '../../errors.js';
import { HttpClient } from '../../providers/shared/http-client.js';
import { readServerSentEvents } from '../../providers/shared/sse-reader.js';
import { type EditImages, editForm } from './edit-form.js';

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

/** An edit's settings: generation's, less `moderation` (the edits endpoint takes none), plus fidelity. */
export interface EditRequest extends Omit<ImageRequest, 'moderation'> {
  input_fidelity?: string | undefined;
}

type OnPartial = (b64: string, index: number) => void;

/** One call's body, for the request's `partialImages` (0: not streamed). */
type BodyOf = (partialImages: number) => Promise<{ contentType: string; body: string | Uint8Array }>;

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
  private readonly urls: { generations: URL; edits: URL };

  constructor(private readonly config: ImagesConfig) {
    this.http = new HttpClient({
      connections: 8,
      headersTimeoutMs: config.timeoutMs,
      bodyTimeoutMs: config.timeoutMs,
    });
    const base = config.baseUrl.replace(/\/+$/, '');
    this.urls = {
      generations: new URL(`${base}/images/generations`),
      edits: new URL(`${base}/images/edits`),
    };
  }

  generate(request: ImageRequest, onPartial: OnPartial, signal: AbortSignal): Promise<GeneratedImage> {
    const { partialImages: _, ...fields } = request;
    const bodyOf: BodyOf = async (partialImages) => ({
      contentType: 'application/json',
      body: JSON.stringify({
        ...withoutUndefined(fields),
        model: request.model ?? this.config.model,
        n: 1,
        ...(partialImages > 0 ? { stream: true, partial_images: partialImages } : {}),
      }),
    });
    return this.withFallback('image_generation', request, bodyOf, onPartial, signal);
  }

  /** Edits `images.images` (the mask applies to the first), as multipart/form-data. */
  edit(
    request: EditRequest,
    images: EditImages,
    onPartial: OnPartial,
    signal: AbortSignal,
  ): Promise<GeneratedImage> {
    const { partialImages: _, ...fields } = request;
    const bodyOf: BodyOf = async (partialImages) => {
      const form = editForm(
        { ...fields, model: request.model ?? this.config.model, n: 1 },
        images,
        partialImages,
      );
      // Undici serializes the form (boundary and all); the bytes are what is sent.
      const encoded = new Response(form);
      return {
        contentType: encoded.headers.get('content-type') ?? 'multipart/form-data',
        body: new Uint8Array(await encoded.arrayBuffer()),
      };
    };
    return this.withFallback('image_edit', request, bodyOf, onPartial, signal);
  }

  private async withFallback(
    kind: ImageKind,
    request: ImageRequest | EditRequest,
    bodyOf: BodyOf,
    onPartial: OnPartial,
    signal: AbortSignal,
  ): Promise<GeneratedImage> {
    try {
      return await this.call(kind, request, await bodyOf(request.partialImages), onPartial, signal);
    } catch (error) {
      // Compatible servers that cannot stream refuse the parameters: the image still comes, whole.
      const refusedStreaming =
        request.partialImages > 0 &&
        error instanceof UpstreamError &&
        error.status === 400 &&
        /stream|partial_images/.test(error.message);
      if (!refusedStreaming) throw error;
      return this.call(kind, { ...request, partialImages: 0 }, await bodyOf(0), onPartial, signal);
    }
  }

  private async call(
    kind: ImageKind,
    request: ImageRequest | EditRequest,
    sent: Awaited<ReturnType<BodyOf>>,
    onPartial: OnPartial,
    signal: AbortSignal,
  ): Promise<GeneratedImage> {
    const stream = request.partialImages > 0;
    const response = await this.http.post({
      url: kind === 'image_edit' ? this.urls.edits : this.urls.generations,
      headers: {
        'content-type': sent.contentType,
        accept: stream ? 'text/event-stream' : 'application/json',
        ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}),
      },
      body: sent.body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.config.timeoutMs)]),
      provider: 'images',
    });
    const contentType = String(response.headers['content-type'] ?? '');
    if (!contentType.includes('text/event-stream'))
      return imageOf(parseJson(await response.body.text()), request);
    for await (const message of readServerSentEvents(response.body)) {
      const event = parseJson(message.data) as Record<string, unknown>;
      // `image_generation.*` from generations, `image_edit.*` from edits.
      const type = event.type ?? message.event;
      if (type === `${kind}.partial_image` && typeof event.b64_json === 'string') {
        onPartial(
          event.b64_json,
          typeof event.partial_image_index === 'number' ? event.partial_image_index : 0,
        );
      } else if (type === `${kind}.completed`) {
        return imageOf({ data: [event], ...event }, request);
      } else if (type === 'error') {
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

/** The prefix of the service's stream events. */
type ImageKind = 'image_generation' | 'image_edit';

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

function imageOf(answer: unknown, request: ImageRequest | EditRequest): GeneratedImage {
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

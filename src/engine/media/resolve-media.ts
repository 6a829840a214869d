/**
 * Resolves every image and file of a model input to the normalized source providers take, before
 * any upstream call: file ids are read from the FileContentSource, data URLs are parsed, and an
 * http(s) URL is fetched (through the SSRF-guarded fetcher) only when the upstream cannot fetch
 * it itself; otherwise it goes on as a URL. Anything refused or failing is a 400 naming the
 * input's field, so the client learns which part was wrong and no upstream is called.
 */
import { invalidRequest } from '../../errors.js';
import type { GuardedFetcher } from '../../net/guarded-fetcher.js';
import { OutboundError } from '../../net/outbound-error.js';
import type { ContextItem } from '../../protocol/input-items.js';
import { mediaTypeFromName } from '../../providers/shared/data-url.js';
import type { ImageDetail, MediaSource, UserPart } from '../../providers/types.js';
import type { FileContentSource } from './file-content-source.js';
import {
  type FieldParam,
  type FileFields,
  fileInput,
  type ImageFields,
  imageInput,
  type MediaInput,
} from './media-input.js';

export type ResolvedMediaPart = Extract<UserPart, { type: 'image' | 'file' }>;

/** Each media part of an input (by object identity) → the part a provider gets. */
export type MediaTable = ReadonlyMap<object, ResolvedMediaPart>;

export const NO_MEDIA: MediaTable = new Map();

/** Which URLs the upstream fetches itself; `all`: fetch nothing here (checks without a call). */
export type UrlPolicy = { images: boolean; files: boolean } | 'all';

export interface MediaContext {
  tenantId: string;
  urls: UrlPolicy;
  /** How errors name a part's fields (`input[0].content[1].image_url`); see media-params.ts. */
  paramOf: (part: object) => FieldParam;
  signal?: AbortSignal;
}

export interface MediaResolverOptions {
  fetcher: GuardedFetcher;
  files?: FileContentSource | undefined;
  maxBytes: number;
  timeoutMs: number;
}

type MediaPart = (ImageFields & { detail?: ImageDetail | null }) | FileFields;

/** What upstreams read as images; anything else served for an image URL is refused. */
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/heic', 'image/heif'];
/** Documents, text and images; octet-stream is typed by the file's name. */
const FILE_TYPES = [
  'application/pdf',
  'text/*',
  'application/json',
  ...IMAGE_TYPES,
  'application/octet-stream',
];

export class MediaResolver {
  constructor(private readonly options: MediaResolverOptions) {}

  async resolve(items: readonly ContextItem[], context: MediaContext): Promise<MediaTable> {
    const parts = mediaParts(items);
    if (parts.length === 0) return NO_MEDIA;
    const resolved = await Promise.all(parts.map((part) => this.resolvePart(part, context)));
    return new Map(parts.map((part, i) => [part, resolved[i]!]));
  }

  /**
   * One image as bytes, whatever an upstream could fetch itself: for a tool that sends it on (the
   * images service's edits). The same checks and errors as a model input's image.
   */
  async imageData(
    part: ImageFields,
    param: FieldParam,
    context: { tenantId: string; signal?: AbortSignal },
  ): Promise<{ mediaType: string; base64: string }> {
    const fetchAll = { ...context, urls: { images: false, files: false }, paramOf: () => param };
    const { source } = await this.source(imageInput(part, param), 'image', fetchAll);
    // With no URL left to the upstream every source is data; a URL here would be a resolver bug.
    if (source.kind !== 'data') throw new Error('the media resolver left an image URL unfetched');
    return { mediaType: source.mediaType, base64: source.base64 };
  }

  private async resolvePart(part: MediaPart, context: MediaContext): Promise<ResolvedMediaPart> {
    const param = context.paramOf(part);
    if (part.type !== 'input_file') {
      const { source } = await this.source(imageInput(part, param), 'image', context);
      return { type: 'image', source, detail: part.detail ?? 'auto' };
    }
    const { source, filename } = await this.source(fileInput(part, param), 'file', context);
    const name = part.filename ?? filename;
    return { type: 'file', source, ...(name != null ? { filename: name } : {}) };
  }

  private async source(
    input: MediaInput,
    kind: 'image' | 'file',
    context: MediaContext,
  ): Promise<{ source: MediaSource; filename?: string }> {
    switch (input.kind) {
      case 'data':
        return { source: { kind: 'data', mediaType: input.mediaType, base64: input.base64 } };
      case 'file_id':
        return this.readFile(input.fileId, input.param, kind, context.tenantId);
      case 'url': {
        const { urls } = context;
        if (urls === 'all' || (kind === 'image' ? urls.images : urls.files))
          return { source: { kind: 'url', url: input.url } };
        return { source: await this.fetch(input.url, input.param, kind, context.signal) };
      }
    }
  }

  private async readFile(
    fileId: string,
    param: string,
    kind: 'image' | 'file',
    tenantId: string,
  ): Promise<{ source: MediaSource; filename: string }> {
    const file = await this.options.files?.get(tenantId, fileId);
    if (!file) {
      throw invalidRequest(`No file with id '${fileId}' found.`, param, 'file_not_found');
    }
    if (kind === 'image' && !file.mediaType.startsWith('image/')) {
      throw invalidRequest(
        `File '${fileId}' is of type '${file.mediaType}', not an image; send it as input_file.`,
        param,
        'invalid_value',
      );
    }
    const base64 = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength).toString(
      'base64',
    );
    return { source: { kind: 'data', mediaType: file.mediaType, base64 }, filename: file.filename };
  }

  private async fetch(
    url: string,
    param: string,
    kind: 'image' | 'file',
    signal: AbortSignal | undefined,
  ): Promise<MediaSource> {
    try {
      const fetched = await this.options.fetcher.fetch(url, {
        maxBytes: this.options.maxBytes,
        timeoutMs: this.options.timeoutMs,
        contentTypes: kind === 'image' ? IMAGE_TYPES : FILE_TYPES,
        ...(signal ? { signal } : {}),
      });
      const mediaType =
        fetched.mediaType === 'application/octet-stream'
          ? mediaTypeFromName(fetched.url, fetched.mediaType)
          : fetched.mediaType;
      return { kind: 'data', mediaType, base64: fetched.bytes.toString('base64') };
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (!(error instanceof OutboundError)) throw error;
      const field = kind === 'image' ? 'image_url' : 'file_url';
      throw invalidRequest(
        `The ${field} could not be fetched: ${error.message}`,
        param,
        kind === 'image' ? 'invalid_image_url' : 'invalid_file_url',
      );
    }
  }
}

function isScreenshot(value: unknown): value is ImageFields {
  return value != null && (value as { type?: unknown }).type === 'computer_screenshot';
}

/** The media parts of messages, tool outputs and screenshots, in order; the same part object once. */
function mediaParts(items: readonly ContextItem[]): MediaPart[] {
  const found = new Set<MediaPart>();
  for (const item of items) {
    const record = item as { type?: unknown; content?: unknown; output?: unknown };
    if (record.type === 'computer_call_output' && isScreenshot(record.output)) found.add(record.output);
    const content = Array.isArray(record.content)
      ? record.content
      : Array.isArray(record.output)
        ? record.output
        : undefined;
    if (content === undefined) continue;
    for (const part of content as Array<{ type?: unknown }>) {
      if (part != null && (part.type === 'input_image' || part.type === 'input_file'))
        found.add(part as MediaPart);
    }
  }
  return [...found];
}

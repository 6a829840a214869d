/**
 * The images an edit can start from: `input_image` parts of earlier turns and of this input, and
 * the results of earlier `image_generation_call` items, oldest first. Only the latest few are
 * offered (and so read): an edit is nearly always of one of the last images shown. Each is read as
 * bytes through the gateway's media resolver — a URL through its SSRF-guarded fetcher, a file id
 * from the tenant's files — with its errors (a 400 naming the part) before any upstream call.
 */
import type { OpeningContext } from '../types.js';
import type { ImageBytes } from './edit-form.js';

/** An `input_image` part's source fields. */
export interface ImagePart {
  type: 'input_image';
  image_url?: string | null;
  file_id?: string | null;
}

/** Reads an image part as bytes (the engine's MediaResolver.imageData). */
export interface ImageReader {
  imageData(
    part: ImagePart,
    param: (field: string) => string,
    context: { tenantId: string; signal?: AbortSignal },
  ): Promise<ImageBytes>;
}

/** An image of the conversation, as the model is told of it. */
export interface ContextImage {
  label: string;
  image: ImageBytes;
}

type Found =
  | { label: string; bytes: ImageBytes }
  | { label: string; part: ImagePart; param: (field: string) => string };

export const MAX_CONTEXT_IMAGES = 4;

export async function contextImages(how: OpeningContext, reader: ImageReader): Promise<ContextImage[]> {
  const earlier = how.earlierParam ?? 'previous_response_id';
  const found = [
    ...how.earlier.flatMap((item) => imagesOf(item, () => () => earlier)),
    ...how.input.flatMap((item, i) => imagesOf(item, (path) => (field) => `input[${i}].${path}.${field}`)),
  ].slice(-MAX_CONTEXT_IMAGES);
  return Promise.all(
    found.map(async (one) => ({
      label: one.label,
      image:
        'bytes' in one
          ? one.bytes
          : await reader.imageData(one.part, one.param, { tenantId: how.tenantId, signal: how.signal }),
    })),
  );
}

function imagesOf(
  item: Record<string, unknown>,
  paramAt: (path: string) => (field: string) => string,
): Found[] {
  if (item.type === 'image_generation_call') {
    if (item.status !== 'completed' || typeof item.result !== 'string' || item.result === '') return [];
    const format = typeof item.output_format === 'string' ? item.output_format : 'png';
    const prompt = typeof item.revised_prompt === 'string' ? ` for "${clip(item.revised_prompt)}"` : '';
    return [
      { label: `the image generated${prompt}`, bytes: { mediaType: `image/${format}`, base64: item.result } },
    ];
  }
  const found: Found[] = [];
  for (const field of ['content', 'output'] as const) {
    const parts = item[field];
    if (!Array.isArray(parts)) continue;
    parts.forEach((part: unknown, j) => {
      if (!isImagePart(part)) return;
      const label = item.role === 'user' ? 'an image the user sent' : 'an image from a tool result';
      found.push({ label, part, param: paramAt(`${field}[${j}]`) });
    });
  }
  return found;
}

function isImagePart(part: unknown): part is ImagePart {
  return part !== null && typeof part === 'object' && (part as { type?: unknown }).type === 'input_image';
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * Where an `input_image` or `input_file` part says its content is, checked without any I/O: an
 * http(s) URL, inline data (a data URL, or `file_data` as bare base64), or a file id to read.
 * Every other URL scheme (`gs:`, `file:`, `ftp:` …) is refused here with a 400 naming the field,
 * so no upstream and no fetch ever sees one.
 */
import { invalidRequest } from '../../errors.js';
import { mediaTypeFromName, parseDataUrl } from '../../providers/shared/data-url.js';

export type MediaInput =
  | { kind: 'url'; url: string; param: string }
  | { kind: 'data'; mediaType: string; base64: string; param: string }
  | { kind: 'file_id'; fileId: string; param: string };

/** The fields both the message and the tool-output shapes have (the latter nullable). */
export interface ImageFields {
  /** A computer_call_output's screenshot is an image too. */
  type: 'input_image' | 'computer_screenshot';
  image_url?: string | null;
  file_id?: string | null;
}
export interface FileFields {
  type: 'input_file';
  file_id?: string | null;
  file_data?: string | null;
  file_url?: string | null;
  filename?: string | null;
}

/**
 * Names a field of the part in errors: `image_url` → `input[0].content[1].image_url`, or one name
 * for the whole part when it is not the client's own (`previous_response_id`).
 */
export type FieldParam = (field: string) => string;

export function imageInput(part: ImageFields, param: FieldParam): MediaInput {
  if (part.image_url != null) {
    const input = urlInput(part.image_url, param('image_url'), 'image_url');
    if (input.kind === 'data' && !input.mediaType.startsWith('image/')) {
      throw invalidRequest(
        `Invalid image_url: a data URL of type '${input.mediaType}' is not an image.`,
        input.param,
        'invalid_value',
      );
    }
    return input;
  }
  if (part.file_id != null) return { kind: 'file_id', fileId: part.file_id, param: param('file_id') };
  throw invalidRequest(
    "Missing required parameter: provide one of 'image_url' or 'file_id'.",
    param('image_url'),
    'missing_required_parameter',
  );
}

export function fileInput(part: FileFields, param: FieldParam): MediaInput {
  if (part.file_data != null) {
    const field = param('file_data');
    if (part.file_data.startsWith('data:')) return dataInput(part.file_data, field, 'file_data');
    // Bare base64, as some clients send it: the file name tells the type.
    return {
      kind: 'data',
      mediaType: mediaTypeFromName(part.filename ?? undefined, 'application/pdf'),
      base64: part.file_data,
      param: field,
    };
  }
  if (part.file_url != null) return urlInput(part.file_url, param('file_url'), 'file_url');
  if (part.file_id != null) return { kind: 'file_id', fileId: part.file_id, param: param('file_id') };
  throw invalidRequest(
    "Missing required parameter: provide one of 'file_id', 'file_data' or 'file_url'.",
    param('file_id'),
    'missing_required_parameter',
  );
}

function urlInput(raw: string, param: string, field: string): MediaInput {
  if (/^data:/i.test(raw)) return dataInput(raw, param, field);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidRequest(`Invalid ${field}: '${clip(raw)}' is not a valid URL.`, param, 'invalid_value');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidRequest(
      `Invalid ${field}: the gateway takes http, https and data URLs, not '${url.protocol}' ones.`,
      param,
      'invalid_value',
    );
  }
  return { kind: 'url', url: raw, param };
}

function dataInput(raw: string, param: string, field: string): MediaInput {
  const data = parseDataUrl(raw);
  if (!data) throw invalidRequest(`Invalid ${field}: malformed data URL.`, param, 'invalid_value');
  return { kind: 'data', mediaType: data.mediaType, base64: data.base64, param };
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/**
 * `data:` URLs and media types. The engine parses what clients send (parseDataUrl); adapters whose
 * wire takes data URLs build them back from a normalized source (toDataUrl).
 */

export interface DataUrl {
  mediaType: string;
  /** Base64 payload (a non-base64 data URL is re-encoded). */
  base64: string;
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s;

/** Parses `data:<type>[;params][;base64],<data>`; undefined when `url` is not a data URL. */
export function parseDataUrl(url: string): DataUrl | undefined {
  const match = DATA_URL.exec(url);
  if (!match) return undefined;
  const mediaType = (match[1] ?? '').trim().toLowerCase() || 'text/plain';
  const payload = match[4] ?? '';
  if (match[3] !== undefined) return { mediaType, base64: payload };
  let text = payload;
  try {
    text = decodeURIComponent(payload);
  } catch {
    // keep malformed escapes as they are
  }
  return { mediaType, base64: Buffer.from(text, 'utf8').toString('base64') };
}

/** A data source as a `data:<type>;base64,<data>` URL. */
export function toDataUrl(source: { mediaType: string; base64: string }): string {
  return `data:${source.mediaType};base64,${source.base64}`;
}

const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  csv: 'text/csv',
  json: 'application/json',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

/** Media type from a URL's or file name's extension, else `fallback`. */
export function mediaTypeFromName(name: string | undefined, fallback: string): string {
  if (name == null) return fallback;
  let path = name;
  try {
    path = new URL(name).pathname;
  } catch {
    // a bare file name
  }
  const dot = path.lastIndexOf('.');
  if (dot < 0) return fallback;
  return BY_EXTENSION[path.slice(dot + 1).toLowerCase()] ?? fallback;
}

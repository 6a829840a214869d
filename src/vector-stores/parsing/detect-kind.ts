/**
 * Which parser reads a file: by its extension first (what users name files is the best hint), then
 * its media type, then its first bytes; text is accepted for any name when it decodes as UTF-8.
 */
import { extensionOf } from '../../files/media-type.js';

export type DocumentKind = 'pdf' | 'docx' | 'html' | 'json' | 'text';

/** Plain text, markup and source code: read as they are. */
const TEXT_EXTENSIONS = new Set(
  (
    'txt text md markdown mdx rst adoc org tex csv tsv log ini cfg conf toml yaml yml xml jsonl ndjson ' +
    'c h cc cpp cxx hpp cs go java kt kts scala rs rb php py pyi sh bash zsh ps1 js mjs cjs jsx ts tsx ' +
    'css scss less sql swift m mm r lua pl dart ex exs erl hs clj vue svelte graphql proto dockerfile makefile'
  ).split(' '),
);

/** Known binary formats no parser here reads: refused before any decoding is tried. */
const UNSUPPORTED_EXTENSIONS = new Set(
  'doc ppt pptx xls xlsx odt rtf epub png jpg jpeg gif webp bmp tiff svg zip gz tar 7z rar mp3 mp4 wav mov exe dll so bin'.split(
    ' ',
  ),
);

export function detectKind(filename: string, mediaType: string, bytes: Buffer): DocumentKind | undefined {
  const extension = extensionOf(filename);
  if (extension === 'pdf') return 'pdf';
  if (extension === 'docx') return 'docx';
  if (extension === 'html' || extension === 'htm' || extension === 'xhtml') return 'html';
  if (extension === 'json') return 'json';
  if (TEXT_EXTENSIONS.has(extension)) return 'text';
  if (UNSUPPORTED_EXTENSIONS.has(extension)) return undefined;
  if (mediaType === 'application/pdf' || bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (mediaType.includes('wordprocessingml')) return 'docx';
  if (mediaType === 'text/html' || mediaType === 'application/xhtml+xml') return 'html';
  if (mediaType === 'application/json') return 'json';
  if (mediaType.startsWith('text/') || looksLikeText(bytes)) return 'text';
  return undefined;
}

/** No NUL byte in the first 8 KB and valid UTF-8 there. */
function looksLikeText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, lastCompleteUtf8(head)));
    return true;
  } catch {
    return false;
  }
}

/** The head cut at a character boundary, so a multi-byte character split by the cut is not an error. */
function lastCompleteUtf8(head: Buffer): number {
  const end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back]!;
    if ((byte & 0xc0) === 0xc0) return end - back;
    if ((byte & 0x80) === 0) return end;
  }
  return end;
}

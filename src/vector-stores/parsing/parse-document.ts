/**
 * A file's bytes to searchable text: PDF (unpdf, pdf.js inside), DOCX (mammoth), HTML (linkedom),
 * JSON (checked, kept as written), and everything text-like (Markdown, CSV, source code) as it is.
 * A format no parser reads is `unsupported_file`; a file its parser cannot read is `invalid_file`.
 */

import { detectKind } from './detect-kind.js';
import { DocumentError } from './document-error.js';
import { htmlToText } from './parse-html.js';

export interface DocumentSource {
  filename: string;
  mediaType: string;
  bytes: Buffer;
}

export async function parseDocument(source: DocumentSource): Promise<string> {
  const kind = detectKind(source.filename, source.mediaType, source.bytes);
  if (!kind) {
    throw new DocumentError(
      'unsupported_file',
      `Files of this type are not supported for search (${source.filename}, ${source.mediaType}).`,
    );
  }
  const text = normalize(await extract(kind, source));
  if (text.trim() === '')
    throw new DocumentError('invalid_file', `The file contains no text: ${source.filename}.`);
  return text;
}

async function extract(kind: NonNullable<ReturnType<typeof detectKind>>, source: DocumentSource) {
  switch (kind) {
    case 'pdf':
      return pdfText(source);
    case 'docx':
      return docxText(source);
    case 'html':
      return htmlToText(decodeUtf8(source));
    case 'json': {
      const text = decodeUtf8(source);
      try {
        JSON.parse(text);
      } catch (error) {
        throw new DocumentError('invalid_file', `The file is not valid JSON: ${(error as Error).message}.`);
      }
      return text;
    }
    case 'text':
      return decodeUtf8(source);
  }
}

async function pdfText(source: DocumentSource): Promise<string> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  let pages: string[];
  try {
    const document = await getDocumentProxy(new Uint8Array(source.bytes), { verbosity: 0 });
    try {
      pages = (await extractText(document, { mergePages: false })).text;
    } finally {
      await document.destroy();
    }
  } catch (error) {
    throw new DocumentError('invalid_file', `The PDF could not be read: ${(error as Error).message}.`);
  }
  return pages.join('\n\n');
}

async function docxText(source: DocumentSource): Promise<string> {
  const mammoth = (await import('mammoth')).default;
  try {
    return (await mammoth.extractRawText({ buffer: source.bytes })).value;
  } catch (error) {
    throw new DocumentError('invalid_file', `The DOCX file could not be read: ${(error as Error).message}.`);
  }
}

function decodeUtf8(source: DocumentSource): string {
  if (source.bytes.subarray(0, 8192).includes(0)) {
    throw new DocumentError('invalid_file', `The file is not text: ${source.filename}.`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(source.bytes);
  } catch {
    throw new DocumentError('invalid_file', `The file is not valid UTF-8 text: ${source.filename}.`);
  }
}

/** One line-ending convention, no invisible control characters, at most one blank line in a row. */
function normalize(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(/\n{3,}/g, '\n\n')
  );
}

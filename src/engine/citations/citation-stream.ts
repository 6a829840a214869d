/**
 * Citation markers in a model's answer into annotations. Built-in tools number the sources they
 * show the model `【1】`, `【2】`, … (numbers run on across the calls of one response, see
 * `ToolExecution.cite`) and ask it to cite them so; this finds those markers (also as `【1†name】`
 * or `[1]`, the forms models drift to) and removes them with the blank before them. A file is
 * recorded as a `file_citation` at the position the marker had in the cleaned text; a web page or
 * a container file is written in the marker's place as a Markdown link, as OpenAI's answers show
 * them, and its annotation spans that link. Unknown numbers are left as text.
 *
 * It works on a stream of text deltas as well as on a whole text: a delta ending in what may be
 * the start of a marker (or in blanks that may precede one) is held back until the next one.
 */
import type { Annotation } from '../../protocol/response.js';
import type { CitableSource } from '../../tools/types.js';

/** `【12】`, `【12†handbook.md】`, `【4:0†source】`; and `[12]`, `[1, 2]`. */
const FULL_WIDTH = /^【(\d{1,4})(?:[:†][^】\n]{0,200})?】/;
const FULL_WIDTH_OPEN = /^【(\d{0,4}([:†][^】\n]{0,200})?)?$/;
const BRACKETED = /^\[(\d{1,4}(?:\s*,\s*\d{1,4}){0,9})\]/;
const BRACKETED_OPEN = /^\[(\d{1,4}(\s*,\s*\d{0,4}){0,9})?$/;
const TRAILING_BLANKS = /[ \t]+$/;

export class CitationStream {
  readonly annotations: Annotation[] = [];
  private held = '';
  /** Length of the cleaned text handed out so far. */
  private emitted = 0;
  /** A marker was removed with the blank before it: a word right after it needs one back. */
  private spaceOwed = false;

  /** `source(n)` is the result numbered n (from 1), if any. */
  constructor(private readonly source: (n: number) => CitableSource | undefined) {}

  /** The part of the text so far that can be shown. */
  push(delta: string): string {
    this.held += delta;
    return this.drain(false);
  }

  /** The rest, at the end of the text. */
  end(): string {
    return this.drain(true);
  }

  private drain(final: boolean): string {
    let out = '';
    let text = this.held;
    this.held = '';
    while (text !== '') {
      const at = nextCandidate(text);
      if (at < 0) {
        const blanks = final ? '' : (TRAILING_BLANKS.exec(text)?.[0] ?? '');
        out += this.plain(text.slice(0, text.length - blanks.length), out);
        this.held = blanks;
        break;
      }
      const rest = text.slice(at);
      const marker = this.matchMarker(text, at);
      if (marker === 'open' && !final) {
        const before = text.slice(0, at);
        const blanks = TRAILING_BLANKS.exec(before)?.[0] ?? '';
        out += this.plain(before.slice(0, before.length - blanks.length), out);
        this.held = blanks + rest;
        break;
      }
      if (marker && marker !== 'open') {
        const before = text.slice(0, at).replace(TRAILING_BLANKS, '');
        const removedBlank = before.length < at;
        out += this.plain(before, out);
        let linked = false;
        for (const source of marker.sources) {
          if (source.type === 'file_citation') {
            this.cite({ ...source, index: this.emitted + out.length });
            continue;
          }
          const link = linkFor(source);
          out += `${out.length + this.emitted === 0 ? '' : ' '}(`;
          const start = this.emitted + out.length;
          out += `${link})`;
          linked = true;
          const span = { start_index: start, end_index: start + link.length };
          this.cite(
            source.type === 'url_citation'
              ? { ...source, ...span }
              : {
                  type: source.type,
                  container_id: source.container_id,
                  file_id: source.file_id,
                  filename: source.filename,
                  ...span,
                },
          );
        }
        if (removedBlank && !linked) this.spaceOwed = true;
        text = rest.slice(marker.length);
        continue;
      }
      out += this.plain(text.slice(0, at + 1), out);
      text = text.slice(at + 1);
    }
    this.emitted += out.length;
    return out;
  }

  private cite(annotation: Annotation): void {
    const same = this.annotations.some((a) => JSON.stringify(a) === JSON.stringify(annotation));
    if (!same) this.annotations.push(annotation);
  }

  /** Text to hand out as is, with the blank a removed marker took, if a word follows. */
  private plain(text: string, out: string): string {
    if (text === '') return '';
    if (this.spaceOwed) {
      this.spaceOwed = false;
      const lastOut = out.at(-1);
      if (/^[\p{L}\p{N}]/u.test(text) && lastOut !== ' ') return ` ${text}`;
    }
    return text;
  }

  private matchMarker(
    text: string,
    at: number,
  ): { length: number; sources: CitableSource[] } | 'open' | undefined {
    const rest = text.slice(at);
    if (rest.startsWith('【')) {
      const full = FULL_WIDTH.exec(rest);
      if (full) return this.resolve([full[1]!], full[0].length);
      return FULL_WIDTH_OPEN.test(rest) ? 'open' : undefined;
    }
    // `a[1]` is code, not a citation.
    if (at > 0 && /[\p{L}\p{N}_\])]/u.test(text[at - 1]!)) return undefined;
    const bracketed = BRACKETED.exec(rest);
    if (bracketed) return this.resolve(bracketed[1]!.split(','), bracketed[0].length);
    return BRACKETED_OPEN.test(rest) ? 'open' : undefined;
  }

  private resolve(
    numbers: string[],
    length: number,
  ): { length: number; sources: CitableSource[] } | undefined {
    const sources: CitableSource[] = [];
    for (const n of numbers) {
      const source = this.source(Number(n.trim()));
      if (!source) return undefined;
      sources.push(source);
    }
    return { length, sources };
  }
}

/** The whole text at once. */
export function applyCitations(
  text: string,
  sources: readonly CitableSource[],
): { text: string; annotations: Annotation[] } {
  const stream = new CitationStream((n) => sources[n - 1]);
  const cleaned = stream.push(text) + stream.end();
  return { text: cleaned, annotations: stream.annotations };
}

function nextCandidate(text: string): number {
  const full = text.indexOf('【');
  const bracket = text.indexOf('[');
  if (full < 0) return bracket;
  if (bracket < 0) return full;
  return Math.min(full, bracket);
}

/** `[example.com](https://example.com/page)`; a container file as the path code sees it. */
function linkFor(source: Exclude<CitableSource, { type: 'file_citation' }>): string {
  if (source.type === 'container_file_citation') {
    return `[${source.filename}](sandbox:${source.path})`;
  }
  let host = source.url;
  try {
    host = new URL(source.url).hostname.replace(/^www\./, '');
  } catch {
    // Shown as given: the tool checked the URL when it fetched it.
  }
  return `[${host}](${source.url})`;
}

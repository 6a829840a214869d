/**
 * open_page: a URL fetched through the SSRF-guarded fetcher (every hop checked; size and time
 * bounded) and reduced to its readable text — Mozilla's Readability over a linkedom document for
 * HTML, the body itself for plain text. Anything else (images, PDFs, binaries) is refused.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { GuardedFetcher } from '../../net/guarded-fetcher.js';

export interface ReadPage {
  /** After redirects. */
  url: string;
  title: string;
  text: string;
}

export interface PageLimits {
  maxBytes: number;
  timeoutMs: number;
}

const TEXT_TYPES = ['text/html', 'application/xhtml+xml', 'text/plain', 'text/markdown'];

export class PageReader {
  constructor(
    private readonly fetcher: GuardedFetcher,
    private readonly limits: PageLimits,
  ) {}

  /** Throws an OutboundError (refused, too large, not text, …) whose message the model is told. */
  async read(url: string, signal: AbortSignal): Promise<ReadPage> {
    const page = await this.fetcher.fetch(url, {
      maxBytes: this.limits.maxBytes,
      timeoutMs: this.limits.timeoutMs,
      contentTypes: TEXT_TYPES,
      signal,
    });
    const body = page.bytes.toString('utf8');
    if (page.mediaType === 'text/plain' || page.mediaType === 'text/markdown') {
      return { url: page.url, title: page.url, text: tidy(body) };
    }
    return { url: page.url, ...readableText(body, page.url) };
  }
}

function readableText(html: string, url: string): { title: string; text: string } {
  const { document } = parseHTML(html);
  const title = document.title?.trim() || url;
  // Readability changes the document it reads; the fallback reads the body as it was parsed.
  const fallback = document.body?.textContent ?? '';
  const article = new Readability(document).parse();
  const text = article?.textContent?.trim() ? article.textContent : fallback;
  return { title: article?.title?.trim() || title, text: tidy(text) };
}

/** Runs of blank space collapsed, paragraphs kept apart. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
}

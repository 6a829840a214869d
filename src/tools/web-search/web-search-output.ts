/**
 * What the model is told of a web_search call: results and pages under their citation markers,
 * with how to cite them; failures as a sentence it can act on.
 */
import type { PageMatch } from './find-in-page.js';
import type { SearchHit } from './search-backend.js';

export interface NumberedHit {
  n: number;
  hit: SearchHit;
}

const HOW_TO_CITE =
  'When your answer uses a source, cite it by writing its marker (for example 【1】) right after the ' +
  'statement it supports. Cite only markers listed here.';

export function formatSearch(query: string, hits: readonly NumberedHit[], filtered: boolean): string {
  if (hits.length === 0) {
    const where = filtered ? ' on the allowed domains' : '';
    return `web_search found nothing for ${JSON.stringify(query)}${where}. Say so rather than guessing; other wording may find more.`;
  }
  const lines = [
    `web_search results for ${JSON.stringify(query)}, each under its marker.`,
    HOW_TO_CITE,
    'To read a result in full, call web_search with {"action": "open_page", "url": …}.',
    '',
  ];
  for (const { n, hit } of hits)
    lines.push(`【${n}】 ${hit.title}`, `URL: ${hit.url}`, hit.snippet.trim(), '');
  return lines.join('\n').trimEnd();
}

export function formatPage(
  n: number,
  page: { url: string; title: string; text: string },
  maxChars: number,
): string {
  const cut = page.text.length > maxChars;
  const text = cut ? `${page.text.slice(0, maxChars)}…` : page.text;
  return [
    `web_search opened ${page.url}, under its marker.`,
    HOW_TO_CITE,
    '',
    `【${n}】 ${page.title}`,
    `URL: ${page.url}`,
    '',
    text === '' ? '(the page has no readable text)' : text,
    ...(cut
      ? ['', `(cut at ${maxChars} characters; use {"action": "find_in_page"} to look for a passage)`]
      : []),
  ].join('\n');
}

export function formatMatches(
  n: number,
  page: { url: string; title: string },
  pattern: string,
  matches: readonly PageMatch[],
): string {
  if (matches.length === 0) return `${JSON.stringify(pattern)} does not occur on ${page.url}.`;
  const lines = [`${JSON.stringify(pattern)} on ${page.url} — 【${n}】 ${page.title}:`, HOW_TO_CITE, ''];
  for (const match of matches) lines.push(`- ${match.excerpt}`);
  return lines.join('\n');
}

export function formatFailure(what: string, reason: string): string {
  return `web_search could not ${what}: ${reason} Tell the user if it matters; do not invent the result.`;
}

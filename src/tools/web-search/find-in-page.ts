/** find_in_page: where a pattern occurs in a page's text (case-insensitive), each with its surroundings. */

export interface PageMatch {
  /** Character offset of the match in the page text. */
  at: number;
  excerpt: string;
}

export function findInPage(text: string, pattern: string, max: number, excerptChars: number): PageMatch[] {
  const needle = pattern.toLowerCase();
  const haystack = text.toLowerCase();
  const matches: PageMatch[] = [];
  const side = Math.max(0, Math.floor((excerptChars - pattern.length) / 2));
  let end = -1;
  for (
    let at = haystack.indexOf(needle);
    at !== -1 && matches.length < max;
    at = haystack.indexOf(needle, at + 1)
  ) {
    // Matches inside the previous excerpt are already shown.
    if (at < end) continue;
    const start = Math.max(0, at - side);
    end = Math.min(text.length, at + pattern.length + side);
    const excerpt = `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ').trim()}${end < text.length ? '…' : ''}`;
    matches.push({ at, excerpt });
  }
  return matches;
}

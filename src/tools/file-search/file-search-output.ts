/**
 * What the model is told of a file_search call: each result under its citation marker, then how
 * to cite. Results of earlier turns are replayed without markers, as the numbers of this response
 * start afresh.
 */
import type { SearchResult } from '../../vector-stores/search/search-chunks.js';

export interface NumberedResult {
  /** The citation number, 1-based, unique within the response. */
  n: number;
  result: Pick<SearchResult, 'fileId' | 'filename' | 'score' | 'text'>;
}

export function formatResults(queries: readonly string[], results: readonly NumberedResult[]): string {
  const asked = queries.map((query) => JSON.stringify(query)).join(', ');
  if (results.length === 0) {
    return `file_search found nothing for ${asked}. Say so rather than guessing; other wording may find more.`;
  }
  const lines = [
    `file_search results for ${asked}. Each result is a passage of a file, under its marker.`,
    'When your answer uses a result, cite it by writing its marker (for example 【1】) right after the ' +
      'statement it supports. Cite only markers listed here.',
    '',
  ];
  for (const { n, result } of results) {
    lines.push(`【${n}】 ${result.filename} (score ${result.score.toFixed(2)})`, result.text.trim(), '');
  }
  return lines.join('\n').trimEnd();
}

export function formatReplayedResults(
  queries: readonly string[],
  results: ReadonlyArray<{ filename?: unknown; text?: unknown }> | null,
): string {
  const asked = queries.map((query) => JSON.stringify(query)).join(', ');
  if (!results) return `file_search was run for ${asked} in an earlier turn; its results were not kept.`;
  if (results.length === 0) return `file_search found nothing for ${asked}.`;
  const lines = [`file_search results for ${asked} (from an earlier turn; not citable by marker):`, ''];
  for (const result of results) {
    lines.push(`${String(result.filename ?? 'file')}:`, String(result.text ?? '').trim(), '');
  }
  return lines.join('\n').trimEnd();
}

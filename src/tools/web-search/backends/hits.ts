/** Reads a backend's result list (`[{url, title, <snippet field>}]`), skipping entries without a URL. */
import type { SearchBackendError, SearchHit } from '../search-backend.js';

export function hitsOf(
  results: unknown,
  snippetField: string,
  garbage: () => SearchBackendError,
): SearchHit[] {
  if (!Array.isArray(results)) throw garbage();
  return results.flatMap((result): SearchHit[] => {
    const fields = (result ?? {}) as Record<string, unknown>;
    const { url, title } = fields;
    if (typeof url !== 'string') return [];
    const snippet = fields[snippetField];
    return [
      {
        url,
        title: typeof title === 'string' && title !== '' ? title : url,
        snippet: typeof snippet === 'string' ? snippet : Array.isArray(snippet) ? snippet.join(' … ') : '',
      },
    ];
  });
}

/** SearXNG's JSON API (`/search?format=json`; the instance must list `json` under `search.formats`). */
import type { SearchBackend, SearchHit, SearchQuery } from '../search-backend.js';
import { garbage, requestJson } from './backend-http.js';
import { hitsOf } from './hits.js';

export class SearxngBackend implements SearchBackend {
  readonly name = 'searxng';

  constructor(
    /** The instance's root, e.g. `http://searxng:8080` (a path prefix is kept). */
    private readonly root: string,
    private readonly timeoutMs: number,
  ) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const url = new URL('search', this.root.endsWith('/') ? this.root : `${this.root}/`);
    url.searchParams.set('q', query.query);
    url.searchParams.set('format', 'json');
    // SearXNG has no notion of the user's location (its `language` is the results' language).
    const answer = await requestJson({
      backend: this.name,
      url,
      timeoutMs: this.timeoutMs,
      signal: query.signal,
    });
    return hitsOf((answer as { results?: unknown } | null)?.results, 'content', () => garbage(this.name));
  }
}

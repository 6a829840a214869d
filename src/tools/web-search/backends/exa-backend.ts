/** Exa's search API (`POST /search`, key in `x-api-key`), asking for highlights as snippets. */
import type { SearchBackend, SearchHit, SearchQuery } from '../search-backend.js';
import { garbage, requestJson } from './backend-http.js';
import { hitsOf } from './hits.js';

export const EXA_BASE_URL = 'https://api.exa.ai';

export class ExaBackend implements SearchBackend {
  readonly name = 'exa';

  constructor(
    private readonly apiKey: string,
    private readonly timeoutMs: number,
    private readonly baseUrl: string = EXA_BASE_URL,
  ) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const country = query.location?.country;
    const answer = await requestJson({
      backend: this.name,
      url: new URL('/search', this.baseUrl),
      method: 'POST',
      headers: { 'x-api-key': this.apiKey },
      body: {
        query: query.query,
        numResults: Math.min(query.count, 25),
        contents: { highlights: true },
        ...(query.allowedDomains ? { includeDomains: query.allowedDomains } : {}),
        ...(country != null && country !== '' ? { userLocation: country.toUpperCase() } : {}),
      },
      timeoutMs: this.timeoutMs,
      signal: query.signal,
    });
    return hitsOf((answer as { results?: unknown } | null)?.results, 'highlights', () => garbage(this.name));
  }
}

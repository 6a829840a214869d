/** Tavily's search API (`POST /search`, key as a bearer token). */
import type { SearchBackend, SearchHit, SearchQuery } from '../search-backend.js';
import { garbage, requestJson } from './backend-http.js';
import { hitsOf } from './hits.js';

export const TAVILY_BASE_URL = 'https://api.tavily.com';

export class TavilyBackend implements SearchBackend {
  readonly name = 'tavily';

  constructor(
    private readonly apiKey: string,
    private readonly timeoutMs: number,
    private readonly baseUrl: string = TAVILY_BASE_URL,
  ) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    // Tavily's `country` wants an English country name, not the ISO code OpenAI's location has, so
    // the location is not passed.
    const answer = await requestJson({
      backend: this.name,
      url: new URL('/search', this.baseUrl),
      method: 'POST',
      headers: { authorization: `Bearer ${this.apiKey}` },
      body: {
        query: query.query,
        max_results: Math.min(query.count, 20),
        ...(query.allowedDomains ? { include_domains: query.allowedDomains } : {}),
      },
      timeoutMs: this.timeoutMs,
      signal: query.signal,
    });
    return hitsOf((answer as { results?: unknown } | null)?.results, 'content', () => garbage(this.name));
  }
}

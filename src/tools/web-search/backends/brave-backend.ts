/** Brave Search's web API (`GET /res/v1/web/search`, key in `X-Subscription-Token`). */
import type { SearchBackend, SearchHit, SearchQuery } from '../search-backend.js';
import { garbage, requestJson } from './backend-http.js';
import { hitsOf } from './hits.js';

export const BRAVE_BASE_URL = 'https://api.search.brave.com';

export class BraveBackend implements SearchBackend {
  readonly name = 'brave';

  constructor(
    private readonly apiKey: string,
    private readonly timeoutMs: number,
    private readonly baseUrl: string = BRAVE_BASE_URL,
  ) {}

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const url = new URL('/res/v1/web/search', this.baseUrl);
    url.searchParams.set('q', query.query);
    // Brave returns at most 20 per page.
    url.searchParams.set('count', String(Math.min(query.count, 20)));
    const location = query.location;
    if (location?.country != null && location.country !== '')
      url.searchParams.set('country', location.country.toUpperCase());
    // Brave reads the rest of a location from headers of its own.
    const headers: Record<string, string> = { 'x-subscription-token': this.apiKey };
    if (location?.city) headers['x-loc-city'] = location.city;
    if (location?.region) headers['x-loc-state-name'] = location.region;
    if (location?.timezone) headers['x-loc-timezone'] = location.timezone;
    if (location?.country) headers['x-loc-country'] = location.country.toUpperCase();
    const answer = await requestJson({
      backend: this.name,
      url,
      headers,
      timeoutMs: this.timeoutMs,
      signal: query.signal,
    });
    const web = (answer as { web?: { results?: unknown } } | null)?.web;
    // An answer with no web section is Brave's way of saying nothing was found.
    if (web === undefined && typeof answer === 'object' && answer !== null) return [];
    return hitsOf(web?.results, 'description', () => garbage(this.name));
  }
}

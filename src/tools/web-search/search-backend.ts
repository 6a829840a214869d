/**
 * What every web search backend does: one query in, results out. A backend is one small file in
 * `backends/` translating this to its service's JSON API; it throws a `SearchBackendError` with a
 * sentence the model can be told when the service is down, slow or answers something unreadable.
 */
import type { UserLocation } from './web-search-entry.js';

export interface SearchQuery {
  query: string;
  /** Results wanted (a backend may return fewer). */
  count: number;
  location: UserLocation | undefined;
  /** Passed to backends that can restrict a search; results are filtered again by the tool. */
  allowedDomains: readonly string[] | undefined;
  signal: AbortSignal;
}

export interface SearchHit {
  url: string;
  title: string;
  /** A passage of the page that matched, plain text. */
  snippet: string;
}

export interface SearchBackend {
  /** `searxng`, `brave`, `tavily`, `exa`: for logs, doctor and error messages. */
  readonly name: string;
  search(query: SearchQuery): Promise<SearchHit[]>;
}

export class SearchBackendError extends Error {
  override name = 'SearchBackendError';
}

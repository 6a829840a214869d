/**
 * `search_context_size` → how much text a call hands the model. OpenAI leaves the amounts to the
 * service; these keep a `high` search within a few thousand tokens.
 */
import type { SearchContextSize } from './web-search-entry.js';

export interface ContextBudget {
  /** Results shown for one search. */
  results: number;
  /** Characters of each result's snippet. */
  snippetChars: number;
  /** Characters of an opened page. */
  pageChars: number;
  /** Matches shown by find_in_page, and the characters around each. */
  matches: number;
  matchChars: number;
}

export const CONTEXT_BUDGETS: Record<SearchContextSize, ContextBudget> = {
  low: { results: 3, snippetChars: 300, pageChars: 4_000, matches: 3, matchChars: 300 },
  medium: { results: 6, snippetChars: 600, pageChars: 12_000, matches: 6, matchChars: 500 },
  high: { results: 10, snippetChars: 1_200, pageChars: 32_000, matches: 10, matchChars: 800 },
};

/**
 * The model's call → one of the item's actions (openai `ResponseFunctionWebSearch.action`):
 * `search` (query), `open_page` (url) or `find_in_page` (url, pattern).
 */

export type WebSearchAction =
  | { type: 'search'; query: string }
  | { type: 'open_page'; url: string }
  | { type: 'find_in_page'; url: string; pattern: string };

/** The action, or why the arguments are not one (said to the model). */
export function parseAction(args: string): WebSearchAction | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return { error: 'the arguments are not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { error: 'the arguments are not an object' };
  const fields = parsed as Record<string, unknown>;
  const text = (name: string) => {
    const value = fields[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const query = text('query');
  const url = text('url');
  const pattern = text('pattern');
  // Models often leave `action` out when the other fields say it.
  const type = text('action') ?? (pattern ? 'find_in_page' : url ? 'open_page' : 'search');
  switch (type) {
    case 'search':
      return query ? { type, query } : { error: 'action "search" needs a non-empty "query"' };
    case 'open_page':
      return url ? { type, url } : { error: 'action "open_page" needs a "url"' };
    case 'find_in_page':
      return url && pattern
        ? { type, url, pattern }
        : { error: 'action "find_in_page" needs a "url" and a "pattern"' };
    default:
      return {
        error: `"action" must be "search", "open_page" or "find_in_page", not ${JSON.stringify(type)}`,
      };
  }
}

/** The item's `action` before the call ran; `search` also carries `queries`, as OpenAI's now does. */
export function publicAction(action: WebSearchAction): Record<string, unknown> {
  return action.type === 'search'
    ? { type: 'search', query: action.query, queries: [action.query] }
    : { ...action };
}

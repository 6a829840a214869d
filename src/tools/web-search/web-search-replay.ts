/**
 * A web_search_call of an earlier turn, told to a model: the action as it called it and a short
 * account of it. The results themselves are not kept on the item (as with OpenAI's), so the model
 * is told to search again if it needs them; their numbers are of that turn, not citable now.
 */

export function replayWebSearch(item: Record<string, unknown>): { arguments: string; output: string } {
  const action = (item.action ?? {}) as Record<string, unknown>;
  const type = typeof action.type === 'string' ? action.type : 'search';
  const args = {
    action: type,
    query: typeof action.query === 'string' ? action.query : null,
    url: typeof action.url === 'string' ? action.url : null,
    pattern: typeof action.pattern === 'string' ? action.pattern : null,
  };
  const failed = item.status === 'failed';
  const sources = Array.isArray(action.sources)
    ? action.sources.flatMap((source) => {
        const url = (source as { url?: unknown } | null)?.url;
        return typeof url === 'string' ? [url] : [];
      })
    : [];
  const what =
    type === 'search'
      ? `searched for ${JSON.stringify(args.query ?? '')}`
      : `${type.replace(/_/g, ' ')} ${args.url ?? ''}`;
  const output = failed
    ? `web_search ${what} in an earlier turn, and it failed.`
    : `web_search ${what} in an earlier turn${sources.length > 0 ? `; sources: ${sources.join(', ')}` : ''}. ` +
      'Its text was not kept: call web_search again to cite it.';
  return { arguments: JSON.stringify(args), output };
}

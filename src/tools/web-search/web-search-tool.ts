/**
 * The built-in `web_search` tool (all four request types): the model gets one `web_search`
 * function with three actions — search the configured backend, open a page, find a pattern in a
 * page. Results and pages are numbered by `cite`, so the engine turns the answer's markers into
 * `url_citation` annotations. Every failure of a call (backend down, slow or answering garbage, a
 * page refused, too large or not text, a domain outside `allowed_domains`) ends that call's item
 * `failed` and tells the model why; the response goes on.
 */
import type { FunctionToolSpec } from '../../providers/types.js';
import type { BuiltInTool, PreparedTool, ToolCall, ToolExecution, ToolResult } from '../types.js';
import { CONTEXT_BUDGETS, type ContextBudget } from './context-size.js';
import { isAllowedUrl } from './domain-filter.js';
import { findInPage } from './find-in-page.js';
import type { PageReader, ReadPage } from './page-reader.js';
import type { SearchBackend } from './search-backend.js';
import { parseAction, publicAction, type WebSearchAction } from './web-search-action.js';
import {
  parseWebSearchEntry,
  WEB_SEARCH_PREVIEW_TYPES,
  WEB_SEARCH_TYPES,
  type WebSearchSettings,
} from './web-search-entry.js';
import { formatFailure, formatMatches, formatPage, formatSearch } from './web-search-output.js';
import { replayWebSearch } from './web-search-replay.js';

export const INCLUDE_SOURCES = 'web_search_call.action.sources';
/** The request types besides `web_search` that this tool serves. */
export const WEB_SEARCH_ALIASES = [...WEB_SEARCH_TYPES.slice(1), ...WEB_SEARCH_PREVIEW_TYPES];

const SPEC: FunctionToolSpec = {
  kind: 'function',
  name: 'web_search',
  description:
    'Search the web for current information, open a page, or find a phrase in a page. ' +
    'action "search" needs query; "open_page" needs url; "find_in_page" needs url and pattern. ' +
    'Results come numbered; cite each one you use by its marker, e.g. 【1】.',
  parameters: {
    type: 'object',
    properties: {
      action: { type: 'string', enum: ['search', 'open_page', 'find_in_page'] },
      query: { type: ['string', 'null'], description: 'For search: what to look for.' },
      url: { type: ['string', 'null'], description: 'For open_page and find_in_page: the page.' },
      pattern: { type: ['string', 'null'], description: 'For find_in_page: the text to find.' },
    },
    required: ['action', 'query', 'url', 'pattern'],
    additionalProperties: false,
  },
  strict: true,
};

export interface WebSearchToolDeps {
  backend: SearchBackend;
  pages: PageReader;
}

export class WebSearchTool implements BuiltInTool {
  readonly type = 'web_search';
  readonly itemType = 'web_search_call';
  readonly idPrefix = 'ws';

  constructor(private readonly deps: WebSearchToolDeps) {}

  async prepare(entry: Record<string, unknown>, how: { param: string }): Promise<PreparedTool> {
    return new WebSearchCall(parseWebSearchEntry(entry, how.param), this.deps);
  }

  replay(item: Record<string, unknown>): { arguments: string; output: string } {
    return replayWebSearch(item);
  }
}

/** One request's web_search entry; pages it opened are kept for its find_in_page calls. */
export class WebSearchCall implements PreparedTool {
  readonly spec = SPEC;
  private readonly budget: ContextBudget;
  private readonly opened = new Map<string, Promise<ReadPage>>();

  constructor(
    readonly settings: WebSearchSettings,
    private readonly deps: WebSearchToolDeps,
  ) {
    this.budget = CONTEXT_BUDGETS[settings.contextSize];
  }

  openItem(call: ToolCall): Record<string, unknown> {
    const action = parseAction(call.arguments);
    return {
      status: 'in_progress',
      action: 'error' in action ? { type: 'search', query: '' } : publicAction(action),
    };
  }

  async execute(call: ToolCall, how: ToolExecution): Promise<ToolResult> {
    const action = parseAction(call.arguments);
    if ('error' in action) {
      return {
        item: { status: 'failed', action: { type: 'search', query: '' } },
        output: `web_search was called wrongly: ${action.error}.`,
      };
    }
    how.progress({ type: 'phase', phase: 'searching' });
    try {
      return await this.run(action, how);
    } catch (error) {
      if (how.signal.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return {
        item: { status: 'failed', action: publicAction(action) },
        output: formatFailure(verb(action), reason),
      };
    }
  }

  private async run(action: WebSearchAction, how: ToolExecution): Promise<ToolResult> {
    const allowed = this.settings.allowedDomains;
    if (action.type === 'search') {
      const hits = await this.deps.backend.search({
        query: action.query,
        // Room for results the domain filter drops.
        count: allowed ? Math.min(this.budget.results * 3, 20) : this.budget.results,
        location: this.settings.location,
        allowedDomains: allowed,
        signal: how.signal,
      });
      const kept = hits.filter((hit) => isAllowedUrl(hit.url, allowed)).slice(0, this.budget.results);
      const numbered = kept.map((hit) => ({
        n: how.cite({ type: 'url_citation', url: hit.url, title: hit.title }),
        hit: { ...hit, snippet: clip(hit.snippet, this.budget.snippetChars) },
      }));
      const sources = how.context.include.includes(INCLUDE_SOURCES)
        ? { sources: kept.map((hit) => ({ type: 'url', url: hit.url })) }
        : {};
      return {
        item: { status: 'completed', action: { ...publicAction(action), ...sources } },
        output: formatSearch(action.query, numbered, allowed !== undefined),
      };
    }
    const item = { status: 'completed', action: publicAction(action) };
    if (!isAllowedUrl(action.url, allowed)) {
      return {
        item: { ...item, status: 'failed' },
        output: formatFailure(
          verb(action),
          `${action.url} is outside the allowed domains (${allowed!.join(', ')}).`,
        ),
      };
    }
    const page = await this.page(action.url, how.signal);
    if (!isAllowedUrl(page.url, allowed)) {
      return {
        item: { ...item, status: 'failed' },
        output: formatFailure(
          verb(action),
          `${action.url} redirected to ${page.url}, outside the allowed domains.`,
        ),
      };
    }
    const n = how.cite({ type: 'url_citation', url: page.url, title: page.title });
    if (action.type === 'open_page') return { item, output: formatPage(n, page, this.budget.pageChars) };
    const matches = findInPage(page.text, action.pattern, this.budget.matches, this.budget.matchChars);
    return { item, output: formatMatches(n, page, action.pattern, matches) };
  }

  /** A page once per request: find_in_page after open_page reads what was opened. */
  private page(url: string, signal: AbortSignal): Promise<ReadPage> {
    let page = this.opened.get(url);
    if (!page) {
      page = this.deps.pages.read(url, signal);
      // A failed fetch is not kept: a later call may try again.
      page.catch(() => this.opened.delete(url));
      this.opened.set(url, page);
    }
    return page;
  }
}

function verb(action: WebSearchAction): string {
  switch (action.type) {
    case 'search':
      return `search for ${JSON.stringify(action.query)}`;
    case 'open_page':
      return `open ${action.url}`;
    case 'find_in_page':
      return `search ${action.url} for ${JSON.stringify(action.pattern)}`;
  }
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * The built-in `file_search` tool: the model gets a `file_search({queries})` function; a call
 * searches the request's vector stores (with its filters, max_num_results and ranking_options) and
 * answers with numbered passages to cite. Results are numbered across all file_search calls of a
 * response, so that `citations(responseId)` can turn the final answer's markers into
 * `file_citation` annotations.
 */
import { GatewayError } from '../../errors.js';
import type { FunctionToolSpec } from '../../providers/types.js';
import type { VectorStoreRepository } from '../../store/types.js';
import type { ChunkSearch } from '../../vector-stores/search/search-chunks.js';
import type { BuiltInTool, PreparedTool, ToolCall, ToolExecution, ToolResult } from '../types.js';
import { type CitationSource, FileCitationStream } from './file-citations.js';
import { type FileSearchEntry, parseFileSearchEntry } from './file-search-entry.js';
import { formatReplayedResults, formatResults, type NumberedResult } from './file-search-output.js';

export const INCLUDE_RESULTS = 'file_search_call.results';
const DEFAULT_MAX_RESULTS = 10;
/** Responses whose citation sources are kept at once; the oldest go first. */
const KEPT_RESPONSES = 1000;

const SPEC: FunctionToolSpec = {
  kind: 'function',
  name: 'file_search',
  description:
    "Search the user's uploaded files for passages relevant to the question. Give one or more " +
    'search queries (rephrase the question in the words a document would use). Results come ' +
    'numbered; cite each one you use by its marker, e.g. 【1】.',
  parameters: {
    type: 'object',
    properties: {
      queries: {
        type: 'array',
        items: { type: 'string' },
        description: 'Search queries, each a short phrase.',
      },
    },
    required: ['queries'],
    additionalProperties: false,
  },
  strict: true,
};

export interface FileSearchToolDeps {
  vectorStores: VectorStoreRepository;
  search: ChunkSearch;
}

export class FileSearchTool implements BuiltInTool {
  readonly type = 'file_search';
  readonly itemType = 'file_search_call';
  readonly idPrefix = 'fs';
  /** Citation sources by response, in marker order. */
  private readonly sources = new Map<string, CitationSource[]>();

  constructor(private readonly deps: FileSearchToolDeps) {}

  async prepare(
    entry: Record<string, unknown>,
    how: { tenantId: string; param: string },
  ): Promise<PreparedTool> {
    const settings = parseFileSearchEntry(entry, how.param);
    for (const id of settings.vector_store_ids) {
      if (!(await this.deps.vectorStores.get(how.tenantId, id))) {
        throw new GatewayError(404, `No vector store found with id '${id}'.`, {
          type: 'invalid_request_error',
          param: `${how.param}.vector_store_ids`,
        });
      }
    }
    return new FileSearchCall(settings, this.deps.search, (responseId) => this.sourcesOf(responseId));
  }

  replay(item: Record<string, unknown>): { arguments: string; output: string } {
    const queries = Array.isArray(item.queries) ? item.queries.map(String) : [];
    const results = Array.isArray(item.results) ? (item.results as Array<Record<string, unknown>>) : null;
    return { arguments: JSON.stringify({ queries }), output: formatReplayedResults(queries, results) };
  }

  /**
   * Turns markers in this response's answer text into annotations: feed it the text's deltas (or
   * the whole text) and show what it returns. Markers only resolve to results of this response.
   */
  citations(responseId: string): FileCitationStream {
    return new FileCitationStream((n) => this.sources.get(responseId)?.[n - 1]);
  }

  /** The response is over: its sources are no longer needed. */
  release(responseId: string): void {
    this.sources.delete(responseId);
  }

  private sourcesOf(responseId: string): CitationSource[] {
    let list = this.sources.get(responseId);
    if (!list) {
      if (this.sources.size >= KEPT_RESPONSES) this.sources.delete(this.sources.keys().next().value!);
      list = [];
      this.sources.set(responseId, list);
    }
    return list;
  }
}

/** One request's file_search entry, bound to its settings. */
export class FileSearchCall implements PreparedTool {
  readonly spec = SPEC;

  constructor(
    readonly settings: FileSearchEntry,
    private readonly search: ChunkSearch,
    private readonly sourcesOf: (responseId: string) => CitationSource[],
  ) {}

  openItem(call: ToolCall): Record<string, unknown> {
    return { status: 'in_progress', queries: parseQueries(call.arguments) ?? [], results: null };
  }

  async execute(call: ToolCall, how: ToolExecution): Promise<ToolResult> {
    const queries = parseQueries(call.arguments);
    if (!queries || queries.length === 0) {
      return {
        item: { status: 'failed', queries: queries ?? [], results: null },
        output: 'file_search needs {"queries": ["…"]} with at least one non-empty query.',
      };
    }
    how.progress({ type: 'phase', phase: 'searching' });
    let outcome: Awaited<ReturnType<ChunkSearch['search']>>;
    try {
      outcome = await this.search.search(
        {
          tenantId: how.context.tenantId,
          vectorStoreIds: this.settings.vector_store_ids,
          queries,
          filter: this.settings.filters ?? undefined,
          maxResults: this.settings.max_num_results ?? DEFAULT_MAX_RESULTS,
          ranking: this.settings.ranking_options,
        },
        how.signal,
      );
    } catch (error) {
      if (how.signal.aborted) throw error;
      return {
        item: { status: 'failed', queries, results: null },
        output: `file_search failed: ${(error as Error).message}`,
      };
    }
    const sources = this.sourcesOf(how.context.responseId);
    const numbered: NumberedResult[] = outcome.results.map((result) => {
      sources.push({ file_id: result.fileId, filename: result.filename });
      return { n: sources.length, result };
    });
    const included = how.context.include.includes(INCLUDE_RESULTS);
    return {
      item: {
        status: 'completed',
        queries,
        results: included
          ? outcome.results.map((result) => ({
              file_id: result.fileId,
              filename: result.filename,
              score: result.score,
              text: result.text,
              attributes: result.attributes,
            }))
          : null,
      },
      output: formatResults(queries, numbered),
    };
  }
}

/** `{"queries": [...]}`, also accepting a lone `query` string as some models send. */
function parseQueries(args: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { queries, query } = parsed as { queries?: unknown; query?: unknown };
  const list = Array.isArray(queries) ? queries : typeof query === 'string' ? [query] : undefined;
  return list?.filter((q): q is string => typeof q === 'string' && q.trim() !== '').map((q) => q.trim());
}

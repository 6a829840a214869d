/**
 * The built-in `file_search` tool: the model gets a `file_search({queries})` function; a call
 * searches the request's vector stores (with its filters, max_num_results and ranking_options) and
 * answers with passages numbered by `cite`, so that the engine turns the answer's markers into
 * `file_citation` annotations.
 */
import { GatewayError } from '../../errors.js';
import type { FunctionToolSpec } from '../../providers/types.js';
import type { VectorStoreRepository } from '../../store/types.js';
import type { ChunkSearch } from '../../vector-stores/search/search-chunks.js';
import type { BuiltInTool, PreparedTool, ToolCall, ToolExecution, ToolResult } from '../types.js';
import { type FileSearchEntry, parseFileSearchEntry } from './file-search-entry.js';
import { formatReplayedResults, formatResults, type NumberedResult } from './file-search-output.js';

export const INCLUDE_RESULTS = 'file_search_call.results';
const DEFAULT_MAX_RESULTS = 10;

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
    return new FileSearchCall(settings, this.deps.search);
  }

  replay(item: Record<string, unknown>): { arguments: string; output: string } {
    const queries = Array.isArray(item.queries) ? item.queries.map(String) : [];
    const results = Array.isArray(item.results) ? (item.results as Array<Record<string, unknown>>) : null;
    return { arguments: JSON.stringify({ queries }), output: formatReplayedResults(queries, results) };
  }
}

/** One request's file_search entry, bound to its settings. */
export class FileSearchCall implements PreparedTool {
  readonly spec = SPEC;

  constructor(
    readonly settings: FileSearchEntry,
    private readonly search: ChunkSearch,
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
    const numbered: NumberedResult[] = outcome.results.map((result) => ({
      n: how.cite({ type: 'file_citation', file_id: result.fileId, filename: result.filename }),
      result,
    }));
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

/**
 * A built-in tool for tests, served under the `file_search` type: it "searches" by echoing its
 * queries, and its queries steer it (`fail:` throws, `hang:` waits until aborted, `slow:` takes
 * 50 ms), so the loop's every path can be driven from a mock upstream's scripted calls.
 */
import type { BuiltInTool, ToolCall, ToolExecution } from '../../src/tools/types.js';

export interface TestToolLog {
  calls: Array<{ call: ToolCall; tenantId: string }>;
  /** Signals of calls still running or ended, in call order. */
  signals: AbortSignal[];
  /** Most calls running at once. */
  maxConcurrent: number;
}

export function testSearchTool(log: TestToolLog = newToolLog()): BuiltInTool & { log: TestToolLog } {
  let running = 0;
  return {
    log,
    type: 'file_search',
    itemType: 'file_search_call',
    idPrefix: 'fs',
    async prepare(entry, how) {
      const stores = entry.vector_store_ids;
      if (!Array.isArray(stores) || stores.includes('vs_missing')) {
        const { invalidRequest } = await import('../../src/errors.js');
        throw invalidRequest('Vector store not found.', `${how.param}.vector_store_ids`, 'not_found');
      }
      return {
        spec: {
          kind: 'function',
          name: 'file_search',
          description: 'Search the files.',
          parameters: {
            type: 'object',
            properties: { queries: { type: 'array', items: { type: 'string' } } },
            required: ['queries'],
          },
          strict: false,
        },
        openItem: (call) => ({ queries: queriesOf(call.arguments), results: null }),
        async execute(call, how: ToolExecution) {
          log.calls.push({ call, tenantId: how.context.tenantId });
          log.signals.push(how.signal);
          running++;
          log.maxConcurrent = Math.max(log.maxConcurrent, running);
          try {
            const queries = queriesOf(call.arguments);
            how.progress({ type: 'phase', phase: 'searching' });
            const first = queries[0] ?? '';
            if (first.startsWith('slow:')) await sleep(50, how.signal);
            if (first.startsWith('hang:')) await sleep(60_000, how.signal);
            if (first.startsWith('fail:')) throw new Error(`index unavailable for ${first.slice(5)}`);
            const results = queries.map((q) => ({
              file_id: 'file-test',
              filename: 'notes.txt',
              score: 1,
              text: `About ${q}.`,
            }));
            return {
              item: {
                status: 'completed',
                queries,
                results: how.context.include.includes('file_search_call.results') ? results : null,
              },
              output: results.map((r) => r.text).join('\n'),
            };
          } finally {
            running--;
          }
        },
      };
    },
    replay: (item) => ({
      arguments: JSON.stringify({ queries: item.queries }),
      output: `(earlier search for ${JSON.stringify(item.queries)})`,
    }),
  };
}

export function newToolLog(): TestToolLog {
  return { calls: [], signals: [], maxConcurrent: 0 };
}

function queriesOf(args: string): string[] {
  const parsed = JSON.parse(args) as { queries?: unknown };
  return Array.isArray(parsed.queries) ? parsed.queries.map(String) : [];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

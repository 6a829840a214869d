/** `rgw usage` and GET /admin/usage: a time range of usage rows, grouped, as JSON or a table. */
import { invalidRequest } from '../errors.js';
import type { UsageQueryParams } from '../protocol/admin.js';
import type { UsageGroup, UsageQuery } from '../store/types.js';
import { parseTime } from './time-spec.js';

export const DEFAULT_SINCE = '24h';

/** The repository query for the API's (or the CLI's) parameters; a bad time is a 400 naming it. */
export function usageQueryOf(params: UsageQueryParams, now = Date.now()): UsageQuery {
  const since = parseTime(params.since ?? DEFAULT_SINCE, 'ago', now);
  if (since === undefined)
    throw invalidRequest(
      `Invalid 'since': '${params.since}'. Expected a duration (24h, 7d), unix seconds or an ISO date.`,
      'since',
    );
  const until = params.until === undefined ? now + 1 : parseTime(params.until, 'ago', now);
  if (until === undefined)
    throw invalidRequest(
      `Invalid 'until': '${params.until}'. Expected a duration (24h, 7d), unix seconds or an ISO date.`,
      'until',
    );
  return {
    since,
    until,
    groupBy: params.group_by,
    ...(params.tenant !== undefined ? { tenantId: params.tenant } : {}),
  };
}

const COLUMNS: Array<[string, (g: UsageGroup) => string]> = [
  ['requests', (g) => String(g.requests)],
  ['input', (g) => String(g.input_tokens)],
  ['cached', (g) => String(g.cached_tokens)],
  ['output', (g) => String(g.output_tokens)],
  ['reasoning', (g) => String(g.reasoning_tokens)],
  ['tools', (g) => String(g.tool_calls)],
  ['cost $', (g) => g.cost_usd.toFixed(6)],
  ['latency ms', (g) => String(Math.round(g.avg_latency_ms))],
  ['ttft ms', (g) => (g.avg_ttft_ms == null ? '-' : String(Math.round(g.avg_ttft_ms)))],
];

/** A plain-text table, numbers right-aligned, with a total row. */
export function renderUsageTable(groupBy: string, groups: readonly UsageGroup[]): string {
  if (groups.length === 0) return 'no usage in this period';
  const header = [groupBy, ...COLUMNS.map(([name]) => name)];
  const rows = groups.map((g) => [g.group, ...COLUMNS.map(([, cell]) => cell(g))]);
  const total: UsageGroup = {
    group: 'total',
    requests: 0,
    input_tokens: 0,
    cached_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    tool_calls: 0,
    cost_usd: 0,
    avg_latency_ms: 0,
    avg_ttft_ms: null,
  };
  for (const g of groups) {
    total.requests += g.requests;
    total.input_tokens += g.input_tokens;
    total.cached_tokens += g.cached_tokens;
    total.output_tokens += g.output_tokens;
    total.reasoning_tokens += g.reasoning_tokens;
    total.tool_calls += g.tool_calls;
    total.cost_usd += g.cost_usd;
    total.avg_latency_ms += g.avg_latency_ms * g.requests;
  }
  total.avg_latency_ms /= Math.max(1, total.requests);
  rows.push(['total', ...COLUMNS.map(([, cell]) => cell(total))]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

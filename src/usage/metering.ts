/**
 * What happens when a response ends: its usage priced into a usage row (written off the request
 * path), its tokens and cost charged to the key's and tenant's limits, and the metrics told.
 */
import type { ResponseObserver, ResponseReport } from '../engine/response-report.js';
import { builtInToolCalls } from '../engine/response-report.js';
import type { Limiter } from '../limits/limiter.js';
import type { UsageRow } from '../store/types.js';
import type { PriceTable } from './price-table.js';
import type { UsageWriter } from './usage-writer.js';

export interface MeteringDeps {
  prices: () => PriceTable;
  writer: UsageWriter;
  limiter: Limiter;
  /** Metrics and anything else that wants each row. */
  onRow?: (row: UsageRow, report: ResponseReport) => void;
}

export class Metering implements ResponseObserver {
  constructor(private readonly deps: MeteringDeps) {}

  finished(report: ResponseReport): void {
    const row = usageRow(report, this.deps.prices());
    this.deps.writer.push(row);
    this.deps.limiter.settle(row.key_id, row.tenant_id, row.input_tokens + row.output_tokens, row.cost_usd);
    this.deps.onRow?.(row, report);
  }
}

export function usageRow(report: ResponseReport, prices: PriceTable): UsageRow {
  const { response } = report;
  const usage = response.usage;
  const tokens = {
    input: usage?.input_tokens ?? 0,
    cached: usage?.input_tokens_details?.cached_tokens ?? 0,
    output: usage?.output_tokens ?? 0,
  };
  return {
    response_id: response.id,
    created_at: report.startedAt,
    tenant_id: report.tenantId,
    key_id: report.keyId,
    model: response.model,
    provider: report.provider,
    input_tokens: tokens.input,
    cached_tokens: tokens.cached,
    output_tokens: tokens.output,
    reasoning_tokens: usage?.output_tokens_details?.reasoning_tokens ?? 0,
    tool_calls: builtInToolCalls(response),
    latency_ms: report.latencyMs,
    ttft_ms: report.ttftMs ?? null,
    status: response.status,
    cost_usd: prices.cost(response.model, tokens),
  };
}

/** Usage rows in SQLite: appended in batches by the recorder, summed for budgets and reports. */
import type {
  UsageBucketGroup,
  UsageBucketQuery,
  UsageGroup,
  UsageGroupBy,
  UsageQuery,
  UsageRepository,
  UsageRow,
} from '../types.js';
import type { SqliteDatabase } from './open-database.js';

/** Group-by column per grouping: a fixed map, so nothing from a request reaches the SQL text. */
const GROUP_COLUMN: Record<UsageGroupBy, string> = {
  key: 'key_id',
  tenant: 'tenant_id',
  model: 'model',
  provider: 'provider',
};

export class SqliteUsage implements UsageRepository {
  private readonly insert;
  private readonly appendAll;
  private readonly spendOfKey;
  private readonly spendOfTenant;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = db.prepare(
      `INSERT INTO usage (response_id, created_at, tenant_id, key_id, model, provider, input_tokens,
         cached_tokens, output_tokens, reasoning_tokens, tool_calls, latency_ms, ttft_ms, status, cost_usd)
       VALUES (@response_id, @created_at, @tenant_id, @key_id, @model, @provider, @input_tokens,
         @cached_tokens, @output_tokens, @reasoning_tokens, @tool_calls, @latency_ms, @ttft_ms, @status,
         @cost_usd)`,
    );
    // One transaction per batch: one fsync for many rows.
    this.appendAll = db.transaction((rows: readonly UsageRow[]) => {
      for (const row of rows) this.insert.run(row);
    });
    this.spendOfKey = db.prepare(
      'SELECT COALESCE(SUM(cost_usd), 0) AS spend FROM usage WHERE key_id = ? AND created_at >= ?',
    );
    this.spendOfTenant = db.prepare(
      'SELECT COALESCE(SUM(cost_usd), 0) AS spend FROM usage WHERE tenant_id = ? AND created_at >= ?',
    );
  }

  async append(rows: readonly UsageRow[]): Promise<void> {
    if (rows.length > 0) this.appendAll(rows);
  }

  async spend(scope: { keyId: string } | { tenantId: string }, since: number): Promise<number> {
    const row =
      'keyId' in scope
        ? this.spendOfKey.get(scope.keyId, since)
        : this.spendOfTenant.get(scope.tenantId, since);
    return (row as { spend: number }).spend;
  }

  async summarize(query: UsageQuery): Promise<UsageGroup[]> {
    const column = GROUP_COLUMN[query.groupBy];
    return this.db
      .prepare(
        `SELECT ${column} AS "group", ${SUMS}
         FROM usage WHERE ${RANGE} ${tenantFilter(query)}
         GROUP BY ${column} ORDER BY cost_usd DESC, requests DESC, "group"`,
      )
      .all(parameters(query)) as UsageGroup[];
  }

  async summarizeBuckets(query: UsageBucketQuery): Promise<UsageBucketGroup[]> {
    const column = GROUP_COLUMN[query.groupBy];
    // Bound numbers may arrive as REAL: the cast truncates to the bucket's index from `since`.
    return this.db
      .prepare(
        `SELECT CAST((created_at - @since) / @bucketMs AS INTEGER) AS bucket, ${column} AS "group", ${SUMS}
         FROM usage WHERE ${RANGE} ${tenantFilter(query)}
         GROUP BY bucket, ${column} ORDER BY bucket, cost_usd DESC, requests DESC, "group"`,
      )
      .all({ ...parameters(query), bucketMs: Math.floor(query.bucketMs) }) as UsageBucketGroup[];
  }
}

const SUMS = `COUNT(*) AS requests,
  SUM(input_tokens) AS input_tokens, SUM(cached_tokens) AS cached_tokens,
  SUM(output_tokens) AS output_tokens, SUM(reasoning_tokens) AS reasoning_tokens,
  SUM(tool_calls) AS tool_calls, SUM(cost_usd) AS cost_usd,
  AVG(latency_ms) AS avg_latency_ms, AVG(ttft_ms) AS avg_ttft_ms`;

const RANGE = 'created_at >= @since AND created_at < @until';

function tenantFilter(query: UsageQuery): string {
  return query.tenantId === undefined ? '' : 'AND tenant_id = @tenantId';
}

function parameters(query: UsageQuery): Record<string, unknown> {
  return { since: Math.floor(query.since), until: query.until, tenantId: query.tenantId };
}

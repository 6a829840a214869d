/** Usage rows in PostgreSQL: appended in batches by the recorder, summed for budgets and reports. */
import type pg from 'pg';
import type {
  UsageBucketGroup,
  UsageBucketQuery,
  UsageGroup,
  UsageGroupBy,
  UsageQuery,
  UsageRepository,
  UsageRow,
} from '../types.js';
import { first, inTransaction, rows } from './pg-database.js';

/** Group-by column per grouping: a fixed map, so nothing from a request reaches the SQL text. */
const GROUP_COLUMN: Record<UsageGroupBy, string> = {
  key: 'key_id',
  tenant: 'tenant_id',
  model: 'model',
  provider: 'provider',
};

const COLUMNS = [
  'response_id',
  'created_at',
  'tenant_id',
  'key_id',
  'model',
  'provider',
  'input_tokens',
  'cached_tokens',
  'output_tokens',
  'reasoning_tokens',
  'tool_calls',
  'latency_ms',
  'ttft_ms',
  'status',
  'cost_usd',
] as const;

/** Rows per INSERT: 15 parameters each, well inside PostgreSQL's 65,535. */
const ROWS_PER_INSERT = 200;

export class PgUsage implements UsageRepository {
  constructor(private readonly pool: pg.Pool) {}

  async append(batch: readonly UsageRow[]): Promise<void> {
    if (batch.length === 0) return;
    await inTransaction(this.pool, async (client) => {
      for (let start = 0; start < batch.length; start += ROWS_PER_INSERT) {
        const slice = batch.slice(start, start + ROWS_PER_INSERT);
        const values = slice
          .map((_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`)
          .join(', ');
        await client.query(
          `INSERT INTO usage (${COLUMNS.join(', ')}) VALUES ${values}`,
          slice.flatMap((row) => COLUMNS.map((column) => row[column])),
        );
      }
    });
  }

  async spend(scope: { keyId: string } | { tenantId: string }, since: number): Promise<number> {
    const [column, value] = 'keyId' in scope ? ['key_id', scope.keyId] : ['tenant_id', scope.tenantId];
    const row = await first<{ spend: number }>(
      this.pool,
      `SELECT COALESCE(SUM(cost_usd), 0)::float8 AS spend FROM usage WHERE ${column} = $1 AND created_at >= $2`,
      [value, since],
    );
    return row?.spend ?? 0;
  }

  async summarize(query: UsageQuery): Promise<UsageGroup[]> {
    const column = GROUP_COLUMN[query.groupBy];
    const params: unknown[] = [query.since, query.until];
    return rows<UsageGroup>(
      this.pool,
      `SELECT ${column} AS "group", ${SUMS}
       FROM usage WHERE created_at >= $1 AND created_at < $2 ${tenantFilter(query, params)}
       GROUP BY ${column} ORDER BY cost_usd DESC, requests DESC, "group"`,
      params,
    );
  }

  async summarizeBuckets(query: UsageBucketQuery): Promise<UsageBucketGroup[]> {
    const column = GROUP_COLUMN[query.groupBy];
    const params: unknown[] = [Math.floor(query.since), query.until, Math.floor(query.bucketMs)];
    // bigint / bigint truncates: the bucket's index from `since`.
    return rows<UsageBucketGroup>(
      this.pool,
      `SELECT ((created_at - $1::bigint) / $3::bigint)::int AS bucket, ${column} AS "group", ${SUMS}
       FROM usage WHERE created_at >= $1 AND created_at < $2 ${tenantFilter(query, params)}
       GROUP BY bucket, ${column} ORDER BY bucket, cost_usd DESC, requests DESC, "group"`,
      params,
    );
  }
}

const SUMS = `COUNT(*)::int AS requests,
  SUM(input_tokens)::int AS input_tokens, SUM(cached_tokens)::int AS cached_tokens,
  SUM(output_tokens)::int AS output_tokens, SUM(reasoning_tokens)::int AS reasoning_tokens,
  SUM(tool_calls)::int AS tool_calls, SUM(cost_usd)::float8 AS cost_usd,
  AVG(latency_ms)::float8 AS avg_latency_ms, AVG(ttft_ms)::float8 AS avg_ttft_ms`;

/** The tenant condition, its value pushed onto `params`. */
function tenantFilter(query: UsageQuery, params: unknown[]): string {
  return query.tenantId === undefined ? '' : `AND tenant_id = $${params.push(query.tenantId)}`;
}

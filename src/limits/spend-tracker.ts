/**
 * Spend per key and per tenant in the current budget period, for budget checks without a store
 * query per request: loaded from the usage rows once, then kept up to date by the responses this
 * process meters, and read again every REFRESH_MS so that other processes' spend is seen too.
 */
import type { UsageRepository } from '../store/types.js';

const REFRESH_MS = 10_000;

export type BudgetPeriod = 'day' | 'month';

interface Spent {
  periodStart: number;
  usd: number;
  loadedAt: number;
  loading: Promise<void> | undefined;
}

export class SpendTracker {
  private readonly spent = new Map<string, Spent>();

  constructor(private readonly usage: UsageRepository) {}

  /** USD spent so far this period; a promise only when the subject was never loaded (or a new period began). */
  current(
    scope: { keyId: string } | { tenantId: string },
    period: BudgetPeriod,
    now: number,
  ): number | Promise<number> {
    const id = subjectOf(scope, period);
    const start = periodStart(period, now);
    const entry = this.spent.get(id);
    if (entry !== undefined && entry.periodStart === start) {
      if (now - entry.loadedAt > REFRESH_MS && entry.loading === undefined) {
        entry.loading = this.load(entry, scope, now);
      }
      return entry.usd;
    }
    const fresh: Spent = { periodStart: start, usd: 0, loadedAt: now, loading: undefined };
    this.spent.set(id, fresh);
    fresh.loading = this.load(fresh, scope, now);
    return fresh.loading.then(() => fresh.usd);
  }

  /** Adds a metered response's cost to every period of its key and tenant being tracked. */
  add(keyId: string, tenantId: string, usd: number): void {
    if (usd === 0) return;
    for (const period of ['day', 'month'] as const) {
      for (const id of [subjectOf({ keyId }, period), subjectOf({ tenantId }, period)]) {
        const entry = this.spent.get(id);
        if (entry !== undefined) entry.usd += usd;
      }
    }
  }

  private async load(
    entry: Spent,
    scope: { keyId: string } | { tenantId: string },
    now: number,
  ): Promise<void> {
    try {
      // Rows of this process still waiting in the write batch are not in the sum; the next
      // refresh has them.
      entry.usd = await this.usage.spend(scope, entry.periodStart);
      entry.loadedAt = now;
    } finally {
      entry.loading = undefined;
    }
  }
}

function subjectOf(scope: { keyId: string } | { tenantId: string }, period: BudgetPeriod): string {
  return 'keyId' in scope ? `k:${scope.keyId}:${period}` : `t:${scope.tenantId}:${period}`;
}

/** The period's first millisecond, UTC. */
export function periodStart(period: BudgetPeriod, now: number): number {
  const date = new Date(now);
  return period === 'day'
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())
    : Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * The one admission policy for every request that calls a model: requests per minute, tokens per
 * minute, concurrent requests and spend per period, each for the key and for its tenant, and the
 * key's model list. Everything is in memory; spend is read from the usage rows (see
 * spend-tracker.ts), and with instances sharing a store each one's use is charged to the
 * others' allowances every `limits.shareMs` (cluster/instance-sharing.ts). `admit` answers
 * synchronously unless a budget's spend was never loaded.
 */
import type { LimitConfig, LimitsConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors.js';
import type { ForeignShare, KeyLimits, RateUsage, UsageRepository } from '../store/types.js';
import {
  budgetExceeded,
  concurrencyExceeded,
  requestRateExceeded,
  type Subject,
  tokenRateExceeded,
} from './rate-limit-errors.js';
import { type BudgetPeriod, SpendTracker } from './spend-tracker.js';
import { formatReset, TokenBucket } from './token-bucket.js';

/** Who is asking, as authentication found it. */
export interface LimitedCaller {
  tenantId: string;
  keyId: string;
  /** The key's own limits (managed keys); absent or null fields fall back to `limits.keys`. */
  limits?: KeyLimits | undefined;
  /** Models the key may name; null or absent: any. */
  models?: readonly string[] | null | undefined;
}

export interface Admission {
  /** x-ratelimit-* headers as they stand after this request was counted. */
  headers: Record<string, string>;
  /** Ends the request's concurrency slot (idempotent). */
  release(): void;
}

interface Limits {
  rpm?: number | undefined;
  tpm?: number | undefined;
  maxConcurrent?: number | undefined;
  budgetUsd?: number | undefined;
  budgetPeriod: BudgetPeriod;
}

interface State {
  requests: TokenBucket | undefined;
  tokens: TokenBucket | undefined;
  active: number;
}

/** Others' use of a subject this process has no allowance for yet is kept this long. */
const UNSEEN_MS = 60_000;

interface Use {
  requests: number;
  tokens: number;
}

/** Subjects kept at most; past it idle ones are dropped (their buckets are full anyway, or nearly). */
const MAX_SUBJECTS = 10_000;
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export class Limiter {
  private readonly states = new Map<string, State>();
  private readonly spend: SpendTracker;
  /** What this process used per subject since it last told the other instances. */
  private used = new Map<string, Use>();
  /** Requests the other instances run now, per subject. */
  private foreignActive: ReadonlyMap<string, number> = new Map();
  /** Subjects whose running count the others were told as non-zero (they hear when it is 0 again). */
  private toldActive = new Set<string>();
  /** Others' use of subjects without an allowance here yet: charged when one is made. */
  private readonly unseen = new Map<string, Use & { at: number }>();

  constructor(
    private config: LimitsConfig,
    usage: UsageRepository,
    private readonly now: () => number = Date.now,
  ) {
    this.spend = new SpendTracker(usage);
  }

  /** A reloaded config: limits change for the next request; what was used is kept. */
  reconfigure(config: LimitsConfig): void {
    this.config = config;
  }

  /** x-ratelimit-* headers for a request that is not itself limited (no model call). */
  peek(caller: LimitedCaller): Record<string, string> {
    const key = this.keyLimits(caller);
    const tenant = this.config.tenants[caller.tenantId];
    if (!hasRate(key) && !hasRate(tenant)) return NO_HEADERS;
    const now = this.now();
    return this.headers(
      this.state(`k:${caller.keyId}`, key, now),
      tenant && this.state(`t:${caller.tenantId}`, limitsOf(tenant), now),
      now,
    );
  }

  /**
   * Counts one request that will call `model` with about `estimatedTokens` tokens, or throws the
   * 429 (or the 404 of a model the key may not use) that refuses it.
   */
  admit(
    caller: LimitedCaller,
    model: string | undefined,
    estimatedTokens: number,
  ): Admission | Promise<Admission> {
    if (model !== undefined && caller.models != null && !caller.models.includes(model)) {
      throw new GatewayError(404, `The model '${model}' does not exist or you do not have access to it.`, {
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      });
    }
    const keyLimits = this.keyLimits(caller);
    const tenantConfig = this.config.tenants[caller.tenantId];
    const tenantLimits = tenantConfig && limitsOf(tenantConfig);
    const budgets = [
      keyLimits.budgetUsd !== undefined
        ? this.spend.current({ keyId: caller.keyId }, keyLimits.budgetPeriod, this.now())
        : 0,
      tenantLimits?.budgetUsd !== undefined
        ? this.spend.current({ tenantId: caller.tenantId }, tenantLimits.budgetPeriod, this.now())
        : 0,
    ];
    const decide = (spentKey: number, spentTenant: number) =>
      this.decide(caller, keyLimits, tenantLimits, estimatedTokens, spentKey, spentTenant);
    if (typeof budgets[0] === 'number' && typeof budgets[1] === 'number')
      return decide(budgets[0], budgets[1]);
    return Promise.all(budgets).then(([k, t]) => decide(k!, t!));
  }

  /** A finished response's tokens and cost: charged to the key's and the tenant's allowances. */
  settle(keyId: string, tenantId: string, tokens: number, costUsd: number): void {
    const now = this.now();
    for (const id of [`k:${keyId}`, `t:${tenantId}`]) {
      const bucket = this.states.get(id)?.tokens;
      if (!bucket) continue;
      bucket.take(tokens, now);
      this.record(id, 0, tokens);
    }
    this.spend.add(keyId, tenantId, costUsd);
  }

  /** What to tell the other instances: the use since the last call, and what runs here now. */
  takeShare(): { used: RateUsage[]; active: Map<string, number> } {
    const used = [...this.used].map(([subject, use]) => ({ subject, ...use }));
    this.used = new Map();
    const active = new Map<string, number>();
    for (const [id, state] of this.states) if (state.active > 0) active.set(id, state.active);
    for (const id of this.toldActive) if (!active.has(id)) active.set(id, 0);
    this.toldActive = new Set([...active].filter(([, count]) => count > 0).map(([id]) => id));
    return { used, active };
  }

  /** A share that could not be told: told with the next one. */
  returnShare(used: readonly RateUsage[]): void {
    for (const use of used) this.record(use.subject, use.requests, use.tokens);
  }

  /** What the other instances did: their use charged to the allowances here, their running counted. */
  applyForeign(foreign: ForeignShare): void {
    const now = this.now();
    this.foreignActive = foreign.active;
    for (const [id, use] of this.unseen) if (now - use.at > UNSEEN_MS) this.unseen.delete(id);
    for (const { subject, requests, tokens } of foreign.used) {
      const state = this.states.get(subject);
      if (state?.requests || state?.tokens) {
        state.requests?.take(requests, now);
        state.tokens?.take(tokens, now);
        continue;
      }
      const unseen = this.unseen.get(subject) ?? { requests: 0, tokens: 0, at: now };
      unseen.requests += requests;
      unseen.tokens += tokens;
      this.unseen.set(subject, unseen);
    }
  }

  private record(id: string, requests: number, tokens: number): void {
    const use = this.used.get(id);
    if (use) {
      use.requests += requests;
      use.tokens += tokens;
    } else {
      this.used.set(id, { requests, tokens });
    }
  }

  private decide(
    caller: LimitedCaller,
    keyLimits: Limits,
    tenantLimits: Limits | undefined,
    estimated: number,
    spentKey: number,
    spentTenant: number,
  ): Admission {
    const now = this.now();
    const keyId = `k:${caller.keyId}`;
    const tenantId = `t:${caller.tenantId}`;
    const key = this.state(keyId, keyLimits, now);
    const tenant = tenantLimits && this.state(tenantId, tenantLimits, now);
    const subjects: Array<[Subject, State, Limits, string]> = [['key', key, keyLimits, keyId]];
    if (tenant && tenantLimits) subjects.push(['tenant', tenant, tenantLimits, tenantId]);
    for (const [subject, state, limits, id] of subjects) {
      const spent = subject === 'key' ? spentKey : spentTenant;
      if (limits.budgetUsd !== undefined && spent >= limits.budgetUsd)
        throw budgetExceeded(subject, this.headers(key, tenant, now));
      const running = state.active + (this.foreignActive.get(id) ?? 0);
      if (limits.maxConcurrent !== undefined && running >= limits.maxConcurrent)
        throw concurrencyExceeded(subject, limits.maxConcurrent, this.headers(key, tenant, now));
      if (state.requests && state.requests.remaining(now) < 1)
        throw requestRateExceeded(
          subject,
          state.requests.capacity,
          state.requests.waitMs(1, now),
          this.headers(key, tenant, now),
        );
      if (state.tokens) {
        const remaining = state.tokens.remaining(now);
        // Like OpenAI: a request larger than the whole allowance is still let through when the bucket is full.
        if (remaining < Math.min(estimated, state.tokens.capacity)) {
          throw tokenRateExceeded(
            subject,
            state.tokens.capacity,
            state.tokens.capacity - remaining,
            estimated,
            state.tokens.waitMs(estimated, now),
            this.headers(key, tenant, now),
          );
        }
      }
    }
    for (const [, state, , id] of subjects) {
      if (state.requests) {
        state.requests.take(1, now);
        this.record(id, 1, 0);
      }
      state.active++;
    }
    let released = false;
    return {
      headers: this.headers(key, tenant, now),
      release: () => {
        if (released) return;
        released = true;
        for (const [, state] of subjects) state.active--;
      },
    };
  }

  private keyLimits(caller: LimitedCaller): Limits {
    const fallback = this.config.keys;
    const own = caller.limits;
    return {
      rpm: own?.rpm ?? fallback?.rpm,
      tpm: own?.tpm ?? fallback?.tpm,
      maxConcurrent: own?.max_concurrent ?? fallback?.maxConcurrent,
      budgetUsd: own?.budget_usd ?? fallback?.budgetUsd,
      budgetPeriod: own?.budget_period ?? fallback?.budgetPeriod ?? 'month',
    };
  }

  private state(id: string, limits: Limits, now: number): State {
    let state = this.states.get(id);
    if (state === undefined) {
      if (this.states.size >= MAX_SUBJECTS) this.evictIdle();
      state = { requests: undefined, tokens: undefined, active: 0 };
      this.states.set(id, state);
    }
    state.requests = bucket(state.requests, limits.rpm, now);
    state.tokens = bucket(state.tokens, limits.tpm, now);
    const unseen = this.unseen.get(id);
    if (unseen && (state.requests || state.tokens)) {
      // What the other instances used of it before it had an allowance here.
      state.requests?.take(unseen.requests, now);
      state.tokens?.take(unseen.tokens, now);
      this.unseen.delete(id);
    }
    return state;
  }

  /** The tighter of key and tenant in each dimension. */
  private headers(key: State, tenant: State | undefined, now: number): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, pick] of [
      ['requests', (s: State) => s.requests],
      ['tokens', (s: State) => s.tokens],
    ] as const) {
      const buckets = [pick(key), tenant && pick(tenant)].filter((b) => b !== undefined);
      if (buckets.length === 0) continue;
      const tightest = buckets.reduce((a, b) => (b.remaining(now) < a.remaining(now) ? b : a));
      headers[`x-ratelimit-limit-${name}`] = String(tightest.capacity);
      headers[`x-ratelimit-remaining-${name}`] = String(tightest.remaining(now));
      headers[`x-ratelimit-reset-${name}`] = formatReset(tightest.resetMs(now));
    }
    return headers;
  }

  private evictIdle(): void {
    for (const [id, state] of this.states) if (state.active === 0) this.states.delete(id);
  }
}

function bucket(
  current: TokenBucket | undefined,
  capacity: number | undefined,
  now: number,
): TokenBucket | undefined {
  if (capacity === undefined) return undefined;
  if (current === undefined) return new TokenBucket(capacity, now);
  current.resize(capacity, now);
  return current;
}

function limitsOf(config: LimitConfig): Limits {
  return {
    rpm: config.rpm,
    tpm: config.tpm,
    maxConcurrent: config.maxConcurrent,
    budgetUsd: config.budgetUsd,
    budgetPeriod: config.budgetPeriod,
  };
}

function hasRate(limits: Limits | LimitConfig | undefined): boolean {
  return limits !== undefined && (limits.rpm !== undefined || limits.tpm !== undefined);
}

/**
 * Limits and circuits held across instances: two limiters and two breaker boards, each its own
 * process's, exchanging through the store. In memory (a repository that is the two-instance
 * database in miniature, time injected), then through PostgreSQL itself (two stores on one
 * database). Skipped for PostgreSQL only when it is not installed.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceSharing } from '../../src/cluster/instance-sharing.js';
import { configSchema } from '../../src/config/config-schema.js';
import type { LimitedCaller } from '../../src/limits/limiter.js';
import { Limiter } from '../../src/limits/limiter.js';
import { BreakerBoard } from '../../src/providers/routing/breaker-board.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import type {
  ForeignShare,
  InstanceShareRepository,
  RateUsage,
  TargetOpening,
  UsageRepository,
} from '../../src/store/types.js';
import { type PgServer, pgSkipReason, startPgServer } from '../helpers/pg-cluster.js';

const NO_USAGE: UsageRepository = {
  append: async () => {},
  spend: async () => 0,
  summarize: async () => [],
  summarizeBuckets: async () => [],
};
const logger = pino({ level: 'silent' });
const limits = configSchema.parse({ limits: { keys: { rpm: 6, tpm: 1000, maxConcurrent: 3 } } }).limits;
const caller: LimitedCaller = { tenantId: 'default', keyId: 'key_1' };

/** Two instances' shares, as one database would hold them. */
class SharedTable {
  private readonly rows: Array<{ from: number; use: RateUsage }> = [];
  private readonly openings: Array<{ from: number; opening: TargetOpening }> = [];
  private readonly running = new Map<number, ReadonlyMap<string, number>>();
  instance(me: number): InstanceShareRepository {
    let read = 0;
    let readOpenings = 0;
    return {
      exchange: async (mine): Promise<ForeignShare> => {
        for (const use of mine.used) this.rows.push({ from: me, use });
        for (const opening of mine.opened) this.openings.push({ from: me, opening });
        const opened = this.openings
          .slice(readOpenings)
          .filter((row) => row.from !== me)
          .map((row) => row.opening);
        readOpenings = this.openings.length;
        this.running.set(me, mine.active);
        const used = this.rows
          .slice(read)
          .filter((row) => row.from !== me)
          .map((row) => row.use);
        read = this.rows.length;
        const active = new Map<string, number>();
        for (const [from, counts] of this.running) {
          if (from === me) continue;
          for (const [subject, count] of counts) active.set(subject, (active.get(subject) ?? 0) + count);
        }
        return { used, active, opened };
      },
    };
  }
}

const BREAKER = { enabled: true, failureThreshold: 2, cooldownMs: 30_000 };

function pair(repositories: [InstanceShareRepository, InstanceShareRepository], now: () => number) {
  return repositories.map((repository) => {
    const limiter = new Limiter(limits, NO_USAGE, now);
    const board = new BreakerBoard(BREAKER, { now, sleep: async () => {} });
    const breakers = {
      breakerOpeningsAfter: (since: number) => board.openedAfter(since),
      hintBreakers: (openings: readonly TargetOpening[]) => board.hint(openings),
    };
    const sharing = new InstanceSharing({ limits: limiter, breakers }, repository, 1000, logger, now);
    return { limiter, board, sharing };
  });
}

const admitted = (limiter: Limiter) => {
  try {
    return limiter.admit(caller, 'gpt', 10) as { release(): void };
  } catch (error) {
    return error as { status: number; code?: string };
  }
};

/** A request that ends at once: it counts against the rates, not the concurrency. */
const request = (limiter: Limiter) => {
  const result = admitted(limiter);
  if ('release' in result) result.release();
  return result;
};

describe('rate limits shared by two instances', () => {
  it('holds requests per minute, tokens and concurrency across both, in memory', async () => {
    let clock = 1_000_000;
    const table = new SharedTable();
    const [a, b] = pair([table.instance(1), table.instance(2)], () => clock);
    for (let i = 0; i < 4; i++) request(a!.limiter);
    // B has not heard yet: it would let 6 more through on its own; after one exchange, 2.
    await a!.sharing.exchange();
    await b!.sharing.exchange();
    expect(request(b!.limiter)).toHaveProperty('release');
    expect(request(b!.limiter)).toHaveProperty('release');
    expect(request(b!.limiter)).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    // A hears of B's two: its own allowance is spent too.
    await b!.sharing.exchange();
    await a!.sharing.exchange();
    expect(request(a!.limiter)).toMatchObject({ status: 429 });
    // A minute later the allowance is back, on both.
    clock += 60_000;
    expect(request(a!.limiter)).toHaveProperty('release');
    expect(request(b!.limiter)).toHaveProperty('release');
  });

  it('counts the requests the other instance runs against max_concurrent, and their end', async () => {
    const table = new SharedTable();
    const [a, b] = pair([table.instance(1), table.instance(2)], () => 5_000_000);
    const running = [admitted(a!.limiter), admitted(a!.limiter)] as Array<{ release(): void }>;
    await a!.sharing.exchange();
    await b!.sharing.exchange();
    const third = admitted(b!.limiter) as { release(): void };
    expect(third).toHaveProperty('release');
    expect(admitted(b!.limiter)).toMatchObject({
      status: 429,
      message: expect.stringContaining('concurrent'),
    });
    for (const slot of running) slot.release();
    await a!.sharing.exchange();
    await b!.sharing.exchange();
    expect(admitted(b!.limiter)).toHaveProperty('release');
  });

  it('opens on B the circuit A opened, once, and never tells it back as its own', async () => {
    let clock = 20_000_000;
    const table = new SharedTable();
    const [a, b] = pair([table.instance(1), table.instance(2)], () => clock);
    const breakerA = a!.board.get('openai/gpt-x');
    breakerA.onFailure();
    breakerA.onFailure();
    expect(breakerA.state).toBe('open');
    clock += 1_000;
    await a!.sharing.exchange();
    await b!.sharing.exchange();
    const breakerB = b!.board.get('openai/gpt-x');
    expect(breakerB.state).toBe('open');
    expect(breakerB.tryAcquire()).toBe(false);
    // Both cool down from when A opened it: B's probe comes with A's.
    expect(breakerB.reopensAt).toBe(breakerA.reopensAt);
    await b!.sharing.exchange();
    await a!.sharing.exchange();
    expect(b!.board.openedAfter(0)).toEqual([]);
    clock += 30_000;
    expect(breakerB.state).toBe('half-open');
  });

  it('tells again what an exchange that failed could not', async () => {
    const table = new SharedTable();
    const good = table.instance(1);
    let fail = true;
    const flaky: InstanceShareRepository = {
      exchange: (mine) => (fail ? Promise.reject(new Error('database away')) : good.exchange(mine)),
    };
    const [a, b] = pair([flaky, table.instance(2)], () => 9_000_000);
    for (let i = 0; i < 5; i++) request(a!.limiter);
    await a!.sharing.exchange();
    fail = false;
    await a!.sharing.exchange();
    await b!.sharing.exchange();
    expect(request(b!.limiter)).toHaveProperty('release');
    expect(request(b!.limiter)).toMatchObject({ status: 429 });
  });
});

describe.skipIf(pgSkipReason !== undefined)('rate limits shared through PostgreSQL', () => {
  let server: PgServer | undefined;
  const stores: PgStore[] = [];
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(async () => {
    for (const store of stores) await store.close();
    await server?.stop();
  });

  it('charges each instance what the other used, once, and counts what it runs', async () => {
    const url = await server!.createDatabase();
    const open = async () => {
      const store = new PgStore(url, { poolSize: 2 });
      stores.push(store);
      await store.prepare({ migrate: true });
      return store;
    };
    const storeA = await open();
    const storeB = await open();
    const [a, b] = pair([storeA.share, storeB.share], Date.now);
    await a!.sharing.exchange();
    await b!.sharing.exchange();
    const slots = [admitted(a!.limiter), admitted(a!.limiter), admitted(a!.limiter)] as Array<{
      release(): void;
    }>;
    a!.limiter.settle('key_1', 'default', 400, 0);
    await a!.sharing.exchange();
    await b!.sharing.exchange();
    // B: three of six requests and 400 of 1000 tokens gone; three requests running on A (the cap).
    expect(admitted(b!.limiter)).toMatchObject({
      status: 429,
      message: expect.stringContaining('concurrent'),
    });
    for (const slot of slots) slot.release();
    await a!.sharing.exchange();
    // Read twice: the overlap that catches late commits never charges a row twice.
    await b!.sharing.exchange();
    await b!.sharing.exchange();
    // A circuit A opened is open on B after the next exchanges.
    const breaker = a!.board.get('openai/gpt-pg');
    breaker.onFailure();
    breaker.onFailure();
    await a!.sharing.exchange();
    await b!.sharing.exchange();
    expect(b!.board.get('openai/gpt-pg').state).toBe('open');
    const admission = admitted(b!.limiter) as { headers: Record<string, string>; release(): void };
    expect(admission.headers['x-ratelimit-remaining-requests']).toBe('2');
    expect(Number(admission.headers['x-ratelimit-remaining-tokens'])).toBeLessThanOrEqual(600);
  });
});

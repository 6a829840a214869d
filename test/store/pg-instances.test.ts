/**
 * What only a shared store has: instances claiming jobs at once never take the same one; the
 * running jobs, in-progress streams and ingestion claims of an instance that stopped heartbeating
 * are taken by one other instance once its lease runs out, never while it is alive, and never the
 * caller's own. Skipped, with the reason, only when PostgreSQL is not installed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import type { ResponseObject } from '../../src/protocol/response.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { type PgServer, pgSkipReason, startPgServer } from '../helpers/pg-cluster.js';

const LEASE = { leaseMs: 600, heartbeatMs: 100 };

let server: PgServer | undefined;
const stores: PgStore[] = [];
beforeAll(async () => {
  if (pgSkipReason === undefined) server = await startPgServer();
}, 60_000);
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});
afterAll(async () => {
  await server?.stop();
});

const open = (url: string) => {
  const store = new PgStore(url, { lease: LEASE, poolSize: 4 });
  stores.push(store);
  return store;
};

function queued(): ResponseObject {
  return {
    id: newId('resp'),
    object: 'response',
    created_at: 1,
    status: 'queued',
    background: true,
    output: [],
  } as never;
}

describe.skipIf(pgSkipReason !== undefined)('postgres: instances sharing one database', () => {
  it('claims each queued job once across instances claiming at once', async () => {
    const url = await server!.createDatabase();
    const [a, b] = [open(url), open(url)];
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = queued();
      ids.push(response.id);
      await a.jobs.enqueue('t', { response, inputItems: [] }, '{}', [{ seq: 0, data: '{}' }]);
    }
    const drain = async (store: PgStore) => {
      const taken: string[] = [];
      for (let job = await store.jobs.claim(); job; job = await store.jobs.claim())
        taken.push(job.responseId);
      return taken;
    };
    // Two claimers per instance, all at once.
    const taken = (await Promise.all([drain(a), drain(b), drain(a), drain(b)])).flat();
    expect(taken.sort()).toEqual([...ids].sort());
  });

  it("takes a job only once its instance's lease ran out, by one instance, never the caller's own", async () => {
    const url = await server!.createDatabase();
    const [a, b, c] = [open(url), open(url), open(url)];
    const response = queued();
    await a.jobs.enqueue('t', { response, inputItems: [] }, '{}', []);
    expect((await a.jobs.claim())?.responseId).toBe(response.id);
    await b.prepare({ migrate: false });
    expect(await b.jobs.takeInterrupted()).toEqual([]);
    expect(await a.jobs.takeInterrupted()).toEqual([]);
    // A stops heartbeating (as if killed: its row stays), then its lease runs out.
    a.instances.pause();
    await new Promise((resolve) => setTimeout(resolve, LEASE.leaseMs + 300));
    const [byB, byC] = await Promise.all([b.jobs.takeInterrupted(), c.jobs.takeInterrupted()]);
    expect([...byB, ...byC].map((job) => job.responseId)).toEqual([response.id]);
  });

  it("lists a stream in progress as interrupted only once its instance's lease ran out", async () => {
    const url = await server!.createDatabase();
    const [a, b] = [open(url), open(url)];
    const streamed = { ...queued(), status: 'in_progress', background: false } as ResponseObject;
    await a.prepare({ migrate: false });
    await a.responses.save('t', { response: streamed, inputItems: [] });
    expect(await b.responses.listInterrupted()).toEqual([]);
    expect(await a.responses.listInterrupted()).toEqual([]);
    a.instances.pause();
    await new Promise((resolve) => setTimeout(resolve, LEASE.leaseMs + 300));
    expect(await b.responses.listInterrupted()).toEqual([{ tenantId: 't', id: streamed.id }]);
  });
});

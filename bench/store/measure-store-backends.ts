/**
 * The store backends side by side in one run: the gateway on SQLite and on PostgreSQL (a
 * throw-away local cluster, or RGW_BENCH_PG_URL) against the same mock upstream — throughput and
 * latency of stored (`store: true`) requests; the cost of a cross-instance resume (a stream
 * replayed, and one followed live, on instance B while A ran it); and exact vector search over
 * `real[]` at growing sizes (scored in SQL that took ~0.6 s for 1,000 × 384, so the gateway scores a
 * cached matrix loaded from it: the first query pays the load). Skipped, with the
 * reason, when no PostgreSQL server can be started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { type PgServer, pgSkipReason, startPgServer } from '../../test/helpers/pg-cluster.js';
import { freePort, ServerProcess } from '../processes.js';
import { GATEWAY_KEY } from '../systems.js';
import { loop, percentiles } from './load-loop.js';
import { seedVectors } from './seed-vectors.js';

export interface StoreBackendSettings {
  durationMs: number;
  resumes: number;
  vectorSizes: number[];
  vectorDims: number;
  vectorQueries: number;
}

export const FULL_STORE: StoreBackendSettings = {
  durationMs: 3000,
  resumes: 30,
  vectorSizes: [1000, 10_000, 50_000],
  vectorDims: 384,
  vectorQueries: 11,
};
export const QUICK_STORE: StoreBackendSettings = {
  durationMs: 150,
  resumes: 2,
  vectorSizes: [200],
  vectorDims: 32,
  vectorQueries: 3,
};

interface BackendFigures {
  throughputC16: number;
  latencyC1: { p50Ms: number; p99Ms: number };
}

export interface StoreBackendsReport {
  unavailable?: string;
  sqlite?: BackendFigures;
  postgres?: BackendFigures;
  resume?: { replayP50Ms: number; replayP99Ms: number; followLagP50Ms: number; followLagP99Ms: number };
  vectors?: Array<{ chunks: number; dims: number; coldMs: number; p50Ms: number; p99Ms: number }>;
}

export interface GatewayLaunch {
  entry: string;
  nodeFlags: string[];
  mockOrigin: string;
}

const BODY = JSON.stringify({ model: 'bench-model', input: 'Say hello in one short sentence.', store: true });
const HEADERS = { authorization: `Bearer ${GATEWAY_KEY}` };

export async function measureStoreBackends(
  settings: StoreBackendSettings,
  launch: GatewayLaunch,
  log: (line: string) => void,
): Promise<StoreBackendsReport> {
  const external = process.env.RGW_BENCH_PG_URL;
  if (external === undefined && pgSkipReason !== undefined) return { unavailable: pgSkipReason };
  let server: PgServer;
  try {
    server = await startPgServer(external ?? process.env.RGW_TEST_PG_URL);
  } catch (error) {
    return { unavailable: `no PostgreSQL server could be started: ${(error as Error).message}` };
  }
  const scratch = mkdtempSync(join(tmpdir(), 'rgw-bench-store-'));
  const started: ServerProcess[] = [];
  const start = async (db: string, name: string) => {
    const port = await freePort();
    const process = await ServerProcess.start({
      name,
      args: [...launch.nodeFlags, launch.entry, 'serve', '--migrate', '--workers', '1'],
      env: {
        OPENAI_BASE_URL: `${launch.mockOrigin}/v1`,
        OPENAI_API_KEY: 'bench-upstream-key',
        RGW_API_KEYS: GATEWAY_KEY,
        RGW_LOG_LEVEL: 'warn',
        RGW_HOST: '127.0.0.1',
        RGW_PORT: String(port),
        RGW_DB: db,
      },
      cwd: scratch,
      cpu: undefined,
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      timeoutMs: 60_000,
    });
    started.push(process);
    return `http://127.0.0.1:${port}`;
  };
  const report: StoreBackendsReport = {};
  try {
    const pgUrl = await server.createDatabase();
    const origins: Record<string, string> = {};
    for (const [name, db] of [
      ['sqlite', join(scratch, 'gateway.db')],
      ['postgres', pgUrl],
    ] as const) {
      log(`store backends: gateway on ${name}`);
      const origin = await start(db, `gateway (${name})`);
      origins[name] = origin;
      const request = { path: '/v1/responses', headers: HEADERS, body: BODY };
      await loop(origin, request, 4, Math.min(500, settings.durationMs));
      const c16 = await loop(origin, request, 16, settings.durationMs);
      const c1 = await loop(origin, request, 1, settings.durationMs);
      report[name] = { throughputC16: c16.perSecond, latencyC1: { p50Ms: c1.p50Ms, p99Ms: c1.p99Ms } };
    }
    log('store backends: cross-instance resume');
    // The PostgreSQL gateway above is A; B is a second instance on the same database.
    const b = await start(pgUrl, 'gateway B (postgres)');
    report.resume = await measureResume(origins.postgres!, b, settings.resumes);
    log('store backends: vector search over real[]');
    report.vectors = await measureVectors(await server.createDatabase(), settings);
  } finally {
    for (const process of started) await process.stop();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return report;
}

/** Replay on B of a stream A logged, and how far behind A a follower on B ends. */
async function measureResume(a: string, b: string, count: number) {
  const replays: number[] = [];
  const lags: number[] = [];
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({
      model: 'bench-model',
      input: `resume ${i}`,
      stream: true,
      background: true,
    });
    const onA = streamUntilEnd(`${a}/v1/responses`, { method: 'POST', body });
    const id = await onA.id;
    const onB = streamUntilEnd(`${b}/v1/responses/${id}?stream=true`, { method: 'GET' });
    const [endA, endB] = [await onA.end, await onB.end];
    lags.push(Math.max(0, endB - endA));
    const at = performance.now();
    await streamUntilEnd(`${b}/v1/responses/${id}?stream=true`, { method: 'GET' }).end;
    replays.push(performance.now() - at);
  }
  const replay = percentiles(replays);
  const lag = percentiles(lags);
  return {
    replayP50Ms: replay.p50Ms,
    replayP99Ms: replay.p99Ms,
    followLagP50Ms: lag.p50Ms,
    followLagP99Ms: lag.p99Ms,
  };
}

/** Reads an event stream; `id` once the first event names the response, `end` at the last byte. */
function streamUntilEnd(url: string, init: { method: string; body?: string }) {
  let resolveId: (id: string) => void = () => {};
  const id = new Promise<string>((resolve) => {
    resolveId = resolve;
  });
  const end = (async () => {
    const response = await fetch(url, {
      method: init.method,
      headers: { ...HEADERS, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      ...(init.body ? { body: init.body } : {}),
    });
    if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`);
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      const match = /"response":\{"id":"(resp_[0-9a-f]+)"/.exec(text);
      if (match) resolveId(match[1]!);
    }
    return performance.now();
  })();
  return { id, end };
}

async function measureVectors(url: string, settings: StoreBackendSettings) {
  const store = new PgStore(url);
  const figures: NonNullable<StoreBackendsReport['vectors']> = [];
  try {
    for (const size of settings.vectorSizes) {
      const storeId = await seedVectors(url, size, settings.vectorDims);
      const latencies: number[] = [];
      for (let q = 0; q < settings.vectorQueries; q++) {
        const query = Float32Array.from({ length: settings.vectorDims }, () => Math.random() - 0.5);
        const at = performance.now();
        await store.vectorStores.searchVector(
          { tenantId: 'bench', vectorStoreIds: [storeId], filter: undefined, limit: 10 },
          query,
          'bench-embedding',
        );
        latencies.push(performance.now() - at);
      }
      // The first query loads the store's matrix; the rest score the cached one.
      const [cold, ...warm] = latencies;
      figures.push({
        chunks: size,
        dims: settings.vectorDims,
        coldMs: cold!,
        ...percentiles(warm.length > 0 ? warm : latencies),
      });
    }
  } finally {
    await store.close();
  }
  return figures;
}

export function renderStoreBackends(report: StoreBackendsReport): string {
  if (report.unavailable !== undefined) return `| store backends | not run: ${report.unavailable} |`;
  const n = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));
  const { sqlite, postgres, resume } = report;
  const lines = [
    '| store backends (gateway, store: true) | SQLite | PostgreSQL | PostgreSQL / SQLite |',
    '|---|---|---|---|',
    `| throughput, 16 concurrent (req/s) | ${n(sqlite?.throughputC16)} | ${n(postgres?.throughputC16)} | ${n(ratio(postgres?.throughputC16, sqlite?.throughputC16), 2)} |`,
    `| latency, 1 concurrent, p50 (ms) | ${n(sqlite?.latencyC1.p50Ms, 2)} | ${n(postgres?.latencyC1.p50Ms, 2)} | added ${n(diff(postgres?.latencyC1.p50Ms, sqlite?.latencyC1.p50Ms), 2)} ms |`,
    `| latency, 1 concurrent, p99 (ms) | ${n(sqlite?.latencyC1.p99Ms, 2)} | ${n(postgres?.latencyC1.p99Ms, 2)} | added ${n(diff(postgres?.latencyC1.p99Ms, sqlite?.latencyC1.p99Ms), 2)} ms |`,
    `| cross-instance: replay on B of a stream logged by A, p50 / p99 (ms) | | ${n(resume?.replayP50Ms, 2)} / ${n(resume?.replayP99Ms, 2)} | |`,
    `| cross-instance: follower on B ends after A's client, p50 / p99 (ms) | | ${n(resume?.followLagP50Ms, 2)} / ${n(resume?.followLagP99Ms, 2)} | |`,
  ];
  for (const v of report.vectors ?? []) {
    lines.push(
      `| exact vector search, ${v.chunks} chunks × ${v.dims} dims: first query (loads real[]) ; cached p50 / p99 (ms) | | ${n(v.coldMs, 0)} ; ${n(v.p50Ms, 2)} / ${n(v.p99Ms, 2)} | |`,
    );
  }
  return lines.join('\n');
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a / b;
const diff = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a - b;

/**
 * `serve --workers N` on PostgreSQL: closed-loop throughput of 1 worker against 2, store:false and
 * store:true (the default path), non-streaming and streaming, with the same harness as the main
 * table (a separate load-generator process pinned to the driver CPU, the foreign-CPU check on each
 * window, the quietest of interleaved rounds). Two placements: the gateway and PostgreSQL pinned
 * to the system-under-test CPU as in the main table, and, for comparison, both unpinned.
 * Skipped, with the reason, when no PostgreSQL server can be started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { type PgServer, pgSkipReason, startPgServer } from '../../test/helpers/pg-cluster.js';
import { type Driven, drive, type Rig } from '../drive.js';
import type { ClosedLoopResult, ClosedLoopSpec } from '../load/spec.js';
import { freePort, pinningAvailable, ServerProcess, SUT_CPU } from '../processes.js';
import type { GatewayLaunch } from '../store/measure-store-backends.js';
import { GATEWAY_KEY } from '../systems.js';
import { childrenOf, pinTree, postmasterPid, treeProbe } from './process-tree.js';

export interface WorkersLaunch extends GatewayLaunch {
  /** bench/servers/probe.ts, compiled: preloaded into the primary (and, inherited, its workers). */
  probeScript: string;
}

export interface WorkersSettings {
  warmupMs: number;
  durationMs: number;
  /** Interleaved rounds (1 worker, 2 workers, again); the quietest window counts. */
  rounds: number;
  /** Extra runs of a case whose quietest window still saw too much foreign CPU. */
  retries: number;
}

export const FULL_WORKERS: WorkersSettings = { warmupMs: 500, durationMs: 3000, rounds: 2, retries: 2 };
export const QUICK_WORKERS: WorkersSettings = { warmupMs: 0, durationMs: 150, rounds: 1, retries: 0 };

export const WORKER_COUNTS = [1, 2] as const;
export type WorkerCount = (typeof WORKER_COUNTS)[number];
export type Placement = 'pinned' | 'unpinned';

export interface Case {
  key: string;
  store: boolean;
  stream: boolean;
  concurrency: 16 | 64;
}

export const CASES: readonly Case[] = [false, true].flatMap((store) =>
  (
    [
      [false, 16],
      [false, 64],
      [true, 16],
    ] as const
  ).map(([stream, concurrency]) => ({
    key: `store_${store}_${stream ? 'stream' : 'json'}_c${concurrency}`,
    store,
    stream,
    concurrency,
  })),
);

export interface CaseFigures {
  rps: number;
  latencyP50Ms: number;
  /** CPU of the gateway's processes and PostgreSQL's in the window, per request. */
  cpuUsPerRequest: number | null;
  foreignCpuPct: number | undefined;
  /** Each worker's share of the workers' CPU over the run (2 workers only): both must serve. */
  workerCpuShares?: number[];
}

export interface PlacementReport {
  placement: Placement;
  /** Where the gateway and PostgreSQL ran, and where the driver did. */
  label: string;
  failed?: string;
  /** The forwarding probe's finding on each gateway before it was measured. */
  probe: Partial<Record<WorkerCount, string>>;
  cases: Record<string, Partial<Record<WorkerCount, CaseFigures>>>;
}

export interface WorkersReport {
  unavailable?: string;
  /** Whether PostgreSQL's processes could be pinned and counted (a server of this machine's own). */
  postgresCounted: boolean;
  maxForeignCpuPct: number;
  placements: PlacementReport[];
}

const PROMPT = 'Say hello in one short sentence.';
const MOCK_ANSWER = 'fixed benchmark answer';
const HEADERS = { authorization: `Bearer ${GATEWAY_KEY}` };

export async function measureWorkers(
  settings: WorkersSettings,
  launch: WorkersLaunch,
  rig: Rig,
  options: { pinned: boolean; maxForeignCpuPct: number },
  log: (line: string) => void,
): Promise<WorkersReport> {
  const base = { postgresCounted: false, maxForeignCpuPct: options.maxForeignCpuPct, placements: [] };
  const external = process.env.RGW_BENCH_PG_URL;
  if (external === undefined && pgSkipReason !== undefined) return { ...base, unavailable: pgSkipReason };
  let server: PgServer;
  try {
    server = await startPgServer(external ?? process.env.RGW_TEST_PG_URL);
  } catch (error) {
    return { ...base, unavailable: `no PostgreSQL server could be started: ${(error as Error).message}` };
  }
  const report: WorkersReport = { ...base };
  const scratch = mkdtempSync(join(tmpdir(), 'rgw-bench-workers-'));
  try {
    // A server of someone else's (RGW_BENCH_PG_URL, the CI's RGW_TEST_PG_URL) is neither pinned nor counted.
    const own = (external ?? process.env.RGW_TEST_PG_URL) === undefined;
    const postmaster = own ? await postmasterPid(server.url) : undefined;
    report.postgresCounted = postmaster !== undefined;
    const placements: Placement[] = options.pinned ? ['pinned', 'unpinned'] : ['unpinned'];
    const ctx = { settings, launch, scratch, rig, server, postmaster, options, log };
    // One pair of gateways for every placement: re-pinning a running tree is seconds cheaper than a
    // restart (with --quick, from source), and the warm-up is repeated for each placement anyway.
    const gateways: Gateway[] = [];
    const probe: PlacementReport['probe'] = {};
    try {
      for (const workers of WORKER_COUNTS) {
        gateways.push(
          await startGateway(ctx, workers, pinningAvailable() ? cpuList(placements[0]!) : undefined),
        );
        probe[workers] = await probeForwarding(gateways.at(-1)!);
      }
      for (const placement of placements) {
        log(`workers: ${placement}`);
        report.placements.push(await measurePlacement(placement, gateways, probe, ctx));
      }
    } catch (error) {
      report.placements.push({
        placement: placements[0]!,
        label: placementLabel(placements[0]!, ctx),
        failed: (error as Error).message,
        probe,
        cases: {},
      });
      log(`workers: ${(error as Error).message}`);
    } finally {
      for (const gateway of gateways) await gateway.process.stop();
    }
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return report;
}

interface PlacementContext {
  settings: WorkersSettings;
  launch: WorkersLaunch;
  /** The gateways' working directory: no gateway.config.yaml is picked up. */
  scratch: string;
  rig: Rig;
  server: PgServer;
  postmaster: number | undefined;
  options: { pinned: boolean; maxForeignCpuPct: number };
  log: (line: string) => void;
}

interface Gateway {
  workers: WorkerCount;
  process: ServerProcess;
  origin: string;
}

/** Children inherit the orchestrator's own pinning (the driver CPU): unpinned must name all CPUs. */
function cpuList(placement: Placement): string {
  return placement === 'pinned' ? SUT_CPU : `0-${cpus().length - 1}`;
}

async function measurePlacement(
  placement: Placement,
  gateways: readonly Gateway[],
  probe: PlacementReport['probe'],
  ctx: PlacementContext,
): Promise<PlacementReport> {
  const report: PlacementReport = { placement, label: placementLabel(placement, ctx), probe, cases: {} };
  if (pinningAvailable()) {
    const roots = [...gateways.map((gateway) => gateway.process.pid!), ctx.postmaster ?? []].flat();
    for (const root of roots) {
      if (!pinTree(root, cpuList(placement))) throw new Error(`taskset could not pin process ${root}`);
    }
  }
  try {
    if (ctx.settings.warmupMs > 0) {
      for (const gateway of gateways) {
        for (const stream of [false, true]) {
          const spec = closedLoop(gateway.origin, { store: true, stream }, 8, 0, 1000);
          await drive(ctx.rig, spec, undefined);
        }
      }
    }
    for (const testCase of CASES) {
      const figures = await measureCase(testCase, gateways, ctx);
      report.cases[testCase.key] = figures;
      const each = WORKER_COUNTS.map((n) => `${n}w ${figures[n]?.rps.toFixed(0)} req/s`).join(', ');
      ctx.log(`workers: ${placement} ${testCase.key}: ${each}`);
    }
  } catch (error) {
    report.failed = (error as Error).message;
    ctx.log(`workers: ${placement}: ${report.failed}`);
  }
  return report;
}

function placementLabel(placement: Placement, ctx: PlacementContext): string {
  const pg =
    ctx.postmaster === undefined
      ? 'PostgreSQL (not the bench’s own: neither pinned nor counted)'
      : 'PostgreSQL';
  if (placement === 'pinned') {
    return `the gateway's primary, its workers and ${pg} pinned to CPU ${SUT_CPU}; mock, load generator and orchestrator on the other CPU`;
  }
  return ctx.options.pinned
    ? `the gateway and ${pg} unpinned (all ${cpus().length} CPUs), sharing them with the mock, load generator and orchestrator (still pinned to their CPU)`
    : `nothing pinned (--no-pin or no taskset): the gateway, ${pg}, mock and load generator share all CPUs`;
}

async function startGateway(ctx: PlacementContext, workers: WorkerCount, cpu: string | undefined) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const process = await ServerProcess.start({
    name: `gateway --workers ${workers}`,
    args: [
      ...ctx.launch.nodeFlags,
      '--import',
      ctx.launch.probeScript,
      ctx.launch.entry,
      'serve',
      '--workers',
      String(workers),
    ],
    env: {
      OPENAI_BASE_URL: `${ctx.launch.mockOrigin}/v1`,
      OPENAI_API_KEY: 'bench-upstream-key',
      RGW_API_KEYS: GATEWAY_KEY,
      RGW_LOG_LEVEL: 'warn',
      RGW_HOST: '127.0.0.1',
      RGW_PORT: String(port),
      RGW_DB: await ctx.server.createDatabase(),
    },
    cwd: ctx.scratch,
    cpu,
    readyUrl: `${origin}/readyz`,
    timeoutMs: 60_000,
  });
  // /readyz answers once the first worker listens; the second may still be starting.
  const deadline = performance.now() + 30_000;
  while (workers > 1 && childrenOf(process.pid!).length < workers) {
    if (performance.now() > deadline) throw new Error(`--workers ${workers}: the workers did not start`);
    await sleep(50);
  }
  if (workers > 1) await sleep(1000);
  return { workers, process, origin } satisfies Gateway;
}

/**
 * Proves the gateway forwards and stores before its numbers count: stored responses carry the
 * mock's answer and read back, each over a new connection (node:cluster hands connections to the
 * workers in turn, so every worker answers one).
 */
async function probeForwarding(gateway: Gateway): Promise<string> {
  const probes = gateway.workers * 2;
  for (let i = 0; i < probes; i++) {
    const client = new Client(gateway.origin);
    try {
      const created = await client.request({
        method: 'POST',
        path: '/v1/responses',
        headers: { ...HEADERS, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'bench', input: PROMPT, store: true }),
      });
      const body = (await created.body.json()) as { id?: string; output_text?: string };
      if (created.statusCode !== 200 || !body.output_text?.includes(MOCK_ANSWER)) {
        throw new Error(
          `forwarding probe: HTTP ${created.statusCode}, ${JSON.stringify(body).slice(0, 200)}`,
        );
      }
      const read = await client.request({
        method: 'GET',
        path: `/v1/responses/${body.id}`,
        headers: HEADERS,
      });
      await read.body.dump();
      if (read.statusCode !== 200)
        throw new Error(`forwarding probe: GET ${body.id} answered ${read.statusCode}`);
    } finally {
      await client.close();
    }
  }
  return `${probes} stored responses over new connections carried the mock's answer and read back`;
}

function closedLoop(
  origin: string,
  request: { store: boolean; stream: boolean },
  concurrency: number,
  warmupMs: number,
  durationMs: number,
): ClosedLoopSpec {
  return {
    kind: 'closed-loop',
    target: {
      origin,
      path: '/v1/responses',
      headers: HEADERS,
      body: JSON.stringify({
        model: 'bench',
        input: PROMPT,
        store: request.store,
        ...(request.stream ? { stream: true } : {}),
      }),
    },
    concurrency,
    warmupMs,
    durationMs,
    markers: false,
  };
}

/** 1 worker and 2 in turn, `rounds` times, then reruns of any still over the foreign-CPU limit. */
async function measureCase(testCase: Case, gateways: readonly Gateway[], ctx: PlacementContext) {
  const best = new Map<WorkerCount, CaseFigures>();
  const once = async (gateway: Gateway) => {
    const figures = await measureOnce(testCase, gateway, ctx);
    const kept = best.get(gateway.workers);
    if (!kept || (figures.foreignCpuPct ?? 0) < (kept.foreignCpuPct ?? 0)) best.set(gateway.workers, figures);
  };
  for (let round = 0; round < ctx.settings.rounds; round++)
    for (const gateway of gateways) await once(gateway);
  for (let retry = 0; retry < ctx.settings.retries; retry++) {
    const noisy = gateways.filter(
      (gateway) => (best.get(gateway.workers)?.foreignCpuPct ?? 0) > ctx.options.maxForeignCpuPct,
    );
    if (noisy.length === 0) break;
    ctx.log(`workers: ${testCase.key}: other processes were busy; running ${noisy.length} again`);
    for (const gateway of noisy) await once(gateway);
  }
  return Object.fromEntries(best) as Partial<Record<WorkerCount, CaseFigures>>;
}

async function measureOnce(testCase: Case, gateway: Gateway, ctx: PlacementContext): Promise<CaseFigures> {
  const { settings, postmaster } = ctx;
  const primary = gateway.process.pid!;
  const sut = treeProbe(() => (postmaster === undefined ? [primary] : [primary, postmaster]));
  const workersBefore = childrenOf(primary);
  const spec = closedLoop(
    gateway.origin,
    testCase,
    testCase.concurrency,
    settings.warmupMs,
    settings.durationMs,
  );
  const run: Driven<ClosedLoopResult> = await drive(ctx.rig, spec, sut);
  const { result } = run;
  if (result.errors > 0)
    throw new Error(`${testCase.key}: ${result.errors} failed requests (${result.firstError})`);
  const figures: CaseFigures = {
    rps: result.rps,
    latencyP50Ms: result.latencyMs.p50,
    cpuUsPerRequest: run.cpuUs === undefined || result.requests === 0 ? null : run.cpuUs / result.requests,
    foreignCpuPct: run.foreignCpuPct,
  };
  if (gateway.workers > 1) {
    const spent = childrenOf(primary).map(
      (after) => after.cpuUs - (workersBefore.find((before) => before.pid === after.pid)?.cpuUs ?? 0),
    );
    const total = spent.reduce((sum, us) => sum + us, 0);
    figures.workerCpuShares = spent.map((us) => (total > 0 ? us / total : 0));
  }
  return figures;
}

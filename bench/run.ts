/**
 * `npm run bench [-- --quick] [--only=bare,gateway,stored,portkey,retrieval,store,workers,sandbox] [--out=file] [--cpu-prof] [--no-pin] [--gateway=main.js]`
 *
 * Starts a fast mock upstream, then each system in turn (the mock alone, a bare proxy, the gateway,
 * Portkey), drives it from a separate load-generator process, prints the table with ratios
 * against the bare proxy and writes bench/results.json. Then the retrieval benchmarks (indexing
 * throughput, search latency, fixture recall; bench/retrieval/), the store backends side by side
 * (SQLite and PostgreSQL, cross-instance resume; bench/store/), `serve --workers 1` against 2 on
 * PostgreSQL (bench/workers/) and the code sandbox's own table
 * (bench/sandbox.ts, written to bench/sandbox-results.json). `--quick` shrinks every duration: a
 * check of the harness, whose numbers mean nothing.
 */
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileBenchScripts, ensureGatewayBuilt, ROOT } from './compile.js';
import type { Rig } from './drive.js';
import { measureAll, type Settings } from './measure.js';
import { DRIVER_CPU, freePort, pinningAvailable, pinSelf, ServerProcess } from './processes.js';
import { type RunReport, renderNotes, renderTable, tabulate, writeResults } from './report.js';
import {
  FULL_RETRIEVAL,
  measureRetrieval,
  QUICK_RETRIEVAL,
  renderRetrieval,
} from './retrieval/measure-retrieval.js';
import { runSandboxBench } from './sandbox.js';
import {
  FULL_STORE,
  measureStoreBackends,
  QUICK_STORE,
  renderStoreBackends,
} from './store/measure-store-backends.js';
import { GATEWAY_ENTRY, SYSTEMS, type SystemName, type SystemUnderTest } from './systems.js';
import { FULL_WORKERS, measureWorkers, QUICK_WORKERS } from './workers/measure-workers.js';
import { renderWorkers } from './workers/render-workers.js';

const FULL: Settings = {
  warmupMs: 500,
  durationMs: 3000,
  rounds: 2,
  ttftMs: 2000,
  streamCounts: [100, 200, 500, 1000],
  streamScale: 1,
  streamEvents: 150,
  streamRampMs: 1000,
  freshProcessPerStreamCount: true,
  chainTurns: 20,
  chainRepeats: 20,
};

/** A harness check: every scenario and row, in a few seconds. */
const QUICK: Settings = {
  warmupMs: 0,
  durationMs: 150,
  rounds: 1,
  ttftMs: 100,
  streamCounts: [100, 200, 500, 1000],
  streamScale: 0.02,
  streamEvents: 2,
  streamRampMs: 10,
  freshProcessPerStreamCount: false,
  chainTurns: 20,
  chainRepeats: 1,
};

/** Share of the machine (%) that other processes may take in a measured window before it is rerun. */
const MAX_FOREIGN_CPU_PCT = 10;

const ORDER: readonly SystemName[] = ['mock', 'bare', 'gateway', 'stored', 'portkey'];
/** Without these two the table means nothing: the run fails. */
const REQUIRED: readonly SystemName[] = ['bare', 'gateway'];

async function main(): Promise<number> {
  const { values: flags } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: join(ROOT, 'bench/results.json') },
      'cpu-prof': { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
      /** Another gateway build to measure, e.g. a copy of dist/ from before a change. */
      gateway: { type: 'string' },
    },
  });
  const settings = flags.quick ? QUICK : FULL;
  const only = flags.only ? new Set(flags.only.split(',')) : undefined;
  // The code sandbox's rows are their own table (no proxy to compare with): `--only=sandbox`.
  const sandbox = !only || only.has('sandbox');
  const sandboxOut = join(dirname(flags.out), 'sandbox-results.json');
  if (only?.size === 1 && sandbox) {
    await runSandboxBench({ quick: flags.quick, out: sandboxOut });
    return 0;
  }
  const systems = ORDER.filter((name) => name === 'mock' || !only || only.has(name));
  const log = (line: string) => console.error(`[bench] ${line}`);
  const pinned = !flags['no-pin'] && pinningAvailable();
  if (pinned) pinSelf(DRIVER_CPU);

  // --quick runs the gateway from source (tsx): no build, and nothing written to dist/.
  const fromSource = flags.quick && !flags.gateway;
  const buildError = flags['skip-build'] || flags.gateway || fromSource ? undefined : ensureGatewayBuilt(log);
  const scripts = await compileBenchScripts();
  const profileDir = join(ROOT, 'bench/profiles');
  if (flags['cpu-prof']) mkdirSync(profileDir, { recursive: true });
  const mockPort = await freePort();
  const mockOrigin = `http://127.0.0.1:${mockPort}`;
  const startMock = () =>
    ServerProcess.start({
      name: 'mock upstream',
      args: ['--import', scripts.probe, scripts.mock],
      env: { PORT: String(mockPort) },
      cpu: pinned ? DRIVER_CPU : undefined,
      readyUrl: `${mockOrigin}/`,
    });
  /** Each section has a fresh mock: nothing left from the one before. */
  const withMock = async <T>(section: (mock: ServerProcess) => Promise<T>): Promise<T> => {
    const mock = await startMock();
    try {
      return await section(mock);
    } finally {
      await mock.stop();
    }
  };
  const ctx = {
    scripts,
    mockOrigin,
    gatewayEntry: fromSource ? join(ROOT, 'src/cli/main.ts') : (flags.gateway ?? GATEWAY_ENTRY),
    gatewayNodeFlags: [
      ...(fromSource ? ['--import', import.meta.resolve('tsx')] : []),
      ...(flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ],
  };

  const report: RunReport = {
    generatedAt: new Date().toISOString(),
    quick: flags.quick,
    node: process.version,
    cpus: cpus().length,
    pinned,
    maxForeignCpuPct: MAX_FOREIGN_CPU_PCT,
    settings: { ...settings },
    systems: {},
  };
  const runnable: SystemUnderTest[] = [];
  for (const name of systems) {
    const system = SYSTEMS[name];
    const unavailable =
      (name === 'gateway' || name === 'stored') && buildError ? buildError : system.unavailable(ctx);
    if (unavailable) {
      log(`${name}: not run: ${unavailable}`);
      report.systems[name] = { label: system.label, unavailable, cells: {}, raw: {} };
    } else {
      runnable.push(system);
    }
  }
  // `--only=store`, `--only=workers`, …: no main table, not the mock measured alone for minutes.
  const mainTable = systems.some((name) => name !== 'mock');
  const started = performance.now();
  if (mainTable) {
    await withMock(async (mock) => {
      const rig: Rig = { loadGenerator: scripts.loadGenerator, mock };
      Object.assign(report.systems, await measureAll(runnable, ctx, rig, settings, log));
    });
  }
  log(`measured in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // Keep the order of the columns whatever order the systems were measured in.
  report.systems = Object.fromEntries(
    systems.flatMap((name) => (report.systems[name] ? [[name, report.systems[name]]] : [])),
  );
  const failed = REQUIRED.filter(
    (name) => systems.includes(name) && (report.systems[name]?.unavailable ?? report.systems[name]?.failed),
  );

  if (!only || only.has('retrieval')) {
    report.retrieval = await measureRetrieval(flags.quick ? QUICK_RETRIEVAL : FULL_RETRIEVAL, log);
  }
  const launch = { entry: ctx.gatewayEntry, nodeFlags: ctx.gatewayNodeFlags, mockOrigin };
  if (!only || only.has('store')) {
    report.storeBackends = await withMock(() =>
      measureStoreBackends(flags.quick ? QUICK_STORE : FULL_STORE, launch, log),
    );
  }
  if (!only || only.has('workers')) {
    report.workers = await withMock((mock) =>
      measureWorkers(
        flags.quick ? QUICK_WORKERS : FULL_WORKERS,
        { ...launch, probeScript: scripts.probe },
        { loadGenerator: scripts.loadGenerator, mock },
        { pinned, maxForeignCpuPct: MAX_FOREIGN_CPU_PCT },
        log,
      ),
    );
  }

  const rows = tabulate(report);
  if (mainTable) {
    console.log(`\n${renderTable(rows, report)}\n`);
    console.log(renderNotes(rows, report));
  }
  console.log(
    `\nNode ${report.node}, ${report.cpus} CPUs, ${
      pinned
        ? `system under test pinned to CPU ${1}, mock and load generator to CPU ${DRIVER_CPU}`
        : 'no CPU pinning'
    }${flags.quick ? ', QUICK RUN: numbers are meaningless' : ''}.`,
  );
  if (report.retrieval) console.log(`\n${renderRetrieval(report.retrieval)}`);
  if (report.storeBackends) console.log(`\n${renderStoreBackends(report.storeBackends)}`);
  if (report.workers) console.log(`\n${renderWorkers(report.workers)}`);
  writeResults(flags.out, report, rows);
  console.log(`Wrote ${flags.out}`);
  if (failed.length > 0) console.error(`Did not run: ${failed.join(', ')}`);
  if (sandbox) await runSandboxBench({ quick: flags.quick, out: sandboxOut });
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);

/**
 * Every scenario against every system. Systems are measured back to back for each scenario (not one
 * system for minutes, then the next), in `rounds` interleaved rounds keeping each system's quietest
 * run: on a shared machine, what other processes do drifts over minutes and would otherwise pass
 * for a difference between systems. Only one system is under load at any time.
 */
import { request } from 'undici';
import { type Driven, drive, type Rig } from './drive.js';
import type { ClosedLoopResult, ClosedLoopSpec, LoadSpec, Target } from './load/spec.js';
import type { ServerProcess } from './processes.js';
import type { SystemReport } from './report.js';
import type { Cell, RowName } from './rows.js';
import type { SystemContext, SystemName, SystemUnderTest } from './systems.js';

export interface Settings {
  warmupMs: number;
  durationMs: number;
  /** Interleaved repetitions of the throughput and streaming runs; the quietest run counts. */
  rounds: number;
  /** Duration of the time-to-first-token run. */
  ttftMs: number;
  /** The N of the concurrent-stream rows. */
  streamCounts: readonly (100 | 200 | 500 | 1000)[];
  /** Streams actually opened: N × scale (below 1 only for --quick). */
  streamScale: number;
  /** Content events per paced stream, one every 20 ms (50 events/s). */
  streamEvents: number;
  streamRampMs: number;
  /** Start each system afresh for each N, so memory per stream is not hidden by an earlier peak. */
  freshProcessPerStreamCount: boolean;
  chainTurns: number;
  chainRepeats: number;
}

const EVENT_INTERVAL_MS = 20;
const ON_TIME_MS = 50;
const MB = 1024 * 1024;
const NOT_PROBED = 'not probed: the mock upstream is the baseline, not a system under test';

/** One system while it is being measured. */
class Subject {
  process: ServerProcess | undefined;
  origin = '';
  /** Why the rest of its rows have no value, once a run failed. */
  failed: string | undefined;
  readonly cells: Partial<Record<RowName, Cell>> = {};
  readonly raw: Record<string, Driven> = {};

  constructor(
    readonly system: SystemUnderTest,
    private readonly ctx: SystemContext,
  ) {}

  get name(): SystemName {
    return this.system.name;
  }

  target(model: string, stream: boolean): Target {
    return this.system.target(this.origin, this.ctx, { model, stream });
  }

  chainTarget(): ReturnType<SystemUnderTest['chain']> {
    return this.system.chain(this.origin, this.ctx);
  }

  set(row: RowName, value: number | null, note?: string): void {
    this.cells[row] =
      value === null ? { value: null, note: note ?? NOT_PROBED } : { value, ...(note ? { note } : {}) };
  }

  async start(): Promise<void> {
    ({ process: this.process, origin: this.origin } = await this.system.start(this.ctx));
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = undefined;
  }

  report(): SystemReport {
    const foreign = Object.values(this.raw).map((run) => run.foreignCpuPct ?? 0);
    const measured = Object.keys(this.cells).length > 0;
    return {
      label: this.system.label,
      ...(this.failed ? (measured ? { failed: this.failed } : { unavailable: this.failed }) : {}),
      cells: this.cells,
      raw: this.raw,
      foreignCpuPctMax: Math.max(0, ...foreign),
    };
  }
}

export async function measureAll(
  systems: readonly SystemUnderTest[],
  ctx: SystemContext,
  rig: Rig,
  settings: Settings,
  log: (line: string) => void,
): Promise<Partial<Record<SystemName, SystemReport>>> {
  const subjects = systems.map((system) => new Subject(system, ctx));
  const live = () => subjects.filter((subject) => !subject.failed);
  const closedLoop = (
    target: Target,
    concurrency: number,
    markers = false,
    durationMs = settings.durationMs,
  ) =>
    ({
      kind: 'closed-loop',
      target,
      concurrency,
      warmupMs: settings.warmupMs,
      durationMs,
      markers,
    }) satisfies ClosedLoopSpec;

  /** Runs `spec(subject)` on each live system in turn, `rounds` times; keeps the quietest run. */
  const compare = async <S extends LoadSpec>(
    name: string,
    spec: (subject: Subject) => S | undefined,
    rounds = settings.rounds,
  ): Promise<Map<Subject, Driven<Extract<ClosedLoopResult, { kind: S['kind'] }>>>> => {
    const best = new Map<Subject, Driven>();
    for (let round = 0; round < rounds; round++) {
      for (const subject of live()) {
        const s = spec(subject);
        if (!s) continue;
        try {
          const run = await drive(rig, s, subject.process);
          const result = run.result as { errors?: number; firstError?: string };
          if (result.errors) throw new Error(`${result.errors} failed requests (${result.firstError})`);
          const kept = best.get(subject);
          if (!kept || (run.foreignCpuPct ?? 0) < (kept.foreignCpuPct ?? 0)) best.set(subject, run);
        } catch (error) {
          subject.failed = `${name} failed: ${(error as Error).message}`;
          log(`${subject.name}: ${subject.failed}`);
          await subject.stop();
        }
      }
    }
    for (const [subject, run] of best) {
      subject.raw[name] = run;
      const { result } = run;
      if (result.kind === 'closed-loop') {
        const foreign =
          run.foreignCpuPct === undefined ? '' : `, other processes ${run.foreignCpuPct.toFixed(0)}%`;
        log(
          `${subject.name}: ${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(3)} ms${foreign}`,
        );
      }
    }
    return best as Map<Subject, Driven<Extract<ClosedLoopResult, { kind: S['kind'] }>>>;
  };

  for (const subject of subjects) {
    try {
      await subject.start();
    } catch (error) {
      subject.failed = `did not start: ${(error as Error).message}`;
      log(`${subject.name}: ${subject.failed}`);
    }
  }
  try {
    if (settings.warmupMs > 0) {
      log('warm-up');
      const warm = (target: Target) => ({ ...closedLoop(target, 8), warmupMs: 0, durationMs: 1000 });
      await compare('warm-up', (s) => warm(s.target('bench', false)), 1);
      await compare('warm-up stream', (s) => warm(s.target('bench', true)), 1);
      for (const subject of subjects) {
        delete subject.raw['warm-up'];
        delete subject.raw['warm-up stream'];
      }
    }
    for (const subject of live()) {
      const idle = await subject.process?.probe();
      subject.set('rss_idle_mb', idle ? idle.rssBytes / MB : null);
    }

    for (const concurrency of [1, 16, 64] as const) {
      const runs = await compare(`throughput_c${concurrency}`, (s) =>
        closedLoop(s.target('bench', false), concurrency),
      );
      for (const [subject, run] of runs) {
        subject.set(`throughput_c${concurrency}`, run.result.rps);
        if (concurrency === 16) subject.set('cpu_us_per_request', perUnit(run.cpuUs, run.result.requests));
      }
    }
    for (const subject of live()) {
      const peaks = ['throughput_c1', 'throughput_c16', 'throughput_c64'].map(
        (k) => subject.raw[k]?.peakRssBytes ?? 0,
      );
      subject.set('rss_peak_mb', subject.process ? Math.max(...peaks) / MB : null);
    }

    const streamed = await compare('stream_throughput_c16', (s) => closedLoop(s.target('bench', true), 16));
    for (const [subject, run] of streamed) {
      subject.set('stream_throughput_c16', run.result.rps);
      subject.set('cpu_us_per_stream', perUnit(run.cpuUs, run.result.requests));
    }

    // The first content chunk at once, a second 5 ms later: the time to the first is the path's cost.
    const ttft = await compare('ttft', (s) =>
      closedLoop(s.target('bench-paced-2-5', true), 1, true, settings.ttftMs),
    );
    setAddedRows(subjects, ttft);

    await measureScraped(subjects, compare, closedLoop);
    for (const subject of live()) await measureChain(subject, rig, settings);
  } finally {
    for (const subject of subjects) await subject.stop();
  }

  await measureStreams(subjects, rig, settings, log);
  return Object.fromEntries(subjects.map((subject) => [subject.name, subject.report()]));
}

/** Latency and time to first token over the mock alone; the mock's column holds the baseline. */
function setAddedRows(subjects: readonly Subject[], ttft: Map<Subject, Driven<ClosedLoopResult>>): void {
  const mock = subjects.find((subject) => subject.name === 'mock');
  const latency = (s: Subject | undefined) =>
    (s?.raw.throughput_c1?.result as ClosedLoopResult | undefined)?.latencyMs;
  const firstToken = (s: Subject | undefined) => (s ? ttft.get(s)?.result.ttftMs : undefined);
  const base = { latency: latency(mock), ttft: firstToken(mock) };
  for (const subject of subjects) {
    const isBase = subject === mock;
    const note = isBase ? 'mock column: the absolute baseline, not an addition' : undefined;
    const minus = (value: number | undefined, baseValue: number | undefined) =>
      value === undefined ? null : isBase ? value : baseValue === undefined ? null : value - baseValue;
    const own = { latency: latency(subject), ttft: firstToken(subject) };
    const missing = subject.failed ?? 'no baseline: the mock alone was not measured';
    const set = (row: RowName, value: number | null) =>
      subject.set(row, value, value === null ? missing : note);
    set('added_latency_p50_ms', minus(own.latency?.p50, base.latency?.p50));
    set('added_latency_p99_ms', minus(own.latency?.p99, base.latency?.p99));
    set('added_ttft_p50_ms', minus(own.ttft?.p50, base.ttft?.p50));
    set('added_ttft_p99_ms', minus(own.ttft?.p99, base.ttft?.p99));
  }
}

type Compare = <S extends LoadSpec>(
  name: string,
  spec: (subject: Subject) => S | undefined,
  rounds?: number,
) => Promise<Map<Subject, Driven<Extract<ClosedLoopResult, { kind: S['kind'] }>>>>;

/**
 * The gateway's c=16 throughput while a Prometheus-like scraper reads /metrics ten times a second:
 * against throughput c=16, what a scrape costs the requests. Only the gateway has /metrics.
 */
async function measureScraped(
  subjects: readonly Subject[],
  compare: Compare,
  closedLoop: (target: Target, concurrency: number) => ClosedLoopSpec,
): Promise<void> {
  const gateway = subjects.find((subject) => subject.name === 'gateway' && !subject.failed);
  for (const subject of subjects) {
    if (subject === gateway) continue;
    const why = subject.name === 'stored' ? 'measured in the store:false column' : 'no /metrics endpoint';
    subject.set('metrics_scraped_throughput_c16', null, why);
  }
  if (!gateway) return;
  let scraping = true;
  let scrapes = 0;
  const scraper = (async () => {
    while (scraping) {
      const response = await request(`${gateway.origin}/metrics`).catch(() => undefined);
      if (response) {
        await response.body.dump();
        if (response.statusCode === 200) scrapes++;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    const runs = await compare('metrics_scraped_throughput_c16', (s) =>
      s === gateway ? closedLoop(s.target('bench', false), 16) : undefined,
    );
    const run = runs.get(gateway);
    if (run)
      gateway.set('metrics_scraped_throughput_c16', run.result.rps, `${scrapes} scrapes during the runs`);
  } finally {
    scraping = false;
    await scraper;
  }
}

/** A 20-turn conversation, chained by previous_response_id where the system keeps state. */
async function measureChain(subject: Subject, rig: Rig, settings: Settings): Promise<void> {
  const { mode, ...target } = subject.chainTarget();
  const spec = {
    kind: 'chain' as const,
    target: { origin: subject.origin, ...target },
    mode,
    turns: settings.chainTurns,
  };
  const probe = await drive(rig, { ...spec, repeats: 1 }, undefined);
  if (!probe.result.carriedHistory) {
    const why = probe.result.firstError ?? `the last turn sent ${probe.result.lastTurnMessages} message(s)`;
    subject.set('chain_20_turns_ms', null, `n/a: ${mode} did not carry the conversation (${why})`);
    return;
  }
  const run =
    settings.chainRepeats > 1
      ? await drive(rig, { ...spec, repeats: settings.chainRepeats }, undefined)
      : probe;
  subject.raw.chain = run;
  subject.set(
    'chain_20_turns_ms',
    run.result.chainMs.p50,
    mode === 'chat-history' ? 'the client resends the history as Chat Completions messages' : undefined,
  );
}

/** N paced streams at once, each system started afresh (or not, with --quick) for each N. */
async function measureStreams(
  subjects: readonly Subject[],
  rig: Rig,
  settings: Settings,
  log: (line: string) => void,
): Promise<void> {
  const runnable = subjects.filter((subject) => !subject.failed);
  if (!settings.freshProcessPerStreamCount) for (const subject of runnable) await subject.start();
  try {
    for (const count of settings.streamCounts) {
      for (const subject of runnable) {
        if (subject.failed) continue;
        const streams = Math.max(1, Math.round(count * settings.streamScale));
        try {
          if (settings.freshProcessPerStreamCount) {
            await subject.start();
            // Warm the code paths with a few short streams before counting memory from here.
            const warm = subject.target('bench', true);
            await drive(
              rig,
              {
                kind: 'closed-loop',
                target: warm,
                concurrency: 4,
                warmupMs: 0,
                durationMs: 300,
                markers: false,
              },
              subject.process,
            );
          }
          const run = await drive(
            rig,
            {
              kind: 'streams',
              target: subject.target(`bench-paced-${settings.streamEvents}-${EVENT_INTERVAL_MS}`, true),
              streams,
              events: settings.streamEvents,
              onTimeMs: ON_TIME_MS,
              rampMs: settings.streamRampMs,
            },
            subject.process,
          );
          subject.raw[`streams_${count}`] = run;
          const { result } = run;
          log(
            `${subject.name}: ${streams} streams: ${result.onTimePct.toFixed(2)}% on time, ` +
              `lateness p50 ${result.latenessMs.p50.toFixed(1)} p99 ${result.latenessMs.p99.toFixed(1)} ms, ` +
              `${result.errors} errors, other processes ${run.foreignCpuPct?.toFixed(0) ?? '?'}%`,
          );
          const note =
            result.errors > 0 ? `${result.errors} streams failed: ${result.firstError}` : undefined;
          subject.set(`streams_${count}_on_time_pct`, result.onTimePct, note);
          const perStream =
            run.peakRssBytes !== undefined && run.rssBeforeBytes !== undefined
              ? (run.peakRssBytes - run.rssBeforeBytes) / 1024 / streams
              : null;
          subject.set(`streams_${count}_kb_per_stream`, perStream);
        } catch (error) {
          subject.failed = `${count} streams failed: ${(error as Error).message}`;
          log(`${subject.name}: ${subject.failed}`);
        } finally {
          if (settings.freshProcessPerStreamCount) await subject.stop();
        }
      }
    }
  } finally {
    for (const subject of runnable) await subject.stop();
  }
}

function perUnit(cpuUs: number | undefined, count: number): number | null {
  return cpuUs === undefined || count === 0 ? null : cpuUs / count;
}

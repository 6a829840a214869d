/**
 * Runs one load scenario in its own process (pinned beside the mock, away from the system under
 * test) and measures, over its measured window, the system's CPU time, its peak memory, and how
 * much of the machine went to processes outside the benchmark.
 */

import type { LoadMessage, LoadResult, LoadSpec } from './load/spec.js';
import { foreignCpuPct, type MachineSample, sampleMachine } from './machine.js';
import { DRIVER_CPU, type ProbeSample, type ServerProcess, spawnNode } from './processes.js';

/** What is measured: a process (its preloaded probe) or a tree of them (bench/workers/). */
export type Probed = Pick<ServerProcess, 'probe'>;

export interface Rig {
  loadGenerator: string;
  mock: ServerProcess;
}

export interface Driven<R extends LoadResult = LoadResult> {
  result: R;
  /** CPU time the system under test spent in the measured window, µs. */
  cpuUs: number | undefined;
  rssBeforeBytes: number | undefined;
  peakRssBytes: number | undefined;
  /** Share of the machine used by processes outside the benchmark in the measured window, %. */
  foreignCpuPct: number | undefined;
}

const RSS_POLL_MS = 100;

interface WindowEdge {
  machine: MachineSample;
  sut: ProbeSample | undefined;
  mock: ProbeSample;
  loadGeneratorUs: number;
  selfUs: number;
}

async function edge(rig: Rig, sut: Probed | undefined, loadGeneratorUs: number): Promise<WindowEdge> {
  const [sutSample, mockSample] = await Promise.all([sut?.probe(), rig.mock.probe()]);
  const self = process.cpuUsage();
  return {
    machine: sampleMachine(),
    sut: sutSample,
    mock: mockSample,
    loadGeneratorUs,
    selfUs: self.user + self.system,
  };
}

/** One run of `spec` against `sut` (undefined: the mock alone). */
export async function drive<S extends LoadSpec>(
  rig: Rig,
  spec: S,
  sut: Probed | undefined,
): Promise<Driven<Extract<LoadResult, { kind: S['kind'] }>>> {
  const before = await sut?.probe();
  let peakRss = before?.rssBytes ?? 0;
  const poll = sut
    ? setInterval(() => {
        sut
          .probe()
          .then((sample) => {
            peakRss = Math.max(peakRss, sample.rssBytes);
          })
          .catch(() => {});
      }, RSS_POLL_MS)
    : undefined;

  const child = spawnNode([rig.loadGenerator, JSON.stringify(spec)], DRIVER_CPU, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    let start: Promise<WindowEdge> | undefined;
    const { result, loadGeneratorUs } = await new Promise<{ result: LoadResult; loadGeneratorUs: number }>(
      (resolve, reject) => {
        child.on('message', (message: LoadMessage) => {
          if (message.type === 'measuring') start = edge(rig, sut, message.cpuUs);
          else if (message.type === 'result')
            resolve({ result: message.result, loadGeneratorUs: message.cpuUs });
        });
        child.on('exit', (code) => reject(new Error(`load generator exited with ${code} before its result`)));
      },
    );
    const end = await edge(rig, sut, loadGeneratorUs);
    const from = await start;
    if (end.sut) peakRss = Math.max(peakRss, end.sut.rssBytes);
    let foreign: number | undefined;
    if (from) {
      const ownUs =
        (end.sut && from.sut ? end.sut.cpuUs - from.sut.cpuUs : 0) +
        (end.mock.cpuUs - from.mock.cpuUs) +
        (end.loadGeneratorUs - from.loadGeneratorUs) +
        (end.selfUs - from.selfUs);
      foreign = foreignCpuPct(from.machine, end.machine, ownUs);
    }
    return {
      result: result as Extract<LoadResult, { kind: S['kind'] }>,
      cpuUs: from?.sut && end.sut ? end.sut.cpuUs - from.sut.cpuUs : undefined,
      rssBeforeBytes: before?.rssBytes,
      peakRssBytes: sut ? peakRss : undefined,
      foreignCpuPct: foreign,
    };
  } finally {
    if (poll) clearInterval(poll);
    child.removeAllListeners('exit');
    if (child.exitCode === null) child.kill();
  }
}

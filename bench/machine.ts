/**
 * How busy the whole machine was, from /proc/stat: on a shared 2-core machine another process's
 * compiler or test run skews every number, so each measured window says how much CPU went to
 * processes that are not part of the benchmark.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** µs per clock tick of /proc/stat (USER_HZ is 100 on Linux). */
const TICK_US = 10_000;
const CPUS = cpus().length;
const MIN_WINDOW_MS = 1000;

export interface MachineSample {
  /** Busy CPU time of the whole machine, µs; undefined where /proc/stat is not readable. */
  busyUs: number | undefined;
  at: number;
}

export function sampleMachine(): MachineSample {
  let busyUs: number | undefined;
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is everything but idle and iowait.
    const total = ticks.slice(0, 8).reduce((sum, n) => sum + n, 0);
    busyUs = (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) * TICK_US;
  } catch {}
  return { busyUs, at: performance.now() };
}

/**
 * Share of the machine's capacity (%) used by processes outside the benchmark between two samples,
 * given the CPU time the benchmark's own processes used meanwhile.
 */
export function foreignCpuPct(from: MachineSample, to: MachineSample, ownUs: number): number | undefined {
  if (from.busyUs === undefined || to.busyUs === undefined) return undefined;
  const windowMs = to.at - from.at;
  // /proc/stat counts in 10 ms ticks: shorter windows say nothing.
  if (windowMs < MIN_WINDOW_MS) return undefined;
  const capacityUs = windowMs * 1000 * CPUS;
  return Math.max(0, (100 * (to.busyUs - from.busyUs - ownUs)) / capacityUs);
}

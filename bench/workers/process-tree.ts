/**
 * CPU time and memory of whole process trees, read from /proc: `serve --workers N` is a primary and
 * N forked workers, and PostgreSQL a postmaster and a backend per connection, and the preloaded
 * probe only sees the one process it is loaded into. Without counting the rest, the workers' and
 * the database's CPU would pass for other processes' in the foreign-CPU check.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { ProbeSample } from '../processes.js';

/** µs per clock tick (USER_HZ is 100 on Linux), as in bench/machine.ts. */
const TICK_US = 10_000;
const PAGE_BYTES = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, µs: a reaped child's time moves to its parent's c-fields. */
  cpuUs: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return { pid, ppid: Number(fields[1]), cpuUs: ticks * TICK_US };
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

function allStats(): ProcStat[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
  return pids.map(readStat).filter((stat): stat is ProcStat => stat !== undefined);
}

/** The roots and every live descendant of theirs. */
export function treeOf(roots: readonly number[]): ProcStat[] {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const out: ProcStat[] = [];
  const queue = roots.map((pid) => byPid.get(pid)).filter((stat): stat is ProcStat => stat !== undefined);
  while (queue.length > 0) {
    const stat = queue.shift()!;
    out.push(stat);
    queue.push(...(children.get(stat.pid) ?? []));
  }
  return out;
}

/** Direct children of `pid` (a cluster primary's workers), with their CPU time so far. */
export function childrenOf(pid: number): ProcStat[] {
  return allStats().filter((stat) => stat.ppid === pid);
}

/** A probe over whole trees, in the shape bench/drive.ts asks of the system under test. */
export function treeProbe(roots: () => readonly number[]): { probe(): Promise<ProbeSample> } {
  return {
    probe: async () => {
      const tree = treeOf(roots());
      return {
        cpuUs: tree.reduce((sum, stat) => sum + stat.cpuUs, 0),
        rssBytes: tree.reduce((sum, stat) => sum + rssBytes(stat.pid), 0),
        heapUsedBytes: 0,
      };
    },
  };
}

/**
 * Sets the CPU affinity of every process of a tree; processes forked later (a PostgreSQL backend
 * per new connection) inherit the root's. False where the root could not be pinned (not Linux, not
 * permitted); a descendant may exit between the scan and its taskset.
 */
export function pinTree(root: number, cpus: string): boolean {
  let ok = false;
  for (const stat of treeOf([root])) {
    const result = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(stat.pid)], { stdio: 'ignore' });
    if (stat.pid === root) ok = result.status === 0;
  }
  return ok;
}

/** PostgreSQL's postmaster, when the server runs on this machine and its data directory is readable. */
export async function postmasterPid(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    const pid = Number(
      readFileSync(join(rows[0]!.data_directory, 'postmaster.pid'), 'latin1').split('\n')[0],
    );
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

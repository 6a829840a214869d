/** The `--workers` table: 1 worker against 2 for each placement, side by side, with its notes. */
import {
  CASES,
  type Case,
  type PlacementReport,
  WORKER_COUNTS,
  type WorkersReport,
} from './measure-workers.js';

const TITLES: Record<Placement, string> = {
  pinned: 'pinned',
  unpinned: 'unpinned',
};
type Placement = PlacementReport['placement'];

function caseTitle(testCase: Case): string {
  const what = testCase.stream ? 'streamed responses/s' : 'throughput';
  return `${what}, store:${testCase.store}, c=${testCase.concurrency}`;
}

const n = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export function renderWorkers(report: WorkersReport): string {
  if (report.unavailable !== undefined) return `| workers (PostgreSQL) | not run: ${report.unavailable} |`;
  const header = ['workers (PostgreSQL)', 'unit'];
  for (const placement of report.placements) {
    const title = TITLES[placement.placement];
    header.push(`${title}: 1 worker`, `${title}: 2 workers`, `${title}: 2w / 1w`);
  }
  const lines = [header, header.map(() => '---')];
  const row = (
    title: (c: Case) => string,
    unit: string,
    cell: (p: PlacementReport, c: Case) => (number | null)[],
  ) =>
    CASES.map((testCase) => {
      const line = [title(testCase), unit];
      for (const placement of report.placements) {
        const [one, two] = cell(placement, testCase);
        const ratio = one && two ? two / one : null;
        line.push(n(one, 0), n(two, 0), ratio === null ? '–' : `${ratio.toFixed(2)}×`);
      }
      return line;
    });
  lines.push(
    ...row(caseTitle, 'req/s', (p, c) => WORKER_COUNTS.map((w) => p.cases[c.key]?.[w]?.rps ?? null)),
  );
  lines.push(
    ...row(
      (c) => `CPU per request (gateway + PostgreSQL), store:${c.store}, c=${c.concurrency}`,
      'µs',
      (p, c) => WORKER_COUNTS.map((w) => p.cases[c.key]?.[w]?.cpuUsPerRequest ?? null),
    ).filter((_, i) => CASES[i]!.concurrency === 16 && !CASES[i]!.stream),
  );
  const table = lines.map((line) => `| ${line.join(' | ')} |`).join('\n');
  return `${table}\n${renderWorkersNotes(report)}`;
}

function renderWorkersNotes(report: WorkersReport): string {
  const out: string[] = [];
  for (const placement of report.placements) {
    out.push(`- ${TITLES[placement.placement]}: ${placement.label}`);
    if (placement.failed) out.push(`  STOPPED PART-WAY: ${placement.failed}`);
    for (const [workers, finding] of Object.entries(placement.probe)) {
      out.push(`  forwarding probe, ${workers} worker(s): ${finding}`);
    }
    const shares = Object.values(placement.cases).flatMap((c) => c[2]?.workerCpuShares ?? []);
    if (shares.length > 0) {
      const smallest = Math.min(...shares);
      out.push(
        `  2 workers: the busier worker took at most ${(100 * (1 - smallest)).toFixed(0)}% of the workers' CPU in a run` +
          (smallest >= 0.1 ? ' (both served)' : ': WARNING, one worker barely served'),
      );
    }
    const foreign = Math.max(
      0,
      ...Object.values(placement.cases).flatMap((c) => Object.values(c).map((f) => f?.foreignCpuPct ?? 0)),
    );
    if (foreign > report.maxForeignCpuPct) {
      out.push(
        `  WARNING: other processes took up to ${foreign.toFixed(0)}% of the machine in a kept window: those numbers are skewed`,
      );
    }
  }
  if (report.placements.some((p) => p.placement === 'pinned')) {
    out.push(
      '- pinned, on a 2-CPU machine: both workers (and PostgreSQL) share the one system-under-test CPU, so 2w / 1w ' +
        'is the cost or gain of two processes on one core, not scaling across cores; unpinned lets the gateway ' +
        'use both CPUs but shares one with the driver, so it is a comparison, not an isolated measurement.',
    );
  }
  if (!report.postgresCounted) {
    out.push(
      '- PostgreSQL is not the bench’s own server: its CPU is not in "CPU per request", and where it runs on ' +
        'this machine it counts as other processes’ in the foreign-CPU check',
    );
  }
  return out.join('\n');
}

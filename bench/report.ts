/** The comparison table (ratios against the bare proxy) and bench/results.json. */
import { renameSync, writeFileSync } from 'node:fs';
import type { RetrievalReport } from './retrieval/measure-retrieval.js';
import {
  better,
  type Cell,
  met,
  ROWS,
  type RowName,
  type RowSpec,
  type Target,
  VARIANTS,
  type Variant,
} from './rows.js';
import type { StoreBackendsReport } from './store/measure-store-backends.js';
import type { SystemName } from './systems.js';
import type { WorkersReport } from './workers/measure-workers.js';

export interface SystemReport {
  label: string;
  /** Why it did not run, if it did not. */
  unavailable?: string;
  /** Why it stopped part-way: the rows it had not reached have no value. */
  failed?: string;
  cells: Partial<Record<RowName, Cell>>;
  raw: Record<string, unknown>;
  /** The most of the machine that processes outside the benchmark took in any measured window, %. */
  foreignCpuPctMax?: number;
}

export interface RunReport {
  generatedAt: string;
  quick: boolean;
  node: string;
  cpus: number;
  pinned: boolean;
  /** Runs in which other processes took more of the machine than this (%) are retried or flagged. */
  maxForeignCpuPct: number;
  settings: Record<string, unknown>;
  systems: Partial<Record<SystemName, SystemReport>>;
  /** Files and vector stores: indexing, search latency, fixture recall (bench/retrieval/). */
  retrieval?: RetrievalReport;
  /** SQLite and PostgreSQL side by side, cross-instance resume, vector search in SQL (bench/store/). */
  storeBackends?: StoreBackendsReport;
  /** `serve --workers 1` against 2 on PostgreSQL, pinned and unpinned (bench/workers/). */
  workers?: WorkersReport;
}

interface RowResult {
  name: RowName;
  title: string;
  unit: string;
  better: 'higher' | 'lower';
  /** Per gateway column (store false, store true): its target as text. */
  targets: Partial<Record<Variant, string>>;
  values: Partial<Record<SystemName, number | null>>;
  notes: Partial<Record<SystemName, string>>;
  /** system / bare proxy. */
  ratios: Partial<Record<SystemName, number | null>>;
  meets: Partial<Record<Variant, boolean | null>>;
  /** Whether both gateway columns are at least as good as Portkey's. */
  aheadOfPortkey: boolean | null;
}

const COMPARED: readonly SystemName[] = ['gateway', 'stored', 'portkey'];

export function tabulate(report: RunReport): RowResult[] {
  return ROWS.map((spec) => {
    const values: RowResult['values'] = {};
    const notes: RowResult['notes'] = {};
    for (const [name, system] of Object.entries(report.systems) as Array<[SystemName, SystemReport]>) {
      const cell = system.cells[spec.name];
      values[name] = cell?.value ?? null;
      const note = cell?.note ?? system.unavailable ?? system.failed;
      if (note) notes[name] = note;
    }
    const base = values.bare ?? null;
    const ratios: RowResult['ratios'] = {};
    for (const name of COMPARED) {
      const value = values[name] ?? null;
      ratios[name] = value !== null && base !== null && base > 0 ? value / base : null;
    }
    const targets: RowResult['targets'] = {};
    const meets: RowResult['meets'] = {};
    for (const variant of VARIANTS) {
      const target = spec.targets?.[variant];
      if (!target) continue;
      targets[variant] = targetText(spec, target);
      meets[variant] = met(target, values[variant] ?? null, base);
    }
    const portkey = values.portkey ?? null;
    const gateways = VARIANTS.map((variant) => values[variant] ?? null).filter(
      (v): v is number => v !== null,
    );
    return {
      name: spec.name,
      title: spec.title,
      unit: spec.unit,
      better: spec.better,
      targets,
      values,
      notes,
      ratios,
      meets,
      aheadOfPortkey:
        gateways.length > 0 && portkey !== null
          ? gateways.every((value) => better(spec, value, portkey) || value === portkey)
          : null,
    };
  });
}

function targetText(spec: RowSpec, target: Target): string {
  const { on, op, limit } = target;
  if (on === 'ratio') return `${op} ${limit}× bare`;
  if (on === 'minus-bare') return `${op} bare ${limit < 0 ? '−' : '+'} ${Math.abs(limit)} ${spec.unit}`;
  return `${op} ${limit} ${spec.unit}`;
}

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  return value.toFixed(3);
}

function ratioText(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '' : ` (${ratio.toFixed(2)}×)`;
}

const mark = (ok: boolean | null | undefined) => (ok === null || ok === undefined ? '' : ok ? 'yes' : 'NO');

const COLUMN: Record<SystemName, string> = {
  mock: 'mock alone',
  bare: 'bare proxy',
  gateway: 'gateway store:false (×bare)',
  stored: 'gateway store:true (×bare)',
  portkey: 'portkey (×bare)',
};

/** The table as Markdown, for the terminal and for bench/README.md. */
export function renderTable(rows: RowResult[], report: RunReport): string {
  const shown = (Object.keys(COLUMN) as SystemName[]).filter((name) => report.systems[name] !== undefined);
  const variants = VARIANTS.filter((variant) => report.systems[variant] !== undefined);
  const header = ['row', 'unit', ...shown.map((name) => COLUMN[name])];
  for (const variant of variants)
    header.push(`${variant === 'stored' ? 'store:true' : 'store:false'} target`, 'met');
  if (report.systems.portkey) header.push('gw ahead of portkey');
  const lines = [header];
  for (const row of rows) {
    const line = [row.title, row.unit];
    for (const name of shown) {
      const ratio = name === 'mock' || name === 'bare' ? '' : ratioText(row.ratios[name]);
      line.push(fmt(row.values[name]) + ratio);
    }
    for (const variant of variants) line.push(row.targets[variant] ?? '', mark(row.meets[variant]));
    if (report.systems.portkey) line.push(mark(row.aheadOfPortkey));
    lines.push(line);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  const render = (line: string[]) => `| ${line.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [render(lines[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  for (const line of lines.slice(1)) out.push(render(line));
  return out.join('\n');
}

/** What each column is, and the note of every cell that has one, grouped by note. */
export function renderNotes(rows: RowResult[], report: RunReport): string {
  const out: string[] = [];
  for (const [name, system] of Object.entries(report.systems) as Array<[SystemName, SystemReport]>) {
    out.push(`- ${name}: ${system.label}${system.unavailable ? ` — NOT RUN: ${system.unavailable}` : ''}`);
    if (system.failed) out.push(`  STOPPED PART-WAY: ${system.failed}`);
  }
  for (const [name, system] of Object.entries(report.systems) as Array<[SystemName, SystemReport]>) {
    const foreign = system.foreignCpuPctMax;
    if (foreign !== undefined && foreign > report.maxForeignCpuPct) {
      out.push(
        `- WARNING ${name}: other processes took up to ${foreign.toFixed(0)}% of the machine during a ` +
          'measured window: its numbers are skewed.',
      );
    }
  }
  const grouped = new Map<string, string[]>();
  for (const row of rows) {
    for (const [name, note] of Object.entries(row.notes)) {
      const system = report.systems[name as SystemName];
      if (system?.unavailable === note || system?.failed === note) continue;
      const key = `${name}: ${note}`;
      grouped.set(key, [...(grouped.get(key) ?? []), row.title]);
    }
  }
  for (const [key, titles] of grouped) out.push(`- ${key} [${titles.join('; ')}]`);
  return out.join('\n');
}

export function writeResults(path: string, report: RunReport, rows: RowResult[]): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...report, rows }, null, 2)}\n`);
  renameSync(tmp, path);
}

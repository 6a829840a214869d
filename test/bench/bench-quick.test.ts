/**
 * `npm run bench -- --quick` is a check of the benchmark harness, not a benchmark: it must start
 * every system, run every scenario and write every row. Its numbers are never asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaseFigures } from '../../bench/workers/measure-workers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const ROW_NAMES = [
  'throughput_c1',
  'throughput_c16',
  'throughput_c64',
  'added_latency_p50_ms',
  'added_latency_p99_ms',
  'cpu_us_per_request',
  'rss_idle_mb',
  'rss_peak_mb',
  'stream_throughput_c16',
  'cpu_us_per_stream',
  'added_ttft_p50_ms',
  'added_ttft_p99_ms',
  'streams_100_on_time_pct',
  'streams_100_kb_per_stream',
  'streams_200_on_time_pct',
  'streams_200_kb_per_stream',
  'streams_500_on_time_pct',
  'streams_500_kb_per_stream',
  'streams_1000_on_time_pct',
  'streams_1000_kb_per_stream',
  'metrics_scraped_throughput_c16',
  'chain_20_turns_ms',
];

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rgw-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and writes JSON with every row for every system', { timeout: 240_000 }, async () => {
    const out = join(dir, 'results.json');
    const { code, output } = await run('npm', ['run', 'bench', '--silent', '--', '--quick', `--out=${out}`]);
    expect(code, output).toBe(0);

    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.quick).toBe(true);
    expect(results.rows.map((row: { name: string }) => row.name)).toEqual(ROW_NAMES);
    expect(Object.keys(results.systems)).toEqual(['mock', 'bare', 'gateway', 'stored', 'portkey']);
    // The floor and the gateway (store false and true) must have run; Portkey may be unavailable,
    // but then says why.
    expect(results.systems.bare.unavailable).toBeUndefined();
    expect(results.systems.gateway.unavailable).toBeUndefined();
    expect(results.systems.stored.unavailable).toBeUndefined();
    if (results.systems.portkey.unavailable !== undefined) {
      expect(results.systems.portkey.unavailable).toEqual(expect.any(String));
    }
    for (const row of results.rows) {
      for (const system of ['bare', 'gateway', 'stored']) {
        const value = row.values[system];
        // A number, or null with the reason in the row's notes (e.g. a feature not there yet).
        if (value === null) expect(row.notes[system], `${row.name}/${system}`).toEqual(expect.any(String));
        else expect(value, `${row.name}/${system}`).toEqual(expect.any(Number));
      }
    }
    expect(output).toContain('| row');
    // Each gateway column is judged against its own targets.
    const throughput = results.rows.find((row: { name: string }) => row.name === 'throughput_c16');
    expect(Object.keys(throughput.meets)).toEqual(['gateway', 'stored']);
    // The code sandbox's table, beside the main one.
    const sandbox = JSON.parse(readFileSync(join(dir, 'sandbox-results.json'), 'utf8'));
    expect(sandbox.rows.map((row: { name: string }) => row.name)).toEqual([
      'container cold start, no warm kernel',
      'container cold start, warm kernel ready',
      'new container: pandas+pyplot import',
      'same, warm kernel (preloaded) ready',
      'warm call overhead, print(1)',
      'pandas groupby/describe, 10k rows',
      'matplotlib line plot saved as PNG',
    ]);
    for (const row of sandbox.rows) expect(row.p50, row.name).toEqual(expect.any(Number));
    // The retrieval benchmarks ran too, with a number in every figure.
    const retrieval = results.retrieval;
    for (const value of [
      retrieval.ingestion.mbPerSecond,
      retrieval.ingestion.chunksPerSecond,
      retrieval.search.lexical.p50Ms,
      retrieval.search.lexical.p99Ms,
      retrieval.search.hybrid.p50Ms,
      retrieval.search.hybrid.p99Ms,
    ]) {
      expect(value).toEqual(expect.any(Number));
    }
    for (const evaluation of Object.values(retrieval.evaluation) as Array<Record<string, number>>) {
      expect(evaluation.recallAt5).toBeGreaterThanOrEqual(0);
      expect(evaluation.mrr).toBeGreaterThanOrEqual(0);
    }
    expect(output).toContain('| retrieval');
    // `serve --workers 1` against 2 on PostgreSQL: every case measured on both, or "not run" and why.
    const workers = results.workers;
    expect(output).toContain('| workers (PostgreSQL)');
    if (workers.unavailable !== undefined) {
      expect(workers.unavailable).toEqual(expect.any(String));
      expect(output).toContain('| workers (PostgreSQL) | not run: ');
      return;
    }
    expect(workers.placements.map((p: { placement: string }) => p.placement)).toEqual(
      results.pinned ? ['pinned', 'unpinned'] : ['unpinned'],
    );
    for (const placement of workers.placements) {
      expect(placement.failed, placement.placement).toBeUndefined();
      expect(Object.keys(placement.probe)).toEqual(['1', '2']);
      expect(Object.keys(placement.cases)).toEqual([
        'store_false_json_c16',
        'store_false_json_c64',
        'store_false_stream_c16',
        'store_true_json_c16',
        'store_true_json_c64',
        'store_true_stream_c16',
      ]);
      for (const [key, figures] of Object.entries(placement.cases) as Array<
        [string, Record<string, CaseFigures | undefined>]
      >) {
        for (const count of ['1', '2']) {
          expect(figures[count]?.rps, `${placement.placement}/${key}/${count}`).toBeGreaterThan(0);
        }
        // Both workers of the pair served.
        expect(figures['2']?.workerCpuShares).toHaveLength(2);
      }
    }
  });
});

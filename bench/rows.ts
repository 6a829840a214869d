/** The rows of the table: what each measures, its unit, which way is better, and its target. */

export type RowName =
  | 'throughput_c1'
  | 'throughput_c16'
  | 'throughput_c64'
  | 'added_latency_p50_ms'
  | 'added_latency_p99_ms'
  | 'cpu_us_per_request'
  | 'rss_idle_mb'
  | 'rss_peak_mb'
  | 'stream_throughput_c16'
  | 'cpu_us_per_stream'
  | 'added_ttft_p50_ms'
  | 'added_ttft_p99_ms'
  | 'streams_100_on_time_pct'
  | 'streams_100_kb_per_stream'
  | 'streams_200_on_time_pct'
  | 'streams_200_kb_per_stream'
  | 'streams_500_on_time_pct'
  | 'streams_500_kb_per_stream'
  | 'streams_1000_on_time_pct'
  | 'streams_1000_kb_per_stream'
  | 'metrics_scraped_throughput_c16'
  | 'chain_20_turns_ms';

/** The gateway columns that have targets: store false, and its default path, store true. */
export type Variant = 'gateway' | 'stored';
export const VARIANTS: readonly Variant[] = ['gateway', 'stored'];

/** On its value, its ratio to the bare proxy, or its difference from the bare proxy's value. */
export interface Target {
  on: 'value' | 'ratio' | 'minus-bare';
  op: '>=' | '<=';
  limit: number;
}

export interface RowSpec {
  name: RowName;
  title: string;
  unit: string;
  better: 'higher' | 'lower';
  targets?: Partial<Record<Variant, Target>>;
}

const both = (target: Target): Partial<Record<Variant, Target>> => ({ gateway: target, stored: target });

export const ROWS: readonly RowSpec[] = [
  {
    name: 'throughput_c1',
    title: 'throughput, c=1',
    unit: 'req/s',
    better: 'higher',
    targets: { gateway: { on: 'ratio', op: '>=', limit: 0.7 } },
  },
  {
    name: 'throughput_c16',
    title: 'throughput, c=16',
    unit: 'req/s',
    better: 'higher',
    targets: {
      gateway: { on: 'ratio', op: '>=', limit: 0.9 },
      stored: { on: 'ratio', op: '>=', limit: 0.8 },
    },
  },
  {
    name: 'throughput_c64',
    title: 'throughput, c=64',
    unit: 'req/s',
    better: 'higher',
    targets: {
      gateway: { on: 'ratio', op: '>=', limit: 0.9 },
      stored: { on: 'ratio', op: '>=', limit: 0.8 },
    },
  },
  {
    name: 'added_latency_p50_ms',
    title: 'added latency p50, c=1',
    unit: 'ms',
    better: 'lower',
    targets: { gateway: { on: 'value', op: '<=', limit: 0.3 } },
  },
  {
    name: 'added_latency_p99_ms',
    title: 'added latency p99, c=1',
    unit: 'ms',
    better: 'lower',
    targets: { gateway: { on: 'value', op: '<=', limit: 1 } },
  },
  {
    name: 'cpu_us_per_request',
    title: 'CPU per request (c=16)',
    unit: 'µs',
    better: 'lower',
    targets: {
      gateway: { on: 'ratio', op: '<=', limit: 1.5 },
      stored: { on: 'ratio', op: '<=', limit: 1.8 },
    },
  },
  { name: 'rss_idle_mb', title: 'RSS after start-up', unit: 'MB', better: 'lower' },
  { name: 'rss_peak_mb', title: 'RSS peak, c=1..64', unit: 'MB', better: 'lower' },
  { name: 'stream_throughput_c16', title: 'streamed responses/s, c=16', unit: 'resp/s', better: 'higher' },
  { name: 'cpu_us_per_stream', title: 'CPU per streamed response', unit: 'µs', better: 'lower' },
  {
    name: 'added_ttft_p50_ms',
    title: 'added time to first token p50',
    unit: 'ms',
    better: 'lower',
    targets: both({ on: 'minus-bare', op: '<=', limit: 0.3 }),
  },
  { name: 'added_ttft_p99_ms', title: 'added time to first token p99', unit: 'ms', better: 'lower' },
  { name: 'streams_100_on_time_pct', title: '100 streams @50 ev/s: on time', unit: '%', better: 'higher' },
  { name: 'streams_100_kb_per_stream', title: '100 streams: memory per stream', unit: 'KB', better: 'lower' },
  {
    name: 'streams_200_on_time_pct',
    title: '200 streams @50 ev/s: on time',
    unit: '%',
    better: 'higher',
    targets: both({ on: 'minus-bare', op: '>=', limit: -1 }),
  },
  { name: 'streams_200_kb_per_stream', title: '200 streams: memory per stream', unit: 'KB', better: 'lower' },
  {
    name: 'streams_500_on_time_pct',
    title: '500 streams @50 ev/s: on time',
    unit: '%',
    better: 'higher',
    targets: both({ on: 'minus-bare', op: '>=', limit: -1 }),
  },
  {
    name: 'streams_500_kb_per_stream',
    title: '500 streams: memory per stream',
    unit: 'KB',
    better: 'lower',
    targets: both({ on: 'value', op: '<=', limit: 50 }),
  },
  { name: 'streams_1000_on_time_pct', title: '1000 streams @50 ev/s: on time', unit: '%', better: 'higher' },
  {
    name: 'streams_1000_kb_per_stream',
    title: '1000 streams: memory per stream',
    unit: 'KB',
    better: 'lower',
  },
  {
    name: 'metrics_scraped_throughput_c16',
    title: 'throughput c=16, /metrics scraped 10×/s',
    unit: 'req/s',
    better: 'higher',
  },
  { name: 'chain_20_turns_ms', title: '20-turn conversation (p50)', unit: 'ms', better: 'lower' },
];

/** A measured value, or why there is none. */
export type Cell = { value: number; note?: string } | { value: null; note: string };

export function met(target: Target | undefined, value: number | null, bare: number | null): boolean | null {
  if (!target || value === null) return null;
  const x =
    target.on === 'value'
      ? value
      : bare === null
        ? null
        : target.on === 'ratio'
          ? bare > 0
            ? value / bare
            : null
          : value - bare;
  if (x === null || !Number.isFinite(x)) return null;
  return target.op === '>=' ? x >= target.limit : x <= target.limit;
}

/** Whether `a` is better than `b` on this row. */
export function better(spec: RowSpec, a: number, b: number): boolean {
  return spec.better === 'higher' ? a > b : a < b;
}

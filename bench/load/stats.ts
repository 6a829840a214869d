import type { Percentiles } from './spec.js';

/** Percentiles of samples (sorted in place), nearest-rank. */
export function percentiles(samples: Float64Array | number[]): Percentiles {
  const n = samples.length;
  if (n === 0)
    return { p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, mean: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: sum / n, max: sorted[n - 1]! };
}

/** A growable list of numbers without per-sample allocation. */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Wall-clock ms with sub-ms precision, comparable across processes on this machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A closed loop of HTTP requests from this process: throughput and latency percentiles. */
import { Pool } from 'undici';

export interface LoopResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function loop(
  origin: string,
  request: { path: string; headers: Record<string, string>; body: string },
  concurrency: number,
  durationMs: number,
): Promise<LoopResult> {
  const pool = new Pool(origin, { connections: concurrency });
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + durationMs;
  const worker = async () => {
    while (performance.now() < until) {
      const at = performance.now();
      const response = await pool.request({
        method: 'POST',
        path: request.path,
        headers: { 'content-type': 'application/json', ...request.headers },
        body: request.body,
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`${request.path} answered ${response.statusCode}`);
      latencies.push(performance.now() - at);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { requests: latencies.length, perSecond: latencies.length / seconds, ...percentiles(latencies) };
}

export function percentiles(values: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

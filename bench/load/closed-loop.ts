/** Closed-loop load: `concurrency` workers, each sending its next request when the last is answered. */
import { Pool } from 'undici';
import { MarkerScanner } from './markers.js';
import type { ClosedLoopResult, ClosedLoopSpec } from './spec.js';
import { percentiles, Samples } from './stats.js';

export async function runClosedLoop(
  spec: ClosedLoopSpec,
  onMeasuring: () => void,
): Promise<ClosedLoopResult> {
  const { target } = spec;
  const pool = new Pool(target.origin, { connections: spec.concurrency, pipelining: 1 });
  const body = Buffer.from(target.body);
  const headers = { ...target.headers, 'content-type': 'application/json' };
  const latency = new Samples();
  const ttft = new Samples();
  let errors = 0;
  let firstError: string | undefined;
  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };

  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const end = measureFrom + spec.durationMs;
  let measuring = false;

  const one = async (): Promise<void> => {
    const sent = performance.now();
    let firstMarker = 0;
    try {
      const response = await pool.request({ method: 'POST', path: target.path, headers, body });
      if (spec.markers) {
        const scanner = new MarkerScanner();
        const seen = () => {
          if (firstMarker === 0) firstMarker = performance.now();
        };
        for await (const chunk of response.body) scanner.scan(chunk as Buffer, seen);
      } else {
        await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      }
      if (response.statusCode !== 200) return fail(`HTTP ${response.statusCode}`);
      if (spec.markers && firstMarker === 0) return fail('no content marker in the stream');
    } catch (error) {
      return fail((error as Error).message);
    }
    const done = performance.now();
    if (sent < measureFrom) return;
    latency.push(done - sent);
    if (firstMarker !== 0) ttft.push(firstMarker - sent);
  };

  const worker = async () => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      if (!measuring && now >= measureFrom) {
        measuring = true;
        onMeasuring();
      }
      await one();
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const seconds = (performance.now() - measureFrom) / 1000;
  await pool.close();
  return {
    kind: 'closed-loop',
    requests: latency.length,
    errors,
    firstError,
    seconds,
    rps: latency.length / seconds,
    latencyMs: percentiles(latency.values()),
    ttftMs: spec.markers ? percentiles(ttft.values()) : undefined,
  };
}

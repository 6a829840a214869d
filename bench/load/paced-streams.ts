/**
 * N concurrent paced streams: the upstream sends one content event every interval per stream. An
 * event is due at the moment this client sent the request plus its offset in the upstream's
 * schedule, so its lateness counts every hop and any queueing before the upstream call started.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MarkerScanner } from './markers.js';
import { rawStream } from './raw-stream.js';
import type { StreamsResult, StreamsSpec } from './spec.js';
import { epochMs, percentiles, Samples } from './stats.js';

export async function runPacedStreams(spec: StreamsSpec, onMeasuring: () => void): Promise<StreamsResult> {
  const lateness = new Samples();
  let onTime = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;

  const one = async (): Promise<void> => {
    const sent = epochMs();
    try {
      const scanner = new MarkerScanner();
      let count = 0;
      let first = 0;
      const seen = (scheduledAt: number) => {
        if (count === 0) first = scheduledAt;
        const late = epochMs() - (sent + scheduledAt - first);
        lateness.push(late);
        if (late <= spec.onTimeMs) onTime++;
        count++;
      };
      await rawStream(spec.target, { data: (chunk) => scanner.scan(chunk, seen) });
      if (count < spec.events) throw new Error(`stream ended after ${count} of ${spec.events} events`);
      completed++;
    } catch (error) {
      errors++;
      firstError ??= (error as Error).message;
    }
  };

  const running: Promise<void>[] = [];
  const gap = spec.rampMs / spec.streams;
  const started = performance.now();
  for (let i = 0; i < spec.streams; i++) {
    const due = started + i * gap;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    running.push(one());
  }
  onMeasuring();
  await Promise.all(running);
  const expectedEvents = spec.streams * spec.events;
  return {
    kind: 'streams',
    streams: spec.streams,
    completed,
    errors,
    firstError,
    expectedEvents,
    delivered: lateness.length,
    onTime,
    onTimePct: (100 * onTime) / expectedEvents,
    latenessMs: percentiles(lateness.values()),
  };
}

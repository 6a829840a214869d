/** What the orchestrator asks of the load generator, and what it answers. Plain JSON both ways. */

export interface Target {
  /** e.g. http://127.0.0.1:8080 */
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** The JSON request body, already serialized. */
  body: string;
}

/** Each worker sends the next request as soon as its previous one is answered. */
export interface ClosedLoopSpec {
  kind: 'closed-loop';
  target: Target;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Also record time to the first content marker (paced upstream streams). */
  markers: boolean;
}

/** N event streams held open at once, each paced by the upstream; every event's lateness counted. */
export interface StreamsSpec {
  kind: 'streams';
  target: Target;
  streams: number;
  /** Events per stream (the upstream's schedule is in the model name of the body). */
  events: number;
  onTimeMs: number;
  /** Streams are opened evenly over this time, as clients arriving. */
  rampMs: number;
}

/**
 * A conversation of `turns` turns, repeated. `previous_response_id` mode chains on the server's
 * stored state; `chat-history` mode resends the whole history as Chat Completions messages.
 */
export interface ChainSpec {
  kind: 'chain';
  target: Omit<Target, 'body'>;
  mode: 'previous_response_id' | 'chat-history';
  turns: number;
  repeats: number;
}

export type LoadSpec = ClosedLoopSpec | StreamsSpec | ChainSpec;

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface ClosedLoopResult {
  kind: 'closed-loop';
  requests: number;
  errors: number;
  firstError: string | undefined;
  seconds: number;
  rps: number;
  latencyMs: Percentiles;
  ttftMs: Percentiles | undefined;
}

export interface StreamsResult {
  kind: 'streams';
  streams: number;
  completed: number;
  errors: number;
  firstError: string | undefined;
  expectedEvents: number;
  delivered: number;
  onTime: number;
  /** Share of all scheduled events delivered within `onTimeMs` of their schedule, %. */
  onTimePct: number;
  latenessMs: Percentiles;
}

export interface ChainResult {
  kind: 'chain';
  chains: number;
  errors: number;
  firstError: string | undefined;
  /** Whether the last turn's upstream call carried the whole conversation. */
  carriedHistory: boolean;
  lastTurnMessages: number;
  chainMs: Percentiles;
}

export type LoadResult = ClosedLoopResult | StreamsResult | ChainResult;

/** Messages from the load generator process to the orchestrator (IPC), with its own CPU time, µs. */
export type LoadMessage =
  | { type: 'measuring'; cpuUs: number }
  | { type: 'result'; result: LoadResult; cpuUs: number };

/**
 * The little of tracing the engine and the server see: a span to hang children on, attributes, an
 * end. The OpenTelemetry SDK behind it (src/observability/) is the gateway's business; the engine
 * only ever holds this interface, and with tracing off it holds nothing at all (every use is
 * `span?.…`), so a response pays no more than an undefined check per model or tool call.
 */

/** Attribute values as OpenTelemetry takes them; undefined ones are left out. */
export type TraceAttributes = Record<string, string | number | boolean | string[] | undefined>;

export type TraceSpanKind = 'server' | 'client' | 'internal';

export interface TraceSpan {
  /** A span under this one, started now. */
  child(name: string, kind: TraceSpanKind, attributes?: TraceAttributes): TraceSpan;
  set(attributes: TraceAttributes): void;
  /**
   * Marks the span failed. `code` is an error code or type, never an error message: upstream
   * messages can quote the prompt or the model's output, which stay out of traces.
   */
  fail(code: string): void;
  /** Ends the span; later calls do nothing. */
  end(): void;
  /** Runs `fn` with this span current, so that upstream calls it makes carry its `traceparent`. */
  within<T>(fn: () => T): T;
}

/** Starts spans that have no request around them (a background response's run). */
export interface TraceRoots {
  root(name: string, attributes: TraceAttributes): TraceSpan;
}

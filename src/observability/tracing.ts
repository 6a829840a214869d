/**
 * Optional OpenTelemetry traces, exported over OTLP/HTTP when an endpoint is configured. Off (the
 * default), there is no Tracing at all: the server registers no hook, the engine gets no span, and
 * the SDK is never even loaded. On, the SDK (~120 ms of imports) loads when the gateway starts.
 *
 * Spans are made by the gateway itself — one per request, per model call, per built-in tool call,
 * per background run — never per event, and carry no prompt, output or key.
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/config-schema.js';
import type { TraceAttributes, TraceRoots, TraceSpan } from '../engine/trace-span.js';
import type { SdkTracing } from './otlp-tracing.js';

/** Where and how traces go, from `telemetry` (or the standard OTEL_* variables). */
export interface TracingSettings {
  /** The OTLP/HTTP traces URL (…/v1/traces). */
  endpoint: string;
  serviceName: string;
  /** Share of new traces kept; a caller's sampled flag decides for the traces it continues. */
  sampleRatio: number;
  headers: Record<string, string>;
}

/** An incoming request's headers, where `traceparent` and `tracestate` are read. */
export type TraceCarrier = Readonly<Record<string, string | string[] | undefined>>;

export interface Tracing extends TraceRoots {
  readonly settings: TracingSettings;
  /**
   * The SERVER span of an incoming request, under the caller's span when it sent a W3C
   * `traceparent`. Undefined until the exporter is started.
   */
  server(name: string, carrier: TraceCarrier, attributes: TraceAttributes): TraceSpan | undefined;
  /** `headers` plus the `traceparent` of the span current here (see TraceSpan.within), if any. */
  inject(headers: Record<string, string>): Record<string, string>;
  start(): Promise<void>;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

export function tracingSettings(config: Pick<GatewayConfig, 'telemetry'>): TracingSettings | undefined {
  const { otlpEndpoint, serviceName, sampleRatio, headers } = config.telemetry;
  if (otlpEndpoint === undefined) return undefined;
  return { endpoint: otlpEndpoint, serviceName, sampleRatio, headers };
}

/** One line for the start-up log and `rgw doctor`. */
export function describeTracing(settings: TracingSettings | undefined): string {
  if (!settings) return 'off (set OTEL_EXPORTER_OTLP_ENDPOINT or telemetry.otlpEndpoint to export traces)';
  const ratio = settings.sampleRatio === 1 ? 'every trace' : `${settings.sampleRatio * 100}% of new traces`;
  return `on: OTLP/HTTP to ${settings.endpoint} as service ${settings.serviceName}, ${ratio}`;
}

/** Undefined when tracing is off: callers then skip every tracing step. */
export function createTracing(settings: TracingSettings | undefined, logger: Logger): Tracing | undefined {
  return settings ? new LazyTracing(settings, logger) : undefined;
}

/** Holds the SDK once started; before that (and after shutdown) makes no spans. */
class LazyTracing implements Tracing {
  private sdk: SdkTracing | undefined;

  constructor(
    readonly settings: TracingSettings,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.sdk) return;
    const { SdkTracing } = await import('./otlp-tracing.js');
    this.sdk = new SdkTracing(this.settings, this.logger);
  }

  server(name: string, carrier: TraceCarrier, attributes: TraceAttributes): TraceSpan | undefined {
    return this.sdk?.server(name, carrier, attributes);
  }

  root(name: string, attributes: TraceAttributes): TraceSpan {
    return this.sdk ? this.sdk.root(name, attributes) : UNSTARTED_SPAN;
  }

  inject(headers: Record<string, string>): Record<string, string> {
    return this.sdk ? this.sdk.inject(headers) : headers;
  }

  async shutdown(): Promise<void> {
    const sdk = this.sdk;
    this.sdk = undefined;
    await sdk?.shutdown();
  }
}

/** What `root` gives before start: a background job can only run after start, so this is rare. */
const UNSTARTED_SPAN: TraceSpan = {
  child: () => UNSTARTED_SPAN,
  set() {},
  fail() {},
  end() {},
  within: (fn) => fn(),
};

/**
 * The OpenTelemetry SDK behind Tracing: a tracer provider of this gateway's own with a batching
 * OTLP/HTTP (JSON) exporter. Nothing is registered globally — no global tracer provider, context
 * manager or propagator, no patched module — so several gateways in one process (as in tests) keep
 * their traces apart, and code outside the gateway is untouched. Parents are passed explicitly;
 * only `within` uses an AsyncLocalStorage, so the HTTP client can find the span of the upstream
 * call it is making. Loaded only when tracing is on (see tracing.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { TraceAttributes, TraceSpan, TraceSpanKind } from '../engine/trace-span.js';
import type { TraceCarrier, TracingSettings } from './tracing.js';

const KINDS: Record<TraceSpanKind, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
};

export class SdkTracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();
  private readonly current = new AsyncLocalStorage<Context>();

  constructor(settings: TracingSettings, logger: Logger) {
    const exporter = new OTLPTraceExporter({
      url: settings.endpoint,
      ...(Object.keys(settings.headers).length > 0 ? { headers: settings.headers } : {}),
    });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
      // Explicit, so that OTEL_TRACES_SAMPLER in the environment does not quietly override the config.
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor(new LoggedExporter(exporter, logger, settings.endpoint))],
    });
    this.tracer = this.provider.getTracer('responses-gateway');
  }

  server(name: string, carrier: TraceCarrier, attributes: TraceAttributes): TraceSpan {
    const parent =
      carrier.traceparent === undefined
        ? ROOT_CONTEXT
        : this.propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    return this.start(name, 'server', attributes, parent);
  }

  root(name: string, attributes: TraceAttributes): TraceSpan {
    return this.start(name, 'internal', attributes, ROOT_CONTEXT);
  }

  inject(headers: Record<string, string>): Record<string, string> {
    const context = this.current.getStore();
    if (context === undefined) return headers;
    const carrier = { ...headers };
    this.propagator.inject(context, carrier, defaultTextMapSetter);
    return carrier;
  }

  start(
    name: string,
    kind: TraceSpanKind,
    attributes: TraceAttributes | undefined,
    parent: Context,
  ): TraceSpan {
    const span = this.tracer.startSpan(
      name,
      { kind: KINDS[kind], ...(attributes ? { attributes: defined(attributes) } : {}) },
      parent,
    );
    return new SdkSpan(this, span, trace.setSpan(parent, span));
  }

  within<T>(context: Context, fn: () => T): T {
    return this.current.run(context, fn);
  }

  /** Flushes the batch processor (export of what is buffered) and stops the exporter. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

class SdkSpan implements TraceSpan {
  private ended = false;

  constructor(
    private readonly owner: SdkTracing,
    private readonly span: Span,
    private readonly context: Context,
  ) {}

  child(name: string, kind: TraceSpanKind, attributes?: TraceAttributes): TraceSpan {
    return this.owner.start(name, kind, attributes, this.context);
  }

  set(attributes: TraceAttributes): void {
    this.span.setAttributes(defined(attributes));
  }

  fail(code: string): void {
    this.span.setAttribute(ATTR_ERROR_TYPE, code);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.end();
  }

  within<T>(fn: () => T): T {
    return this.owner.within(this.context, fn);
  }
}

/** The SDK warns of invalid attribute values (undefined among them) one by one; they are dropped here. */
function defined(attributes: TraceAttributes): Attributes {
  const out: Attributes = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The SDK reports failed exports only to its own (global, silent by default) diagnostic logger:
 * this tells the gateway's log instead, once per outage rather than once per batch.
 */
class LoggedExporter implements SpanExporter {
  private failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Logger,
    private readonly endpoint: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      const failed = result.code !== ExportResultCode.SUCCESS;
      if (failed && !this.failing) {
        this.logger.warn({ err: result.error, endpoint: this.endpoint }, 'trace export failed');
      } else if (!failed && this.failing) {
        this.logger.info({ endpoint: this.endpoint }, 'trace export recovered');
      }
      this.failing = failed;
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * The Prometheus metrics, on a registry of this gateway's own (several gateways in one process,
 * as in tests, do not mix). Hot-path updates are counter increments and histogram observations
 * only; gauges that need a look around (queue depth, breakers, open streams) are read at scrape
 * time, so a scrape costs the request path nothing but its own serialisation.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ResponseReport } from '../engine/response-report.js';
import type { UsageRow } from '../store/types.js';

/** What the scrape-time gauges read. */
export interface MetricSources {
  activeStreams: () => number;
  backgroundQueued: () => Promise<number>;
  usageQueued: () => number;
  /** Circuit state by target (`provider/model`): closed, half-open or open. */
  breakers: () => Iterable<[string, 'closed' | 'half-open' | 'open']>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status' | 'model'>;
  private readonly duration: Histogram<'route' | 'method'>;
  private readonly responseLatency: Histogram<'model' | 'provider' | 'status'>;
  private readonly ttft: Histogram<'model' | 'provider'>;
  private readonly tokens: Counter<'model' | 'provider' | 'kind'>;
  private readonly cost: Counter<'model' | 'provider'>;
  private readonly upstreamErrors: Counter<'provider' | 'code'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'rgw_' });
    this.requests = new Counter({
      name: 'rgw_http_requests_total',
      help: 'HTTP requests by route, method, status and requested model',
      labelNames: ['route', 'method', 'status', 'model'],
      registers,
    });
    this.duration = new Histogram({
      name: 'rgw_http_request_duration_seconds',
      help: 'Time to the end of the HTTP response (event streams: to their last event)',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.responseLatency = new Histogram({
      name: 'rgw_response_duration_seconds',
      help: 'Responses run by the engine, start to end',
      labelNames: ['model', 'provider', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ttft = new Histogram({
      name: 'rgw_response_ttft_seconds',
      help: 'Time to the first output token',
      labelNames: ['model', 'provider'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'rgw_tokens_total',
      help: 'Tokens by model, provider and kind (input, cached_input, output, reasoning)',
      labelNames: ['model', 'provider', 'kind'],
      registers,
    });
    this.cost = new Counter({
      name: 'rgw_cost_usd_total',
      help: 'Spend priced from the price table, USD',
      labelNames: ['model', 'provider'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'rgw_upstream_errors_total',
      help: 'Failed upstream calls by provider and error code (or HTTP status)',
      labelNames: ['provider', 'code'],
      registers,
    });
    new Gauge({
      name: 'rgw_active_streams',
      help: 'Event streams open now',
      registers,
      collect() {
        this.set(sources.activeStreams());
      },
    });
    new Gauge({
      name: 'rgw_background_queue_depth',
      help: 'Background responses waiting for a worker',
      registers,
      async collect() {
        this.set(await sources.backgroundQueued());
      },
    });
    new Gauge({
      name: 'rgw_usage_queue_depth',
      help: 'Usage rows waiting to be written',
      registers,
      collect() {
        this.set(sources.usageQueued());
      },
    });
    new Gauge({
      name: 'rgw_circuit_breaker_state',
      help: 'Circuit breaker per target: 0 closed, 1 half-open, 2 open',
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        for (const [target, state] of sources.breakers()) this.set({ target }, BREAKER_VALUE[state]);
      },
    });
  }

  request(route: string, method: string, status: number, model: string, seconds: number): void {
    this.requests.inc({ route, method, status: String(status), model });
    this.duration.observe({ route, method }, seconds);
  }

  response(row: UsageRow, report: ResponseReport): void {
    const { model, provider } = row;
    this.responseLatency.observe({ model, provider, status: row.status }, report.latencyMs / 1000);
    if (report.ttftMs !== undefined) this.ttft.observe({ model, provider }, report.ttftMs / 1000);
    this.tokens.inc({ model, provider, kind: 'input' }, row.input_tokens);
    this.tokens.inc({ model, provider, kind: 'cached_input' }, row.cached_tokens);
    this.tokens.inc({ model, provider, kind: 'output' }, row.output_tokens);
    this.tokens.inc({ model, provider, kind: 'reasoning' }, row.reasoning_tokens);
    if (row.cost_usd > 0) this.cost.inc({ model, provider }, row.cost_usd);
  }

  upstreamError(provider: string, code: string): void {
    this.upstreamErrors.inc({ provider, code });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

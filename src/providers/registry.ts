/**
 * Which LanguageModel serves a requested `model`: a provider prefix (`anthropic/claude-x`), then an
 * alias from the config file, then the default provider (the first configured) under the name as
 * given. What it returns routes by itself (routing/routed-model.ts): fallbacks, retries and circuit
 * breakers per target, each provider behind its concurrency limit.
 */
import {
  type AliasConfig,
  configSchema,
  type GatewayConfig,
  type ProviderConfig,
  type RoutingConfig,
} from '../config/config-schema.js';
import { invalidRequest, type UpstreamError } from '../errors.js';
import { type ProviderCapabilities, supports } from './capabilities.js';
import { createLanguageModel } from './create-language-model.js';
import { LocalLanguageModel } from './local/local-language-model.js';
import { PROVIDER_CAPABILITIES } from './provider-capabilities.js';
import { BreakerBoard, type BreakerOpening } from './routing/breaker-board.js';
import type { CircuitState } from './routing/circuit-breaker.js';
import { type Clock, systemClock } from './routing/clock.js';
import { ConcurrencyLimiter } from './routing/concurrency-limiter.js';
import { LimitedLanguageModel } from './routing/limited-model.js';
import { RoutedLanguageModel, type RouteTarget } from './routing/routed-model.js';
import { HttpClient, type HttpClientOptions } from './shared/http-client.js';
import { BUILT_IN_TOOL_FAMILIES, type BuiltInToolFamily, type LanguageModel } from './types.js';

export interface ResolvedModel {
  model: LanguageModel;
  /** The id the upstream knows (of the first target, for an alias). */
  modelId: string;
  /**
   * Whether every target fetches http(s) image / file URLs itself (or ignores media anyway); where
   * one does not, the engine fetches them and sends the bytes, since any target may get the call.
   */
  mediaUrls: { images: boolean; files: boolean };
  /** Who may run the built-in tools on this route (see engine/upstream-tools.ts). */
  builtIns: UpstreamBuiltIns;
}

export interface UpstreamBuiltIns {
  /** Every target runs OpenAI's built-in tools itself (ProviderCapabilities.builtInTools). */
  runs: boolean;
  /** The config's choice per tool where the targets agree; `local` where any target says so. */
  modes: Partial<Record<BuiltInToolFamily, 'upstream' | 'local'>>;
}

export interface RegistryOptions {
  /** Time for backoffs, cool-downs and queue timeouts; default the system clock. */
  clock?: Clock;
  /** Uniform [0, 1) for weighted picks and jitter; default Math.random. */
  random?: () => number;
  /** Builds a provider's model (tests substitute fakes); default by its `type`. */
  createModel?: (provider: ProviderConfig, http: HttpClient) => LanguageModel;
  /** Told of every failed upstream call (metrics), fallbacks and retries included. */
  onUpstreamError?: (provider: string, error: UpstreamError) => void;
  /** Adds trace headers to upstream requests (HttpClientOptions.traceHeaders); absent: tracing off. */
  traceHeaders?: HttpClientOptions['traceHeaders'];
}

/** A model clients can name, for `GET /v1/models`. */
export interface ListedModel {
  id: string;
  ownedBy: string;
}

/** Direct model names whose routes are kept; past it they are dropped and built again as asked. */
const MAX_CACHED_DIRECT_ROUTES = 1000;

type RegistryConfig = Pick<GatewayConfig, 'providers' | 'aliases'> & Partial<Pick<GatewayConfig, 'routing'>>;

/** One configured provider as built: kept across a reload when its settings did not change. */
interface BuiltProvider {
  settings: string;
  http: HttpClient;
  model: LanguageModel;
}

export class ProviderRegistry {
  /** When this registry was built, seconds: the `created` of listed models. */
  readonly createdAt = Math.floor(Date.now() / 1000);
  private readonly providers = new Map<string, LanguageModel>();
  /** By provider name: what its adapter carries (media URLs decide what the engine fetches). */
  private readonly capabilities = new Map<string, ProviderCapabilities>();
  /** By provider name: its `builtInTools` setting. */
  private readonly toolModes = new Map<string, UpstreamBuiltIns['modes']>();
  private readonly built = new Map<string, BuiltProvider>();
  private readonly routes = new Map<string, ResolvedModel>();
  /** The names in `routes` that are not aliases. */
  private readonly directNames = new Set<string>();
  private routing: RoutingConfig;
  private breakers: BreakerBoard;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly create: (provider: ProviderConfig, http: HttpClient) => LanguageModel;
  private readonly onUpstreamError: RegistryOptions['onUpstreamError'];
  private readonly traceHeaders: RegistryOptions['traceHeaders'];

  constructor(
    private config: RegistryConfig,
    options: RegistryOptions = {},
  ) {
    this.routing = config.routing ?? configSchema.shape.routing.parse(undefined);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.breakers = new BreakerBoard(this.routing.circuitBreaker, this.clock);
    this.create = options.createModel ?? createLanguageModel;
    this.onUpstreamError = options.onUpstreamError;
    this.traceHeaders = options.traceHeaders;
    this.build(config.providers);
  }

  /**
   * A reloaded config (SIGHUP): providers, aliases and routing for the next request. Providers whose
   * settings did not change are kept as they are (connections, queues); calls already running keep
   * the models they started with, and a replaced provider's connections close once they are done.
   */
  reload(config: RegistryConfig): void {
    const routing = config.routing ?? configSchema.shape.routing.parse(undefined);
    if (JSON.stringify(routing.circuitBreaker) !== JSON.stringify(this.routing.circuitBreaker)) {
      this.breakers = new BreakerBoard(routing.circuitBreaker, this.clock);
    }
    this.routing = routing;
    this.config = config;
    const previous = new Map(this.built);
    this.providers.clear();
    this.capabilities.clear();
    this.toolModes.clear();
    this.built.clear();
    this.build(config.providers, previous);
    this.routes.clear();
    this.directNames.clear();
    for (const [name, old] of previous) {
      if (this.built.get(name) === old) continue;
      // Local models hold no connection and may still be generating: left to the garbage collector.
      void old.http
        .close()
        .then(() => (old.model instanceof LocalLanguageModel ? undefined : old.model.close?.()));
    }
  }

  /** Every target's circuit state, for metrics. */
  breakerStates(): Iterable<[string, CircuitState]> {
    return this.breakers.states();
  }

  /** Circuits opened here after `since`, for the other instances (cluster/instance-sharing.ts). */
  breakerOpeningsAfter(since: number): BreakerOpening[] {
    return this.breakers.openedAfter(since);
  }

  /** Circuits the other instances opened. */
  hintBreakers(openings: readonly BreakerOpening[]): void {
    this.breakers.hint(openings);
  }

  private build(providers: readonly ProviderConfig[], reuse?: ReadonlyMap<string, BuiltProvider>): void {
    for (const provider of providers) {
      const settings = JSON.stringify(provider);
      const kept = reuse?.get(provider.name);
      const entry =
        kept !== undefined && kept.settings === settings ? kept : this.buildProvider(provider, settings);
      this.built.set(provider.name, entry);
      this.capabilities.set(provider.name, PROVIDER_CAPABILITIES[provider.type]);
      this.toolModes.set(provider.name, provider.builtInTools ?? {});
      this.providers.set(provider.name, entry.model);
    }
  }

  private buildProvider(provider: ProviderConfig, settings: string): BuiltProvider {
    const http = new HttpClient({
      connections: provider.maxConnections,
      headersTimeoutMs: provider.timeoutMs,
      bodyTimeoutMs: provider.timeoutMs,
      ...(this.traceHeaders ? { traceHeaders: this.traceHeaders } : {}),
    });
    const model = this.create(provider, http);
    return {
      settings,
      http,
      model:
        provider.maxConcurrent === undefined
          ? model
          : new LimitedLanguageModel(
              model,
              new ConcurrencyLimiter(
                {
                  provider: provider.name,
                  maxConcurrent: provider.maxConcurrent,
                  maxQueued: provider.maxQueued,
                  queueTimeoutMs: provider.queueTimeoutMs,
                },
                this.clock,
              ),
            ),
    };
  }

  get names(): string[] {
    return [...this.providers.keys()];
  }

  resolve(requested: string): ResolvedModel {
    const cached = this.routes.get(requested);
    if (cached) return cached;
    const slash = requested.indexOf('/');
    const alias =
      slash > 0 && this.providers.has(requested.slice(0, slash)) ? undefined : this.config.aliases[requested];
    // A route holds no per-call state (breakers live on the board, by target): one per name serves
    // every call. Direct names come from clients, so how many of them are kept is bounded.
    if (alias) {
      const route = this.aliasRoute(requested, alias);
      this.routes.set(requested, route);
      return route;
    }
    const route = this.direct(requested);
    if (this.directNames.size >= MAX_CACHED_DIRECT_ROUTES) {
      for (const name of this.directNames) this.routes.delete(name);
      this.directNames.clear();
    }
    this.directNames.add(requested);
    this.routes.set(requested, route);
    return route;
  }

  /** Aliases, then each provider's configured models (and a local provider's own model). */
  listModels(): ListedModel[] {
    const listed = new Map<string, ListedModel>();
    const add = (id: string, ownedBy: string) => {
      if (!listed.has(id)) listed.set(id, { id, ownedBy });
    };
    for (const name of Object.keys(this.config.aliases)) add(name, 'responses-gateway');
    for (const provider of this.config.providers) {
      for (const model of provider.models) add(`${provider.name}/${model.id}`, provider.name);
      const inner = this.providers.get(provider.name);
      const local = inner instanceof LimitedLanguageModel ? inner.inner : inner;
      if (local instanceof LocalLanguageModel) add(`${provider.name}/${local.modelName}`, provider.name);
    }
    return [...listed.values()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.built.values()].map((entry) => entry.http.close()));
    await Promise.all([...this.built.values()].map((entry) => entry.model.close?.()));
  }

  /** A model named directly (by prefix or for the default provider): one target. */
  private direct(requested: string): ResolvedModel {
    const target = this.target(requested, requested, 1);
    return {
      model: this.route(requested, [target], 'fallback', this.routing.retries),
      modelId: target.modelId,
      mediaUrls: this.mediaUrls([target]),
      builtIns: this.builtIns([target]),
    };
  }

  private aliasRoute(name: string, alias: AliasConfig): ResolvedModel {
    const targets = alias.targets.map((t) => this.target(t.target, name, t.weight));
    return {
      model: this.route(name, targets, alias.strategy, alias.retries ?? this.routing.retries),
      modelId: targets[0]!.modelId,
      mediaUrls: this.mediaUrls(targets),
      builtIns: this.builtIns(targets),
    };
  }

  private builtIns(targets: readonly RouteTarget[]): UpstreamBuiltIns {
    const providers = targets.map((target) => target.key.slice(0, target.key.indexOf('/')));
    const runs = providers.every((name) => {
      const capabilities = this.capabilities.get(name);
      return capabilities !== undefined && supports(capabilities.builtInTools);
    });
    const modes: UpstreamBuiltIns['modes'] = {};
    for (const family of BUILT_IN_TOOL_FAMILIES) {
      const chosen = providers.map((name) => this.toolModes.get(name)?.[family]);
      // Any target may get the call: the upstream runs it only if each of them would.
      if (chosen.includes('local')) modes[family] = 'local';
      else if (chosen.every((mode) => mode === 'upstream')) modes[family] = 'upstream';
    }
    return { runs, modes };
  }

  private mediaUrls(targets: readonly RouteTarget[]): ResolvedModel['mediaUrls'] {
    const takes = (media: 'images' | 'files', urls: 'imageUrls' | 'fileUrls') =>
      targets.every((target) => {
        const capabilities = this.capabilities.get(target.key.slice(0, target.key.indexOf('/')));
        return capabilities === undefined || !supports(capabilities[media]) || supports(capabilities[urls]);
      });
    return { images: takes('images', 'imageUrls'), files: takes('files', 'fileUrls') };
  }

  private route(
    name: string,
    targets: RouteTarget[],
    strategy: AliasConfig['strategy'],
    retries: number,
  ): RoutedLanguageModel {
    return new RoutedLanguageModel({
      ...this.routing,
      name,
      targets,
      strategy,
      retries,
      breakers: this.breakers,
      clock: this.clock,
      random: this.random,
      ...(this.onUpstreamError ? { onUpstreamError: this.onUpstreamError } : {}),
    });
  }

  /** `provider/model` when the prefix names a provider, else the default provider's `model`. */
  private target(target: string, requested: string, weight: number): RouteTarget {
    const slash = target.indexOf('/');
    if (slash > 0) {
      const name = target.slice(0, slash);
      const model = this.providers.get(name);
      if (model) return { key: target, model, modelId: target.slice(slash + 1), weight };
    }
    const fallback = this.providers.entries().next();
    if (fallback.done) {
      throw invalidRequest(
        `The model '${requested}' does not exist: no upstream provider is configured on this gateway.`,
        'model',
        'model_not_found',
      );
    }
    const [name, model] = fallback.value;
    return { key: `${name}/${target}`, model, modelId: target, weight };
  }
}

/** Composition root: config → store, providers → engine → HTTP app. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { InstanceSharing } from './cluster/instance-sharing.js';
import type { GatewayConfig } from './config/config-schema.js';
import { BUNDLED_MODEL_PATH } from './config/load-config.js';
import { BackgroundResponses } from './engine/background-responses.js';
import { Conversations } from './engine/conversations.js';
import { LiveEvents } from './engine/live-events.js';
import type { FileContentSource as EngineFileSource } from './engine/media/file-content-source.js';
import { MediaResolver } from './engine/media/resolve-media.js';
import { ModelCatalog } from './engine/model-limits.js';
import { ReasoningSealer } from './engine/reasoning-seal.js';
import { ResponseEngine } from './engine/response-engine.js';
import { ResponseStreams } from './engine/response-streams.js';
import { StoredResponses } from './engine/stored-responses.js';
import { FileBlobs } from './files/file-blobs.js';
import { type FileContentSource, Files } from './files/files.js';
import { Limiter } from './limits/limiter.js';
import type { Lookup } from './net/guarded-connector.js';
import { GuardedFetcher } from './net/guarded-fetcher.js';
import { GatewayMetrics } from './observability/metrics.js';
import { createTracing, describeTracing, tracingSettings } from './observability/tracing.js';
import { ProviderRegistry } from './providers/registry.js';
import { buildApp } from './server/app.js';
import { Authenticator } from './server/auth.js';
import { openEventStreamCount } from './server/sse-writer.js';
import { isPostgresUrl, openStore } from './store/open-store.js';
import type { Store } from './store/types.js';
import { createCodeContainers } from './tools/containers/code-containers.js';
import { FileSearchTool } from './tools/file-search/file-search-tool.js';
import { ImageGenerationTool } from './tools/image-generation/image-generation-tool.js';
import { ImagesClient } from './tools/image-generation/images-client.js';
import { mcpTool } from './tools/mcp/mcp-tool.js';
import { ToolRegistry } from './tools/registry.js';
import type { BuiltInTool } from './tools/types.js';
import { chooseBackend } from './tools/web-search/choose-backend.js';
import { PageReader } from './tools/web-search/page-reader.js';
import { describeWebSearch } from './tools/web-search/web-search-status.js';
import { WEB_SEARCH_ALIASES, WebSearchTool } from './tools/web-search/web-search-tool.js';
import { Metering } from './usage/metering.js';
import { PriceTable } from './usage/price-table.js';
import { UsageWriter } from './usage/usage-writer.js';
import { createEmbedder } from './vector-stores/embedder.js';
import { Ingestor } from './vector-stores/ingestor.js';
import { ChunkSearch } from './vector-stores/search/search-chunks.js';
import { VectorStoreFiles } from './vector-stores/vector-store-files.js';
import { VectorStores } from './vector-stores/vector-stores.js';

export interface Gateway {
  app: FastifyInstance;
  logger: Logger;
  store: Store;
  /** Uploaded files' content by tenant and id (what `file_id`s in requests resolve to). */
  files: FileContentSource;
  /** Background indexing of vector store files. */
  ingestor: Ingestor;
  /** The built-in file_search tool, over this gateway's vector stores. */
  fileSearch: FileSearchTool;
  /** Usage rows on their way to the store (flush() to have them written now). */
  usage: UsageWriter;
  /** Where it listens, once started. */
  url: string;
  start(): Promise<string>;
  /**
   * Applies a changed config (SIGHUP): providers, aliases, routing, prices, limits, model limits
   * and prompts. Responses already running finish on what they started with.
   */
  reload(config: GatewayConfig): void;
  /**
   * Graceful stop (SIGTERM): no new connections, requests and streams in flight get up to
   * `timeoutMs` to finish, background responses that have not started producing go back to the
   * queue; then close().
   */
  shutdown(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What a caller embedding the gateway (or a test) adds to what the config describes. */
export interface GatewayExtras {
  /** Built-in tools, registered after (so replacing) the gateway's own. */
  tools?: readonly BuiltInTool[];
  /** What `file_id` in input_image / input_file reads; default: the Files API. */
  files?: EngineFileSource;
  /** Host name resolution for outbound fetches; default the system resolver (tests inject one). */
  lookup?: Lookup;
  /** Where containers read `file_ids` from; default: the Files API. */
  fileSource?: FileContentSource;
}

export function createGateway(
  config: GatewayConfig,
  logger: Logger = createLogger(config.logLevel),
  extras: GatewayExtras = {},
): Gateway {
  const { leaseMs } = config.background;
  const store = openStore(config.db, {
    lease: { leaseMs, heartbeatMs: Math.max(100, Math.floor(leaseMs / 5)) },
  });
  const fetcher = new GuardedFetcher({
    allow: config.outbound.allow,
    ...(extras.lookup ? { lookup: extras.lookup } : {}),
  });
  const filesDir = fileStoreDir(config);
  const files = new Files(store.files, new FileBlobs(filesDir.path), config.files.maxBytes);
  const embedder = createEmbedder(config.embeddings, config.providers);
  const ingestor = new Ingestor({
    repository: store.vectorStores,
    files,
    embedder,
    logger,
    concurrency: config.vectorStores.ingestionConcurrency,
  });
  const search = new ChunkSearch(store.vectorStores, embedder);
  const vectorStoreDeps = {
    repository: store.vectorStores,
    files: store.files,
    search,
    wake: () => ingestor.wake(),
  };
  const fileSearch = new FileSearchTool({ vectorStores: store.vectorStores, search });
  const sealer = new ReasoningSealer(config.secretKeys);
  let metrics: GatewayMetrics | undefined;
  const tracing = createTracing(tracingSettings(config), logger);
  const registry = new ProviderRegistry(config, {
    onUpstreamError: (provider, error) =>
      metrics?.upstreamError(provider, error.code ?? String(error.status)),
    ...(tracing ? { traceHeaders: (headers: Record<string, string>) => tracing.inject(headers) } : {}),
  });
  const authenticator = new Authenticator(config.apiKeys, store.apiKeys);
  const limiter = new Limiter(config.limits, store.usage);
  // Instances sharing the store share their rate limits and open circuits through it.
  const sharing = store.share
    ? new InstanceSharing({ limits: limiter, breakers: registry }, store.share, config.limits.shareMs, logger)
    : undefined;
  sharing?.start();
  const usageWriter = new UsageWriter(store.usage, logger);
  let prices = new PriceTable(config.prices);
  metrics = new GatewayMetrics({
    activeStreams: openEventStreamCount,
    backgroundQueued: () => store.jobs.countQueued(),
    usageQueued: () => usageWriter.queued,
    breakers: () => registry.breakerStates(),
  });
  const meters = metrics;
  const metering = new Metering({
    prices: () => prices,
    writer: usageWriter,
    limiter,
    onRow: (row, report) => meters.response(row, report),
  });
  const code = createCodeContainers(config.codeSandbox, {
    repository: store.containers,
    responses: store.responses,
    db: localStateAnchor(config.db),
    fileSource: extras.fileSource ?? files,
  });
  const mcp = mcpTool({ fetch: fetcher.streamingFetch, requestTimeoutMs: config.tools.callTimeoutMs });
  const tools = new ToolRegistry([...code.tools, fileSearch, mcp]);
  const searchBackend = chooseBackend(config.webSearch);
  if (searchBackend) {
    const pages = new PageReader(fetcher, {
      maxBytes: config.webSearch.maxPageBytes,
      timeoutMs: config.webSearch.pageTimeoutMs,
    });
    tools.register(new WebSearchTool({ backend: searchBackend, pages }), WEB_SEARCH_ALIASES);
  }
  const media = new MediaResolver({
    fetcher,
    files: extras.files ?? files,
    maxBytes: config.outbound.maxMediaBytes,
    timeoutMs: config.outbound.mediaTimeoutMs,
  });
  const images = config.images ? new ImagesClient(config.images) : undefined;
  if (images) tools.register(new ImageGenerationTool(images, media));
  for (const tool of extras.tools ?? []) tools.register(tool);
  const engine = new ResponseEngine({
    registry,
    store,
    sealer,
    toolPolicy: config.tools,
    logger,
    models: new ModelCatalog(config.providers),
    prompts: config.prompts,
    tools,
    observer: metering,
    media,
  });
  const live = new LiveEvents(store.events, logger, config.background.eventFlushMs);
  const background = new BackgroundResponses(engine, store, live, logger, {
    ...config.background,
    traces: tracing,
  });
  const { app, inFlight } = buildApp({
    engine,
    background,
    live,
    streams: new ResponseStreams(store, live),
    responses: new StoredResponses(store),
    conversations: new Conversations(store),
    checkReady: () => store.ping(),
    authenticator,
    limiter,
    metrics,
    tracing,
    logger,
    bodyLimit: config.bodyLimit,
    files,
    vectorStores: {
      vectorStores: new VectorStores(vectorStoreDeps),
      vectorStoreFiles: new VectorStoreFiles(vectorStoreDeps),
    },
    models: registry,
    prices: () => prices,
    containers: code.containers,
    admin: {
      keys: store.apiKeys,
      usage: store.usage,
      adminKey: config.adminKey,
      flushUsage: () => usageWriter.flush(),
    },
  });
  const gateway: Gateway = {
    app,
    logger,
    store,
    files,
    ingestor,
    fileSearch,
    usage: usageWriter,
    url: '',
    async start() {
      await store.prepare({ migrate: config.migrate });
      // Before the workers and the listener: their first spans need the exporter.
      await tracing?.start();
      if (!sealer.hasKey) sealer.useKeys([await storedSecret(store)]);
      files.blobs.clearTemporary();
      files.startSweeping();
      await ingestor.start();
      await background.start();
      const address = await app.listen({ host: config.host, port: config.port });
      gateway.url = address.replace('[::1]', 'localhost');
      if (await authenticator.isOpen()) {
        logger.warn(
          'no API keys configured (RGW_API_KEYS or `rgw keys create`): accepting any bearer token from loopback callers only',
        );
      }
      if (registry.names.length === 0) {
        logger.warn('no upstream provider configured: set OPENAI_BASE_URL/OPENAI_API_KEY or a config file');
      } else {
        logger.info({ providers: registry.names }, 'providers ready');
      }
      if (config.providers.some((p) => p.type === 'local' && p.modelPath === BUNDLED_MODEL_PATH)) {
        logger.info(
          { model: 'local/stories260K', modelPath: BUNDLED_MODEL_PATH },
          'no upstream configured: serving the bundled tiny local model (a story generator, loaded on first use) for every model name; set OPENAI_BASE_URL/OPENAI_API_KEY, RGW_LOCAL_MODEL or a config file to serve a real one',
        );
      }
      logger.info(describeWebSearch(config), 'web_search');
      logger.info(`tracing ${describeTracing(tracing?.settings)}`);
      return gateway.url;
    },
    reload(next: GatewayConfig) {
      registry.reload(next);
      engine.reconfigure({ models: new ModelCatalog(next.providers), prompts: next.prompts });
      prices = new PriceTable(next.prices);
      limiter.reconfigure(next.limits);
      logger.info(
        { providers: registry.names, aliases: Object.keys(next.aliases) },
        'configuration reloaded',
      );
    },
    async shutdown(timeoutMs = config.shutdownTimeoutMs) {
      inFlight.drain();
      // Stops listening; the connections open now stay until their requests are done.
      app.server.close();
      app.server.closeIdleConnections();
      const [idle] = await Promise.all([inFlight.idle(timeoutMs), background.stop(timeoutMs)]);
      if (!idle)
        logger.warn({ inFlight: inFlight.count }, 'shutdown timeout: closing requests still in flight');
      await gateway.close();
    },
    async close() {
      files.stopSweeping();
      await ingestor.stop();
      await embedder?.close();
      await background.stop();
      await app.close();
      await sharing?.stop();
      await usageWriter.flush();
      // After the app and the workers: the spans of what they finished are exported too.
      await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'trace flush failed'));
      await code.close();
      await registry.close();
      await fetcher.close();
      await images?.close();
      await store.close();
      filesDir.dispose();
    },
  };
  return gateway;
}

/**
 * The path local state (uploaded files' bytes, container files) lives beside: the SQLite file, or
 * `./data/` with PostgreSQL. Instances on several hosts need `files.dir` and `codeSandbox.dir` on
 * a shared file system.
 */
function localStateAnchor(db: string): string {
  return isPostgresUrl(db) ? resolve('data', 'postgres') : db;
}

/**
 * Where uploaded files live: the configured directory, else `files/` beside the SQLite file (or in
 * `./data/`); an in-memory store gets a temporary directory that goes with it.
 */
function fileStoreDir(config: GatewayConfig): { path: string; dispose(): void } {
  if (config.files.dir !== undefined) return { path: resolve(config.files.dir), dispose() {} };
  if (config.db === ':memory:') {
    const path = mkdtempSync(join(tmpdir(), 'rgw-files-'));
    return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
  }
  return { path: join(dirname(resolve(localStateAnchor(config.db))), 'files'), dispose() {} };
}

/** A gateway without configured keys still seals reasoning, with a key generated once per store. */
async function storedSecret(store: Store): Promise<string> {
  return store.settings.setIfAbsent('reasoning_seal_key', randomBytes(32).toString('base64url'));
}

/** Secrets that must never reach a log line, wherever they appear in what is logged. */
const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'adminKey',
  '*.adminKey',
  'key',
  '*.key',
  'secretKeys',
  '*.secretKeys',
];

/**
 * JSON lines (pino), secrets redacted; human-readable when stdout is a terminal. `destination`
 * (tests) replaces stdout.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (destination !== undefined) return pino(options, destination);
  if (process.stdout.isTTY === true && level !== 'silent') {
    options.transport = {
      target: 'pino-pretty',
      options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' },
    };
  }
  return pino(options);
}

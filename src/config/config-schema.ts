/** The gateway's configuration: one validated object from file, env and flags. */
import { z } from 'zod';
import { allowEntryProblem } from '../net/outbound-allow.js';

/** What the gateway knows of one upstream model: context size and, optionally, its tokenizer. */
const modelSchema = z.strictObject({
  id: z.string().min(1),
  contextWindow: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive().optional(),
  /** How its tokens are counted; by default o200k_base for OpenAI model ids, else an estimate. */
  tokenizer: z.enum(['o200k_base', 'cl100k_base', 'estimate']).optional(),
});

const builtInToolMode = z.enum(['upstream', 'local']).optional();

const providerSchema = z
  .strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . - only'),
    type: z.enum(['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'local']),
    baseUrl: z.url().optional(),
    apiKey: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** Response-header timeout per upstream call, ms. */
    timeoutMs: z.number().int().positive().default(120_000),
    /**
     * Connections to the provider's origin. Absent: no cap, one per call in flight, as every
     * concurrent stream needs its own over HTTP/1.1 (limit calls with `maxConcurrent`).
     */
    maxConnections: z.number().int().positive().optional(),
    /** Calls in flight to this provider at once; more wait in a queue. Absent: no limit. */
    maxConcurrent: z.number().int().positive().optional(),
    /** Calls waiting for a `maxConcurrent` slot; beyond it, and after `queueTimeoutMs`, a 429. */
    maxQueued: z.number().int().min(0).default(100),
    queueTimeoutMs: z.number().int().positive().default(30_000),
    maxTokensField: z.enum(['max_completion_tokens', 'max_tokens']).default('max_completion_tokens'),
    sendMetadata: z.boolean().default(false),
    systemRole: z.enum(['system', 'developer']).default('system'),
    modelPath: z.string().optional(),
    /**
     * `local` only: without `max_output_tokens`, an answer ends at the first sentence end after this
     * many tokens (a normal stop). The bundled story model has 200.
     */
    softMaxOutputTokens: z.number().int().positive().optional(),
    /** Context window of this provider's models not listed in `models` nor known to the gateway. */
    contextWindow: z.number().int().positive().optional(),
    models: z.array(modelSchema).default([]),
    /**
     * `openai-responses` only: who runs each built-in tool on this provider's routes — `upstream`
     * (the entry goes to it as the client wrote it) or `local` (the gateway runs it). Unset: the
     * gateway when it has the tool set up, else the upstream.
     */
    builtInTools: z
      .strictObject({
        web_search: builtInToolMode,
        file_search: builtInToolMode,
        code_interpreter: builtInToolMode,
        image_generation: builtInToolMode,
      })
      .optional(),
  })
  .refine(
    (provider) =>
      provider.type === 'openai-responses' ||
      !Object.values(provider.builtInTools ?? {}).includes('upstream'),
    {
      message: "only an 'openai-responses' provider runs built-in tools itself ('upstream')",
      path: ['builtInTools'],
    },
  );

/** One version of a prompt template; `{{name}}` placeholders are filled from `prompt.variables`. */
const promptVersionSchema = z.strictObject({
  instructions: z.string().optional(),
  /** A user message, or messages, placed before the request's own input. */
  input: z
    .union([
      z.string(),
      z.array(
        z.strictObject({
          role: z.enum(['user', 'assistant', 'system', 'developer']),
          content: z.string(),
        }),
      ),
    ])
    .optional(),
});

/** A prompt template by id; without `prompt.version` the highest version is used. */
const promptTemplateSchema = z.strictObject({
  versions: z
    .record(z.string().regex(/^[1-9][0-9]*$/, 'versions are positive integers'), promptVersionSchema)
    .refine((versions) => Object.keys(versions).length > 0, 'at least one version'),
});

/** One model an alias can route to: `provider/model` (or a model of the default provider). */
const aliasTargetSchema = z
  .union([
    z.string().min(1),
    z.strictObject({
      target: z.string().min(1),
      /** Share of first picks under `weighted` (0: only as a fallback). */
      weight: z.number().min(0).default(1),
    }),
  ])
  .transform((target) => (typeof target === 'string' ? { target, weight: 1 } : target));

const aliasSchema = z
  .strictObject({
    /** `fallback`: targets in order; `weighted`: the first pick by weight, the rest as fallbacks. */
    strategy: z.enum(['fallback', 'weighted']).default('fallback'),
    targets: z.array(aliasTargetSchema).min(1),
    /** Extra rounds over the targets after all failed retryably; default `routing.retries`. */
    retries: z.number().int().min(0).max(10).optional(),
  })
  .refine(
    (alias) => alias.strategy !== 'weighted' || alias.targets.some((t) => t.weight > 0),
    'a weighted alias needs a target with a weight above 0',
  );

/** Retries, backoff and circuit breaking for every upstream call (see providers/routing/). */
const routingSchema = z.strictObject({
  /** Extra rounds over a model's targets after all failed retryably, for names without their own. */
  retries: z.number().int().min(0).max(10).default(0),
  /** Exponential backoff with full jitter: a random wait up to min(maxBackoffMs, initialBackoffMs·2^n). */
  initialBackoffMs: z.number().int().min(0).default(500),
  maxBackoffMs: z.number().int().min(0).default(8_000),
  /** A Retry-After up to this long is waited for; a longer one ends the retries (the client gets it). */
  maxRetryAfterMs: z.number().int().min(0).default(20_000),
  circuitBreaker: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Consecutive failures (5xx, timeouts, refused connections) that open a target's circuit. */
      failureThreshold: z.number().int().positive().default(5),
      /** How long an open circuit skips its target before one probe call is let through. */
      cooldownMs: z.number().int().positive().default(30_000),
    })
    .default({ enabled: true, failureThreshold: 5, cooldownMs: 30_000 }),
});

/** Fetches the gateway makes on a client's behalf (media URLs), behind the SSRF guard (src/net/). */
const outboundSchema = z.strictObject({
  /**
   * Exceptions to the guard: host names (trusted whatever they resolve to), IP addresses and CIDR
   * ranges. Without any, loopback, private, link-local, CGNAT and metadata addresses are refused.
   */
  allow: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .superRefine((entry, ctx) => {
          const problem = allowEntryProblem(entry);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
        }),
    )
    .default([]),
  /** Largest image or file fetched for an upstream that cannot fetch URLs itself, bytes. */
  maxMediaBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** Time for one such fetch, redirects included, ms. */
  mediaTimeoutMs: z.number().int().positive().default(15_000),
});

/** Uploaded files (Files API): where their content lives and how large one may be. */
const filesSchema = z.strictObject({
  /**
   * Directory of the content-addressed file store. Absent: `files/` beside the SQLite file (for an
   * in-memory store, a temporary directory removed at shutdown).
   */
  dir: z.string().min(1).optional(),
  /** Largest upload accepted, bytes (OpenAI's limit: 512 MB). */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
});

/** Embeddings for vector-store search; without them search is lexical (BM25) only. */
const embeddingsSchema = z.strictObject({
  /** `provider/model` of a configured provider with an OpenAI-compatible `/v1/embeddings`. */
  model: z.string().regex(/^[^/]+\/.+$/, 'provider/model'),
  /** Sent as `dimensions` when set (models that can shorten their vectors). */
  dimensions: z.number().int().positive().optional(),
  /** Inputs per embeddings call while indexing. */
  batchSize: z.number().int().min(1).max(2048).default(64),
});
const MIB = 1024 * 1024;

/**
 * The web_search tool's search services (see docs/web-search.md). Each is configured by its own
 * env variable or here; `backend` picks one when several are, else the first in this order.
 */
const webSearchSchema = z
  .strictObject({
    backend: z.enum(['searxng', 'brave', 'tavily', 'exa']).optional(),
    /** SearXNG's root URL (RGW_SEARXNG_URL); its `search.formats` must include `json`. */
    searxngUrl: z.url().optional(),
    braveApiKey: z.string().min(1).optional(),
    tavilyApiKey: z.string().min(1).optional(),
    exaApiKey: z.string().min(1).optional(),
    /** Other roots for the keyed services (a proxy, a test double). */
    braveBaseUrl: z.url().optional(),
    tavilyBaseUrl: z.url().optional(),
    exaBaseUrl: z.url().optional(),
    /** One search request; past it the call fails and the model is told so. */
    searchTimeoutMs: z.number().int().positive().default(15_000),
    /** One page fetch (open_page, find_in_page), every redirect included. */
    pageTimeoutMs: z.number().int().positive().default(15_000),
    /** Pages larger than this are not read. */
    maxPageBytes: z
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024),
  })
  .superRefine((config, ctx) => {
    const needs = {
      searxng: 'searxngUrl',
      brave: 'braveApiKey',
      tavily: 'tavilyApiKey',
      exa: 'exaApiKey',
    } as const;
    if (config.backend !== undefined && config[needs[config.backend]] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['backend'],
        message: `'${config.backend}' is chosen but not configured: set ${needs[config.backend]} (or its env variable)`,
      });
    }
  });

/** The image_generation tool's images service: any OpenAI-compatible `/v1/images/generations`. */
const imagesSchema = z.strictObject({
  /** Ends in `/v1` (RGW_IMAGES_BASE_URL). */
  baseUrl: z.url(),
  /** Sent as a bearer token (RGW_IMAGES_API_KEY). */
  apiKey: z.string().min(1).optional(),
  /** Asked for when the tool entry names none (RGW_IMAGES_MODEL). */
  model: z.string().min(1).default('gpt-image-1'),
  /** One image, from request to last byte. */
  timeoutMs: z.number().int().positive().default(180_000),
});

/** code_interpreter, the hosted shell and the Containers API (see tools/code-interpreter/). */
const codeSandboxSchema = z.strictObject({
  /** `bwrap`: code runs in bubblewrap sandboxes; `off`: code tools answer 400 (RGW_CODE_SANDBOX). */
  mode: z.enum(['bwrap', 'off']).default('bwrap'),
  /** The interpreter inside the sandbox (RGW_PYTHON); Debian's has numpy, pandas and matplotlib. */
  python: z.string().min(1).default('/usr/bin/python3'),
  bwrap: z.string().min(1).default('bwrap'),
  /** Where container files are kept. Absent: `containers/` beside the SQLite file. */
  dir: z.string().min(1).optional(),
  /** Wall clock of one call; past it the code is interrupted (kept state), then killed. */
  callTimeoutMs: z.number().int().positive().default(60_000),
  /** Address space of a `1g` container (the default tier); larger tiers get theirs. */
  memoryBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * MIB),
  /** CPU seconds over a kernel's whole life. */
  cpuSeconds: z.number().int().positive().default(3600),
  maxProcesses: z.number().int().min(4).default(64),
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(512 * MIB),
  /** Size of a container's /mnt/data (memory-backed) and /tmp. */
  diskBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * MIB),
  tmpBytes: z
    .number()
    .int()
    .positive()
    .default(256 * MIB),
  /** Idle minutes before a container expires, when it does not say. */
  idleMinutes: z.number().int().positive().default(20),
  /** Unexpired containers per tenant. */
  maxContainersPerTenant: z.number().int().positive().default(100),
  /** Kernels running at once in this process, and per tenant (idle ones are evicted first). */
  maxLive: z.number().int().positive().default(16),
  maxLivePerTenant: z.number().int().positive().default(4),
  /** Kernels kept started, with `preload` imported, for the next new container. */
  warmKernels: z.number().int().min(0).max(8).default(1),
  preload: z.array(z.string()).default(['numpy', 'pandas', 'matplotlib.pyplot']),
});
export type CodeSandboxConfig = z.infer<typeof codeSandboxSchema>;
export type WebSearchConfig = z.infer<typeof webSearchSchema>;

/** USD per million tokens of one model; cached input defaults to the input price. */
const priceSchema = z.strictObject({
  input: z.number().min(0),
  cachedInput: z.number().min(0).optional(),
  output: z.number().min(0),
});

/** Limits of a key or a tenant; absent = unlimited in that dimension. */
const limitSchema = z.strictObject({
  /** Requests per minute. */
  rpm: z.number().int().positive().optional(),
  /** Tokens (input + output) per minute: estimated before a request, counted from its usage after. */
  tpm: z.number().int().positive().optional(),
  maxConcurrent: z.number().int().positive().optional(),
  /** Spend per `budgetPeriod`, USD, priced with `prices`. */
  budgetUsd: z.number().min(0).optional(),
  budgetPeriod: z.enum(['day', 'month']).default('month'),
});

const limitsSchema = z.strictObject({
  /** For keys that set none of their own (static keys included). */
  keys: limitSchema.optional(),
  /** Per tenant: shared by all of a tenant's keys, on top of each key's own. */
  tenants: z.record(z.string(), limitSchema).default({}),
  /**
   * With a store several instances share (PostgreSQL): how often each tells the others what it
   * used and runs, and the circuits it opened, ms. Their limits hold together, give or take what
   * one interval lets through.
   */
  shareMs: z.number().int().min(10).max(60_000).default(1000),
});

/** OpenTelemetry traces; off unless an endpoint is set. */
const telemetrySchema = z.strictObject({
  /** OTLP/HTTP traces URL, used as is (e.g. `http://collector:4318/v1/traces`). Absent: tracing off. */
  otlpEndpoint: z.url().optional(),
  /** `service.name` of the exported spans. */
  serviceName: z.string().min(1).default('responses-gateway'),
  /** Share of new traces exported (0–1); a caller's `traceparent` decides for the traces it continues. */
  sampleRatio: z.number().min(0).max(1).default(1),
  /** Headers of every export request (a collector's auth); OTEL_EXPORTER_OTLP_HEADERS adds to them. */
  headers: z.record(z.string(), z.string()).default({}),
});

export const configSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  db: z.string().default('./data/gateway.db'),
  /** Bring the store's schema up to date at start (`serve --migrate`); else it must be. */
  migrate: z.boolean().default(false),
  /**
   * Gateway processes (`serve --workers N`, node:cluster) sharing the port. Absent: one per core
   * with PostgreSQL, one with SQLite (a SQLite file is one process's; more are refused).
   */
  workers: z.number().int().min(1).max(256).optional(),
  apiKeys: z.array(z.string().min(1)).default([]),
  /** Bearer of the admin API (/admin/…); absent: only managed keys created with `--admin` reach it. */
  adminKey: z.string().min(16, 'at least 16 characters').optional(),
  /** Prices by model name (as clients write it, or without its provider prefix), over the built-in ones. */
  prices: z.record(z.string(), priceSchema).default({}),
  limits: limitsSchema.default({ tenants: {}, shareMs: 1000 }),
  /** On SIGTERM, how long open streams and running responses get to finish, ms. */
  shutdownTimeoutMs: z.number().int().min(0).default(30_000),
  /**
   * Keys sealing reasoning returned as `encrypted_content` (current first, older ones still
   * opened). Empty: a random key is generated once and kept in the store.
   */
  secretKeys: z.array(z.string().min(16, 'at least 16 characters')).default([]),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body accepted, bytes. */
  bodyLimit: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  providers: z.array(providerSchema).default([]),
  aliases: z.record(z.string(), aliasSchema).default({}),
  routing: routingSchema.default({
    retries: 0,
    initialBackoffMs: 500,
    maxBackoffMs: 8_000,
    maxRetryAfterMs: 20_000,
    circuitBreaker: { enabled: true, failureThreshold: 5, cooldownMs: 30_000 },
  }),
  outbound: outboundSchema.default({ allow: [], maxMediaBytes: 20 * 1024 * 1024, mediaTimeoutMs: 15_000 }),
  /** Prompt templates served to `prompt: {id, version, variables}`. */
  prompts: z.record(z.string(), promptTemplateSchema).default({}),
  background: z
    .strictObject({
      /** Background responses run at once, per gateway process. */
      workers: z.number().int().min(1).max(256).default(8),
      cancelPollMs: z.number().int().min(10).default(500),
      /**
       * How long a running response's events may wait in memory before they are written to the
       * event log (every item boundary is written at once). A kill -9 loses at most this much of
       * a stream; 0 writes every event as it happens (still group-committed per tick).
       */
      eventFlushMs: z.number().int().min(0).max(10_000).default(100),
      /**
       * With a shared store (PostgreSQL): how long an instance may go without a heartbeat before
       * another takes over (fails) its running jobs and streams, ms. It beats every fifth of it.
       */
      leaseMs: z.number().int().min(500).default(10_000),
    })
    .default({ workers: 8, cancelPollMs: 500, eventFlushMs: 100, leaseMs: 10_000 }),
  files: filesSchema.default({ maxBytes: 512 * 1024 * 1024 }),
  embeddings: embeddingsSchema.optional(),
  vectorStores: z
    .strictObject({
      /** Files parsed and indexed at once, per gateway process. */
      ingestionConcurrency: z.number().int().min(1).max(32).default(2),
    })
    .default({ ingestionConcurrency: 2 }),
  tools: z
    .strictObject({
      /**
       * `drop`: web_search tools (sent by Codex CLI on every call) are left out of what the model
       * sees, with a warning; `error`: they are refused with a 400 until a backend exists.
       */
      webSearchWhenUnavailable: z.enum(['drop', 'error']).default('drop'),
      /** Wall-clock limit of one built-in tool call (file_search, code_interpreter, …). */
      callTimeoutMs: z.number().int().positive().default(120_000),
    })
    .default({ webSearchWhenUnavailable: 'drop', callTimeoutMs: 120_000 }),
  codeSandbox: codeSandboxSchema.default(codeSandboxSchema.parse({})),
  webSearch: webSearchSchema.default(webSearchSchema.parse({})),
  /** Absent: image_generation tools are refused with a 400. */
  images: imagesSchema.optional(),
  telemetry: telemetrySchema.default(telemetrySchema.parse({})),
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type AliasConfig = z.infer<typeof aliasSchema>;
export type RoutingConfig = z.infer<typeof routingSchema>;
export type OutboundConfig = z.infer<typeof outboundSchema>;
export type EmbeddingsConfig = z.infer<typeof embeddingsSchema>;
export type PromptTemplateConfig = z.infer<typeof promptTemplateSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type PriceConfig = z.infer<typeof priceSchema>;
export type TelemetryConfig = z.infer<typeof telemetrySchema>;
export type LimitConfig = z.infer<typeof limitSchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;

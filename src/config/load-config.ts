/** Merges config file < env < flags into one validated GatewayConfig. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { type ConfigInput, configSchema, type GatewayConfig } from './config-schema.js';
import { interpolateEnv } from './interpolate-env.js';
import { fromLiteLlm, isLiteLlmConfig } from './litellm-config.js';

export { ConfigError };

export interface ConfigFlags {
  config?: string;
  host?: string;
  port?: number;
  db?: string;
  logLevel?: string;
  migrate?: boolean;
  workers?: number;
}

type Env = Record<string, string | undefined>;

/**
 * The tiny model shipped in the package (models/, beside src/ and dist/): served as provider
 * `local` when no provider is configured at all, so a fresh install answers without any upstream.
 */
export const BUNDLED_MODEL_PATH = fileURLToPath(new URL('../../models/stories260K.gguf', import.meta.url));

/**
 * The bundled model ends a story by starting the next one (BOS), but at temperature 1 about one
 * story in ten never does: past 200 tokens (~1 s here) its answer ends at the next sentence end.
 */
export const BUNDLED_MODEL_SOFT_MAX_OUTPUT_TOKENS = 200;

export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): GatewayConfig {
  const file = readConfigFile(
    flags.config ?? env.RGW_CONFIG,
    flags.config !== undefined || env.RGW_CONFIG !== undefined,
    env,
  );
  const merged: Record<string, unknown> = { ...file };
  applyEnv(merged, env);
  // An explicit `providers: []` in the config file means none, not the bundled model.
  if (merged.providers === undefined && existsSync(BUNDLED_MODEL_PATH)) {
    merged.providers = [
      {
        name: 'local',
        type: 'local',
        modelPath: BUNDLED_MODEL_PATH,
        softMaxOutputTokens: BUNDLED_MODEL_SOFT_MAX_OUTPUT_TOKENS,
      },
    ];
  }
  for (const key of ['host', 'port', 'db', 'logLevel', 'migrate', 'workers'] as const) {
    if (flags[key] !== undefined) merged[key] = flags[key];
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function readConfigFile(path: string | undefined, explicit: boolean, env: Env): ConfigInput {
  const target = resolve(path ?? './gateway.config.yaml');
  if (!existsSync(target)) {
    if (explicit) throw new ConfigError(`Config file not found: ${target}`);
    return {};
  }
  let data: unknown;
  try {
    const text = readFileSync(target, 'utf8');
    data = target.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${target}: ${(error as Error).message}`);
  }
  if (data == null) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new ConfigError(`Config file ${target} must hold an object.`);
  // A LiteLLM proxy config names its secrets as os.environ/VAR itself; ours use ${VAR}.
  if (isLiteLlmConfig(data)) return fromLiteLlm(data, env, target);
  return interpolateEnv(data, env) as ConfigInput;
}

function applyEnv(merged: Record<string, unknown>, env: Env): void {
  if (env.RGW_HOST) merged.host = env.RGW_HOST;
  if (env.RGW_PORT) merged.port = parsePort(env.RGW_PORT);
  if (env.RGW_DB) merged.db = env.RGW_DB;
  if (env.RGW_LOG_LEVEL) merged.logLevel = env.RGW_LOG_LEVEL;
  if (env.RGW_ADMIN_KEY) merged.adminKey = env.RGW_ADMIN_KEY;
  if (env.RGW_WORKERS) merged.workers = parseCount(env.RGW_WORKERS, 'RGW_WORKERS');
  if (env.RGW_INSTANCE_LEASE_MS) {
    const background = (merged.background ?? {}) as Record<string, unknown>;
    merged.background = {
      ...background,
      leaseMs: parseCount(env.RGW_INSTANCE_LEASE_MS, 'RGW_INSTANCE_LEASE_MS'),
    };
  }
  if (env.RGW_API_KEYS) {
    merged.apiKeys = env.RGW_API_KEYS.split(',')
      .map((key) => key.trim())
      .filter((key) => key !== '');
  }
  if (env.RGW_OUTBOUND_ALLOW) {
    // Replaces the file's list, as every env setting replaces its key; the file's other
    // outbound settings stay.
    merged.outbound = {
      ...((merged.outbound as Record<string, unknown> | undefined) ?? {}),
      allow: env.RGW_OUTBOUND_ALLOW.split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    };
  }
  if (env.RGW_EMBEDDINGS_MODEL) {
    const file = merged.embeddings as Record<string, unknown> | undefined;
    merged.embeddings = { ...file, model: env.RGW_EMBEDDINGS_MODEL };
  }
  if (env.RGW_CODE_SANDBOX || env.RGW_PYTHON) {
    const sandbox = { ...(merged.codeSandbox as Record<string, unknown> | undefined) };
    if (env.RGW_CODE_SANDBOX) sandbox.mode = env.RGW_CODE_SANDBOX;
    if (env.RGW_PYTHON) sandbox.python = env.RGW_PYTHON;
    merged.codeSandbox = sandbox;
  }
  const webSearch: Record<string, unknown> = {};
  if (env.RGW_SEARXNG_URL) webSearch.searxngUrl = env.RGW_SEARXNG_URL;
  if (env.BRAVE_API_KEY) webSearch.braveApiKey = env.BRAVE_API_KEY;
  if (env.TAVILY_API_KEY) webSearch.tavilyApiKey = env.TAVILY_API_KEY;
  if (env.EXA_API_KEY) webSearch.exaApiKey = env.EXA_API_KEY;
  if (env.RGW_WEB_SEARCH_BACKEND) webSearch.backend = env.RGW_WEB_SEARCH_BACKEND;
  if (Object.keys(webSearch).length > 0)
    merged.webSearch = { ...(merged.webSearch as Record<string, unknown> | undefined), ...webSearch };
  if (env.RGW_IMAGES_BASE_URL || env.RGW_IMAGES_API_KEY || env.RGW_IMAGES_MODEL) {
    const images = { ...(merged.images as Record<string, unknown> | undefined) };
    if (env.RGW_IMAGES_BASE_URL) images.baseUrl = env.RGW_IMAGES_BASE_URL;
    if (env.RGW_IMAGES_API_KEY) images.apiKey = env.RGW_IMAGES_API_KEY;
    if (env.RGW_IMAGES_MODEL) images.model = env.RGW_IMAGES_MODEL;
    merged.images = images;
  }
  applyTelemetryEnv(merged, env);
  if (env.RGW_SECRET_KEYS) merged.secretKeys = env.RGW_SECRET_KEYS.split(',').map((key) => key.trim());
  const providers = [...((merged.providers as Array<Record<string, unknown>> | undefined) ?? [])];
  const upsert = (name: string, values: Record<string, unknown>) => {
    const index = providers.findIndex((p) => p.name === name);
    if (index >= 0) providers[index] = { ...providers[index], ...values };
    else providers.push({ name, ...values });
  };
  if (env.OPENAI_BASE_URL || env.OPENAI_API_KEY) {
    const api = env.OPENAI_API ?? 'chat';
    if (api !== 'chat' && api !== 'responses')
      throw new ConfigError(`OPENAI_API must be 'chat' or 'responses', not '${api}'.`);
    upsert('openai', {
      type: api === 'chat' ? 'openai-chat' : 'openai-responses',
      baseUrl: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    });
  }
  if (env.ANTHROPIC_API_KEY || env.ANTHROPIC_BASE_URL) {
    upsert('anthropic', {
      type: 'anthropic',
      baseUrl: env.ANTHROPIC_BASE_URL ?? 'https://api.anthropic.com',
      ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
    });
  }
  if (env.GEMINI_API_KEY || env.GEMINI_BASE_URL) {
    upsert('gemini', {
      type: 'gemini',
      baseUrl: env.GEMINI_BASE_URL ?? 'https://generativelanguage.googleapis.com',
      ...(env.GEMINI_API_KEY ? { apiKey: env.GEMINI_API_KEY } : {}),
    });
  }
  if (env.RGW_LOCAL_MODEL) upsert('local', { type: 'local', modelPath: env.RGW_LOCAL_MODEL });
  if (providers.length > 0) merged.providers = providers;
}

/**
 * The standard OpenTelemetry variables: a signal-specific endpoint is the traces URL as is, the
 * generic one is a base that `/v1/traces` is appended to (as the OTLP exporter spec has it).
 */
function applyTelemetryEnv(merged: Record<string, unknown>, env: Env): void {
  const telemetry = { ...(merged.telemetry as Record<string, unknown> | undefined) };
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    telemetry.otlpEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  } else if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    telemetry.otlpEndpoint = `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  }
  if (env.OTEL_SERVICE_NAME) telemetry.serviceName = env.OTEL_SERVICE_NAME;
  if (Object.keys(telemetry).length > 0) merged.telemetry = telemetry;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`RGW_PORT must be a port number, not '${value}'.`);
  return port;
}

function parseCount(value: string, name: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1)
    throw new ConfigError(`${name} must be a positive integer, not '${value}'.`);
  return count;
}

/**
 * A LiteLLM proxy `config.yaml`, read as this gateway's config so a team can move over as is:
 * `model_list` entries become providers (one per distinct upstream) and aliases (one per
 * `model_name`, its deployments picked by weight), `router_settings.fallbacks` become fallback
 * targets of those aliases, `num_retries` the routing retries, `general_settings.master_key` the
 * admin key. `os.environ/VAR` values are read from the environment. What has no equivalent here
 * (Azure, Bedrock, Vertex, callbacks, caching …) is an error naming the entry, or left out.
 */
import { ConfigError } from './config-error.js';
import type { ConfigInput } from './config-schema.js';
import { interpolateEnv } from './interpolate-env.js';

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

/** LiteLLM provider prefixes served by an OpenAI-compatible Chat Completions endpoint. */
const CHAT_COMPATIBLE: Record<string, string | undefined> = {
  openai: 'https://api.openai.com/v1',
  text_completion_openai: 'https://api.openai.com/v1',
  hosted_vllm: undefined,
  openai_compatible: undefined,
  custom_openai: undefined,
  lm_studio: 'http://localhost:1234/v1',
  llamafile: 'http://localhost:8080/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  groq: 'https://api.groq.com/openai/v1',
  deepseek: 'https://api.deepseek.com/v1',
  mistral: 'https://api.mistral.ai/v1',
  together_ai: 'https://api.together.xyz/v1',
  fireworks_ai: 'https://api.fireworks.ai/inference/v1',
  perplexity: 'https://api.perplexity.ai',
  xai: 'https://api.x.ai/v1',
  cerebras: 'https://api.cerebras.ai/v1',
  deepinfra: 'https://api.deepinfra.com/v1/openai',
  nvidia_nim: 'https://integrate.api.nvidia.com/v1',
};

export function isLiteLlmConfig(data: object): data is Json {
  return 'model_list' in data;
}

export function fromLiteLlm(raw: Json, env: Env, file: string): ConfigInput {
  const data = interpolateEnv(raw, env) as Json;
  const list = data.model_list;
  if (!Array.isArray(list))
    throw new ConfigError(`Invalid configuration in ${file}: model_list: expected a list.`);
  const providers = new Map<string, Json>();
  const aliases = new Map<string, Array<{ target: string; weight: number }>>();
  list.forEach((entry: unknown, i: number) => {
    const at = `model_list[${i}]`;
    if (!isObject(entry) || typeof entry.model_name !== 'string')
      throw new ConfigError(`Invalid configuration in ${file}: ${at}.model_name: expected a string.`);
    const params = entry.litellm_params;
    if (!isObject(params) || typeof params.model !== 'string')
      throw new ConfigError(
        `Invalid configuration in ${file}: ${at}.litellm_params.model: expected a string.`,
      );
    const { provider, modelId } = upstreamOf(params, env, `${at}.litellm_params`, file);
    const name = providerName(providers, provider);
    providers.set(name, provider);
    const weight = typeof params.weight === 'number' ? params.weight : 1;
    const targets = aliases.get(entry.model_name) ?? [];
    targets.push({ target: `${name}/${modelId}`, weight });
    aliases.set(entry.model_name, targets);
  });
  const router = isObject(data.router_settings) ? data.router_settings : {};
  const settings = isObject(data.litellm_settings) ? data.litellm_settings : {};
  const fallbacks = router.fallbacks ?? settings.fallbacks;
  const withFallbacks = new Map(aliases);
  if (Array.isArray(fallbacks)) {
    for (const rule of fallbacks) {
      if (!isObject(rule)) continue;
      for (const [model, next] of Object.entries(rule)) {
        const own = aliases.get(model);
        if (own === undefined || !Array.isArray(next)) continue;
        // Weight 0: reached only when the model's own deployments failed.
        const extra = next.flatMap((n) =>
          typeof n === 'string' ? (aliases.get(n) ?? []).map((t) => ({ target: t.target, weight: 0 })) : [],
        );
        withFallbacks.set(model, [...(withFallbacks.get(model) ?? own), ...extra]);
      }
    }
  }
  const general = isObject(data.general_settings) ? data.general_settings : {};
  const retries = router.num_retries ?? settings.num_retries;
  return {
    providers: [...providers.entries()].map(([name, provider]) => ({
      name,
      ...provider,
    })) as ConfigInput['providers'],
    aliases: Object.fromEntries(
      [...withFallbacks.entries()].map(([name, targets]) => [
        name,
        { strategy: 'weighted' as const, targets },
      ]),
    ),
    ...(typeof retries === 'number' ? { routing: { retries } } : {}),
    ...(typeof general.master_key === 'string' && general.master_key.length >= 16
      ? { adminKey: general.master_key }
      : {}),
  };
}

/** The provider settings and upstream model id of one deployment. */
function upstreamOf(params: Json, env: Env, at: string, file: string): { provider: Json; modelId: string } {
  const model = params.model as string;
  const slash = model.indexOf('/');
  const prefix = slash > 0 ? model.slice(0, slash) : 'openai';
  const modelId = slash > 0 ? model.slice(slash + 1) : model;
  const apiKey = secret(params.api_key, env, `${at}.api_key`, file);
  const apiBase = secret(params.api_base, env, `${at}.api_base`, file);
  const common = {
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(typeof params.timeout === 'number' ? { timeoutMs: Math.round(params.timeout * 1000) } : {}),
  };
  if (prefix === 'anthropic')
    return {
      provider: { type: 'anthropic', baseUrl: apiBase ?? 'https://api.anthropic.com', ...common },
      modelId,
    };
  if (prefix === 'gemini')
    return {
      provider: {
        type: 'gemini',
        baseUrl: apiBase ?? 'https://generativelanguage.googleapis.com',
        ...common,
      },
      modelId,
    };
  if (prefix === 'ollama' || prefix === 'ollama_chat') {
    const root = (apiBase ?? 'http://localhost:11434').replace(/\/+$/, '');
    return {
      provider: { type: 'openai-chat', baseUrl: root.endsWith('/v1') ? root : `${root}/v1`, ...common },
      modelId,
    };
  }
  if (prefix in CHAT_COMPATIBLE) {
    const baseUrl = apiBase ?? CHAT_COMPATIBLE[prefix];
    if (baseUrl === undefined)
      throw new ConfigError(
        `Invalid configuration in ${file}: ${at}.api_base: required for '${prefix}/' models.`,
      );
    return { provider: { type: 'openai-chat', baseUrl, ...common }, modelId };
  }
  throw new ConfigError(
    `Invalid configuration in ${file}: ${at}.model: LiteLLM provider '${prefix}' has no equivalent in this gateway (supported: openai-compatible ones, anthropic, gemini, ollama).`,
  );
}

/** `os.environ/VAR` read from the environment; a literal as it is. */
function secret(value: unknown, env: Env, at: string, file: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.startsWith('os.environ/')) return value;
  const name = value.slice('os.environ/'.length);
  const set = env[name];
  if (set === undefined)
    throw new ConfigError(
      `Invalid configuration in ${file}: ${at}: environment variable ${name} is not set.`,
    );
  return set;
}

/** One provider per distinct upstream: the prefix as name, numbered when several differ. */
function providerName(existing: Map<string, Json>, provider: Json): string {
  const base = String(provider.type) === 'openai-chat' ? 'openai' : String(provider.type);
  const same = JSON.stringify(provider);
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    const found = existing.get(name);
    if (found === undefined || JSON.stringify(found) === same) return name;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

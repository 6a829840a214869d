/**
 * How large a model's context is and how its tokens are counted: the provider's `models` list in
 * the config file, then the provider's `contextWindow`, then a built-in table of well-known
 * OpenAI, Anthropic and Gemini ids (longest matching prefix, so dated snapshots match), then 128k.
 */
import type { ProviderConfig } from '../config/config-schema.js';
import { baseModelId, type TokenizerName, tokenizerNameFor } from './tokens/tokenizer.js';

export interface ModelLimits {
  contextWindow: number;
  maxOutputTokens: number | undefined;
  tokenizer: TokenizerName;
}

export const DEFAULT_CONTEXT_WINDOW = 128_000;
const MAX_CACHED_LIMITS = 1000;

/** [id prefix, context window, max output tokens]; longest prefix wins. */
const KNOWN_MODELS: ReadonlyArray<readonly [string, number, number]> = [
  ['gpt-3.5-turbo', 16_385, 4_096],
  ['gpt-4', 8_192, 8_192],
  ['gpt-4-32k', 32_768, 8_192],
  ['gpt-4-turbo', 128_000, 4_096],
  ['gpt-4-1106', 128_000, 4_096],
  ['gpt-4-0125', 128_000, 4_096],
  ['gpt-4o', 128_000, 16_384],
  ['chatgpt-4o', 128_000, 16_384],
  ['gpt-4.1', 1_047_576, 32_768],
  ['gpt-4.5', 128_000, 16_384],
  ['gpt-5', 400_000, 128_000],
  ['gpt-5-chat', 128_000, 16_384],
  ['gpt-5.1-chat', 128_000, 16_384],
  ['gpt-5.2-chat', 128_000, 16_384],
  ['gpt-oss', 131_072, 131_072],
  ['o1', 200_000, 100_000],
  ['o1-mini', 128_000, 65_536],
  ['o1-preview', 128_000, 32_768],
  ['o3', 200_000, 100_000],
  ['o4-mini', 200_000, 100_000],
  ['codex-mini', 200_000, 100_000],
  ['claude-', 200_000, 8_192],
  ['claude-3-haiku', 200_000, 4_096],
  ['claude-3-opus', 200_000, 4_096],
  ['claude-3-7-sonnet', 200_000, 64_000],
  ['claude-sonnet-4', 200_000, 64_000],
  ['claude-haiku-4', 200_000, 64_000],
  ['claude-opus-4', 200_000, 32_000],
  ['gemini-1.5-pro', 2_097_152, 8_192],
  ['gemini-1.5-flash', 1_048_576, 8_192],
  ['gemini-2.0-flash', 1_048_576, 8_192],
  ['gemini-2.5', 1_048_576, 65_536],
  ['gemini-3', 1_048_576, 65_536],
];

/** Built-in limits for a model id, when it is a well-known one. */
export function knownModelLimits(
  modelId: string,
): { contextWindow: number; maxOutputTokens: number } | undefined {
  const id = baseModelId(modelId);
  let best: (typeof KNOWN_MODELS)[number] | undefined;
  for (const entry of KNOWN_MODELS) {
    if (id.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best ? { contextWindow: best[1], maxOutputTokens: best[2] } : undefined;
}

export class ModelCatalog {
  private readonly providers = new Map<string, Pick<ProviderConfig, 'contextWindow' | 'models'>>();

  constructor(providers: ReadonlyArray<Pick<ProviderConfig, 'name' | 'contextWindow' | 'models'>> = []) {
    for (const provider of providers) this.providers.set(provider.name, provider);
  }

  /** Per provider, then model id; bounded like the registry's routes, since ids come from clients. */
  private readonly cache = new Map<string | undefined, Map<string, ModelLimits>>();
  private cached = 0;

  /** @param provider the provider's name (LanguageModel.provider), when known. */
  limitsFor(provider: string | undefined, modelId: string): ModelLimits {
    let byModel = this.cache.get(provider);
    const hit = byModel?.get(modelId);
    if (hit) return hit;
    if (this.cached++ >= MAX_CACHED_LIMITS) {
      this.cache.clear();
      this.cached = 1;
      byModel = undefined;
    }
    if (!byModel) {
      byModel = new Map();
      this.cache.set(provider, byModel);
    }
    const limits = Object.freeze(this.lookUp(provider, modelId));
    byModel.set(modelId, limits);
    return limits;
  }

  private lookUp(provider: string | undefined, modelId: string): ModelLimits {
    const config = provider === undefined ? undefined : this.providers.get(provider);
    const listed = config?.models.find((model) => model.id === modelId);
    if (listed) {
      return {
        contextWindow: listed.contextWindow,
        maxOutputTokens: listed.maxOutputTokens ?? knownModelLimits(modelId)?.maxOutputTokens,
        tokenizer: listed.tokenizer ?? tokenizerNameFor(modelId),
      };
    }
    const known = knownModelLimits(modelId);
    return {
      contextWindow: config?.contextWindow ?? known?.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
      maxOutputTokens: known?.maxOutputTokens,
      tokenizer: tokenizerNameFor(modelId),
    };
  }
}

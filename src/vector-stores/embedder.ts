/**
 * Embeddings for vector search, from any provider with an OpenAI-compatible `/v1/embeddings`
 * (`embeddings.model: provider/model` in the config, or RGW_EMBEDDINGS_MODEL), or from a local
 * GGUF model (`local/<path.gguf>`, local-embedder.ts). Vectors are tagged
 * with the model (and dimensions) that made them: after a change of model, old chunks are not
 * compared with new queries.
 */

import type { EmbeddingsConfig, ProviderConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import { UpstreamError } from '../errors.js';
import { HttpClient } from '../providers/shared/http-client.js';
import { LocalEmbedder } from './local-embedder.js';

export interface Embedder {
  /** Names the vector space: `provider/model`, with `@dimensions` when set. */
  readonly model: string;
  readonly batchSize: number;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  close(): Promise<void>;
}

const EMBEDDING_PROVIDER_TYPES = new Set(['openai-chat', 'openai-responses']);

export function createEmbedder(
  config: EmbeddingsConfig | undefined,
  providers: readonly ProviderConfig[],
): Embedder | undefined {
  if (!config) return undefined;
  const slash = config.model.indexOf('/');
  const providerName = config.model.slice(0, slash);
  const model = config.model.slice(slash + 1);
  if (providerName === 'local' && model.endsWith('.gguf')) return new LocalEmbedder(model);
  const provider = providers.find((p) => p.name === providerName);
  if (!provider) {
    throw new ConfigError(`embeddings.model names provider '${providerName}', which is not configured.`);
  }
  if (!EMBEDDING_PROVIDER_TYPES.has(provider.type) || !provider.baseUrl) {
    throw new ConfigError(
      `embeddings.model: provider '${providerName}' (${provider.type}) has no OpenAI-compatible /v1/embeddings endpoint.`,
    );
  }
  return new OpenAiEmbedder(provider, model, config.dimensions, config.batchSize);
}

export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly http: HttpClient;

  constructor(
    private readonly provider: ProviderConfig,
    private readonly upstreamModel: string,
    private readonly dimensions: number | undefined,
    readonly batchSize: number,
  ) {
    this.model = `${provider.name}/${upstreamModel}${dimensions !== undefined ? `@${dimensions}` : ''}`;
    this.url = new URL(`${provider.baseUrl!.replace(/\/+$/, '')}/embeddings`);
    this.headers = {
      'content-type': 'application/json',
      ...provider.headers,
      ...(provider.apiKey ? { authorization: `Bearer ${provider.apiKey}` } : {}),
    };
    this.http = new HttpClient({
      connections: provider.maxConnections,
      headersTimeoutMs: provider.timeoutMs,
      bodyTimeoutMs: provider.timeoutMs,
    });
  }

  async embed(texts: readonly string[], signal: AbortSignal = new AbortController().signal) {
    if (texts.length === 0) return [];
    const response = await this.http.postForText({
      url: this.url,
      headers: this.headers,
      body: JSON.stringify({
        model: this.upstreamModel,
        input: texts,
        encoding_format: 'float',
        ...(this.dimensions !== undefined ? { dimensions: this.dimensions } : {}),
      }),
      signal,
      provider: this.provider.name,
    });
    const parsed = JSON.parse(response.text) as { data?: Array<{ index?: number; embedding?: unknown }> };
    const vectors: Float32Array[] = new Array(texts.length);
    for (const [position, entry] of (parsed.data ?? []).entries()) {
      const index = entry.index ?? position;
      if (!Array.isArray(entry.embedding) || index < 0 || index >= texts.length) continue;
      vectors[index] = Float32Array.from(entry.embedding as number[]);
    }
    for (let i = 0; i < texts.length; i++) {
      if (!vectors[i]) {
        throw new UpstreamError(`${this.provider.name} returned no embedding for input ${i}.`, {
          status: 502,
          retryable: true,
        });
      }
    }
    return vectors;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

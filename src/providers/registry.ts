/** Which LanguageModel serves a requested `model`: provider prefix, then alias, then default. */
import type { GatewayConfig, ProviderConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import { invalidRequest } from '../errors.js';
import { OpenAIChatLanguageModel } from './openai-chat/chat-language-model.js';
import { HttpClient } from './shared/http-client.js';
import type { LanguageModel } from './types.js';

export interface ResolvedModel {
  model: LanguageModel;
  /** The id the upstream knows. */
  modelId: string;
}

export class ProviderRegistry {
  private readonly providers = new Map<string, LanguageModel>();
  private readonly clients: HttpClient[] = [];

  constructor(private readonly config: Pick<GatewayConfig, 'providers' | 'aliases'>) {
    for (const provider of config.providers) this.providers.set(provider.name, this.create(provider));
  }

  get names(): string[] {
    return [...this.providers.keys()];
  }

  resolve(requested: string): ResolvedModel {
    const alias = this.config.aliases[requested];
    if (alias) return this.resolveTarget(alias.targets[0]!, requested);
    return this.resolveTarget(requested, requested);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }

  private resolveTarget(target: string, requested: string): ResolvedModel {
    const slash = target.indexOf('/');
    if (slash > 0) {
      const byPrefix = this.providers.get(target.slice(0, slash));
      if (byPrefix) return { model: byPrefix, modelId: target.slice(slash + 1) };
    }
    const fallback = this.providers.values().next();
    if (fallback.done) {
      throw invalidRequest(
        `The model '${requested}' does not exist: no upstream provider is configured on this gateway.`,
        'model',
        'model_not_found',
      );
    }
    return { model: fallback.value, modelId: target };
  }

  private create(provider: ProviderConfig): LanguageModel {
    const http = new HttpClient({
      connections: provider.maxConnections,
      headersTimeoutMs: provider.timeoutMs,
      bodyTimeoutMs: provider.timeoutMs,
    });
    this.clients.push(http);
    switch (provider.type) {
      case 'openai-chat':
        return new OpenAIChatLanguageModel(
          {
            name: provider.name,
            baseUrl: provider.baseUrl ?? 'https://api.openai.com/v1',
            apiKey: provider.apiKey,
            headers: provider.headers,
            maxTokensField: provider.maxTokensField,
            sendMetadata: provider.sendMetadata,
            systemRole: provider.systemRole,
          },
          http,
        );
      default:
        throw new ConfigError(`Provider '${provider.name}': type '${provider.type}' is not supported yet.`);
    }
  }
}

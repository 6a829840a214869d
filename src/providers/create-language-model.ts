/** Builds the LanguageModel of one configured provider, by its wire format. */
import type { ProviderConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import { AnthropicLanguageModel } from './anthropic/anthropic-language-model.js';
import { GeminiLanguageModel } from './gemini/gemini-language-model.js';
import { LocalLanguageModel } from './local/local-language-model.js';
import { OpenAIChatLanguageModel } from './openai-chat/chat-language-model.js';
import { OpenAIResponsesLanguageModel } from './openai-responses/responses-language-model.js';
import type { HttpClient } from './shared/http-client.js';
import type { LanguageModel } from './types.js';

export function createLanguageModel(provider: ProviderConfig, http: HttpClient): LanguageModel {
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
    case 'openai-responses':
      return new OpenAIResponsesLanguageModel(
        {
          name: provider.name,
          baseUrl: provider.baseUrl ?? 'https://api.openai.com/v1',
          apiKey: provider.apiKey,
          headers: provider.headers,
          sendMetadata: provider.sendMetadata,
        },
        http,
      );
    case 'anthropic':
      return new AnthropicLanguageModel(
        {
          name: provider.name,
          baseUrl: provider.baseUrl ?? 'https://api.anthropic.com',
          apiKey: provider.apiKey,
          headers: provider.headers,
        },
        http,
      );
    case 'gemini':
      return new GeminiLanguageModel(
        {
          name: provider.name,
          baseUrl: provider.baseUrl ?? 'https://generativelanguage.googleapis.com',
          apiKey: provider.apiKey,
          headers: provider.headers,
        },
        http,
      );
    case 'local':
      if (provider.modelPath === undefined)
        throw new ConfigError(`Provider '${provider.name}': type 'local' needs a modelPath (a .gguf file).`);
      // Loads on first use: the server does not wait for the model.
      return new LocalLanguageModel({
        name: provider.name,
        modelPath: provider.modelPath,
        ...(provider.softMaxOutputTokens !== undefined
          ? { softMaxOutputTokens: provider.softMaxOutputTokens }
          : {}),
      });
    default:
      throw new ConfigError(`Provider '${provider.name}': type '${provider.type}' is not supported yet.`);
  }
}

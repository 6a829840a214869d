/** Each provider type's declared capabilities. */
import type { ProviderConfig } from '../config/config-schema.js';
import { anthropicCapabilities } from './anthropic/anthropic-capabilities.js';
import type { ProviderCapabilities } from './capabilities.js';
import { geminiCapabilities } from './gemini/gemini-capabilities.js';
import { localCapabilities } from './local/local-capabilities.js';
import { chatCapabilities } from './openai-chat/chat-capabilities.js';
import { responsesCapabilities } from './openai-responses/responses-capabilities.js';

export const PROVIDER_CAPABILITIES: Readonly<Record<ProviderConfig['type'], ProviderCapabilities>> = {
  'openai-chat': chatCapabilities,
  'openai-responses': responsesCapabilities,
  anthropic: anthropicCapabilities,
  gemini: geminiCapabilities,
  local: localCapabilities,
};

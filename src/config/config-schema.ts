/** The gateway's configuration: one validated object from file, env and flags. */
import { z } from 'zod';

/** What the gateway knows of one upstream model: context size and, optionally, its tokenizer. */
const modelSchema = z.strictObject({
  id: z.string().min(1),
  contextWindow: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive().optional(),
  /** How its tokens are counted; by default o200k_base for OpenAI model ids, else an estimate. */
  tokenizer: z.enum(['o200k_base', 'cl100k_base', 'estimate']).optional(),
});

const providerSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . - only'),
  type: z.enum(['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'local']),
  baseUrl: z.url().optional(),
  apiKey: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Response-header timeout per upstream call, ms. */
  timeoutMs: z.number().int().positive().default(120_000),
  maxConnections: z.number().int().positive().default(256),
  maxTokensField: z.enum(['max_completion_tokens', 'max_tokens']).default('max_completion_tokens'),
  sendMetadata: z.boolean().default(false),
  systemRole: z.enum(['system', 'developer']).default('system'),
  modelPath: z.string().optional(),
  /** Context window of this provider's models not listed in `models` nor known to the gateway. */
  contextWindow: z.number().int().positive().optional(),
  models: z.array(modelSchema).default([]),
});

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

const aliasSchema = z.strictObject({
  /** `provider/model` targets, tried in order. */
  targets: z.array(z.string().min(1)).min(1),
});

export const configSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  db: z.string().default('./data/gateway.db'),
  apiKeys: z.array(z.string().min(1)).default([]),
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
  /** Prompt templates served to `prompt: {id, version, variables}`. */
  prompts: z.record(z.string(), promptTemplateSchema).default({}),
  background: z
    .strictObject({
      /** Background responses run at once, per gateway process. */
      workers: z.number().int().min(1).max(256).default(8),
      cancelPollMs: z.number().int().min(10).default(500),
    })
    .default({ workers: 8, cancelPollMs: 500 }),
  tools: z
    .strictObject({
      /**
       * `drop`: web_search tools (sent by Codex CLI on every call) are left out of what the model
       * sees, with a warning; `error`: they are refused with a 400 until a backend exists.
       */
      webSearchWhenUnavailable: z.enum(['drop', 'error']).default('drop'),
    })
    .default({ webSearchWhenUnavailable: 'drop' }),
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type PromptTemplateConfig = z.infer<typeof promptTemplateSchema>;
export type ConfigInput = z.input<typeof configSchema>;

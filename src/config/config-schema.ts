/** The gateway's configuration: one validated object from file, env and flags. */
import { z } from 'zod';

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
export type ConfigInput = z.input<typeof configSchema>;

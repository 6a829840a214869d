/**
 * Each adapter, built by createLanguageModel and pointed at its mock upstream (the local one at the
 * bundled GGUF), with neutral scenarios turned into that mock's reply. The contract suite drives
 * the LanguageModel directly: no gateway, no HTTP API in between.
 */

import { createServer } from 'node:net';
import type { ProviderConfig } from '../../src/config/config-schema.js';
import { BUNDLED_MODEL_PATH } from '../../src/config/load-config.js';
import { anthropicCapabilities } from '../../src/providers/anthropic/anthropic-capabilities.js';
import type { ProviderCapabilities } from '../../src/providers/capabilities.js';
import { createLanguageModel } from '../../src/providers/create-language-model.js';
import { geminiCapabilities } from '../../src/providers/gemini/gemini-capabilities.js';
import { localCapabilities } from '../../src/providers/local/local-capabilities.js';
import { chatCapabilities } from '../../src/providers/openai-chat/chat-capabilities.js';
import { responsesCapabilities } from '../../src/providers/openai-responses/responses-capabilities.js';
import { HttpClient } from '../../src/providers/shared/http-client.js';
import type { LanguageModel, ModelRequest } from '../../src/providers/types.js';
import { startMockAnthropicUpstream } from '../mocks/anthropic-mock.js';
import { startMockChatUpstream } from '../mocks/chat-completions-mock.js';
import { startMockGeminiUpstream } from '../mocks/gemini-mock.js';
import type { ScriptedFailure } from '../mocks/mock-http.js';
import { startMockResponsesUpstream } from '../mocks/responses-mock.js';
import { modelRequest } from '../providers/model-request.js';
import { weatherTool as publicWeatherTool } from './fixtures.js';

export interface ScriptedCall {
  callId: string;
  name: string;
  args: Record<string, unknown>;
}

/** A reply in provider-neutral terms. */
export type Scenario =
  | {
      kind: 'answer';
      text?: string;
      /** The text's deltas, where the mock takes them (else it splits the text itself). */
      chunks?: string[];
      reasoning?: string;
      refusal?: string;
      calls?: ScriptedCall[];
      /** How the upstream says it stopped; default: stop, or tool calls when there are calls. */
      finish?: 'stop' | 'length' | 'content-filter';
      logprobs?: boolean;
      usage?: { input: number; output: number };
    }
  | { kind: 'http-error'; status: number }
  /** After the first byte: `afterText` streamed, then the failure. */
  | { kind: 'drop' | 'truncate' | 'stream-error' | 'malformed'; afterText: string };

export type Answer = Extract<Scenario, { kind: 'answer' }>;

export interface Rig {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** Replies follow the script exactly (false: a real model answers, only its shape is known). */
  readonly scripted: boolean;
  readonly model: LanguageModel;
  /** The same adapter pointed at a port nobody listens on. */
  readonly unreachable: LanguageModel | undefined;
  /** Scripts the next upstream reply and gives the request for it, or why this adapter cannot. */
  prepare(scenario: Scenario): { request: ModelRequest } | { skip: string };
  /** Drops replies scripted but never asked for. */
  reset(): void;
  close(): Promise<void>;
}

/** The suite's shared tool (fixtures.ts), as a provider receives it. */
export const weatherTool: ModelRequest['tools'][number] = {
  kind: 'function',
  name: publicWeatherTool.name,
  description: publicWeatherTool.description,
  parameters: publicWeatherTool.parameters,
  strict: publicWeatherTool.strict,
};

function request(scenario: Scenario, modelId: string): ModelRequest {
  const answer = scenario.kind === 'answer' ? scenario : undefined;
  return modelRequest({
    modelId,
    ...(answer?.calls ? { tools: [weatherTool] } : {}),
    ...(answer?.logprobs ? { logprobs: 0 } : {}),
  });
}

export function config(type: ProviderConfig['type'], baseUrl: string | undefined): ProviderConfig {
  return {
    name: type,
    type,
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    apiKey: 'sk-contract',
    headers: {},
    timeoutMs: 5000,
    maxQueued: 100,
    queueTimeoutMs: 5000,
    maxTokensField: 'max_completion_tokens',
    sendMetadata: false,
    systemRole: 'system',
    models: [],
  };
}

/** A base URL whose port was just given up: connecting is refused. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export const http = (): HttpClient =>
  new HttpClient({ connections: undefined, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });

/** What every mock scripts alike; `malformed` is the provider's own first event, then a broken one. */
function failure(scenario: Scenario, firstEvent: (text: string) => string): ScriptedFailure | undefined {
  switch (scenario.kind) {
    case 'http-error':
      return { kind: 'http-error', status: scenario.status };
    case 'drop':
      return { kind: 'drop', afterText: scenario.afterText };
    case 'truncate':
      return { kind: 'truncate', afterText: scenario.afterText };
    case 'malformed':
      return { kind: 'garbage', body: `${firstEvent(scenario.afterText)}data: {"choices": [oops\n\n` };
    default:
      return undefined;
  }
}

const finishOf = (answer: Answer) => answer.finish ?? 'stop';

export async function chatRig(): Promise<Rig> {
  const mock = await startMockChatUpstream();
  const dead = await deadUrl();
  return {
    name: 'openai-chat',
    capabilities: chatCapabilities,
    scripted: true,
    model: createLanguageModel(config('openai-chat', mock.baseUrl), http()),
    unreachable: createLanguageModel(config('openai-chat', `${dead}/v1`), http()),
    prepare(scenario) {
      const firstEvent = (text: string) =>
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
      const failed = failure(scenario, firstEvent);
      if (failed) mock.enqueue(failed);
      else if (scenario.kind === 'stream-error')
        mock.enqueue({ kind: 'stream-error', afterText: scenario.afterText, error: { message: 'boom' } });
      else if (scenario.kind === 'answer') {
        const finish = { stop: undefined, length: 'length', 'content-filter': 'content_filter' } as const;
        mock.enqueue({
          kind: 'text',
          text: scenario.text ?? '',
          ...(scenario.chunks ? { chunks: scenario.chunks } : {}),
          ...(scenario.reasoning ? { reasoning: scenario.reasoning } : {}),
          ...(scenario.refusal ? { refusal: scenario.refusal } : {}),
          toolCalls: (scenario.calls ?? []).map((c) => ({
            id: c.callId,
            name: c.name,
            arguments: JSON.stringify(c.args),
          })),
          ...(finish[finishOf(scenario)] ? { finishReason: finish[finishOf(scenario)] } : {}),
          ...(scenario.usage
            ? { usage: { prompt_tokens: scenario.usage.input, completion_tokens: scenario.usage.output } }
            : {}),
        });
      }
      return { request: request(scenario, 'gpt-mock') };
    },
    reset: () => mock.reset(),
    close: () => mock.close(),
  };
}

export async function responsesRig(): Promise<Rig> {
  const mock = await startMockResponsesUpstream();
  const dead = await deadUrl();
  return {
    name: 'openai-responses',
    capabilities: responsesCapabilities,
    scripted: true,
    model: createLanguageModel(config('openai-responses', mock.baseUrl), http()),
    unreachable: createLanguageModel(config('openai-responses', `${dead}/v1`), http()),
    prepare(scenario) {
      const firstEvent = (text: string) => {
        const data = { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: text };
        return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
      };
      const failed = failure(scenario, firstEvent);
      if (failed) mock.enqueue(failed);
      else if (scenario.kind === 'stream-error')
        mock.enqueue({ kind: 'stream-error', afterText: scenario.afterText, error: { message: 'boom' } });
      else if (scenario.kind === 'answer') {
        const finish = finishOf(scenario);
        mock.enqueue({
          kind: 'response',
          // An empty text would still be a message item of its own on this wire.
          ...(scenario.text ? { text: scenario.text } : {}),
          ...(scenario.chunks ? { chunks: scenario.chunks } : {}),
          ...(scenario.refusal ? { refusal: scenario.refusal } : {}),
          ...(scenario.reasoning ? { reasoning: { summary: [scenario.reasoning] } } : {}),
          toolCalls: (scenario.calls ?? []).map((c) => ({
            callId: c.callId,
            name: c.name,
            arguments: JSON.stringify(c.args),
          })),
          ...(finish !== 'stop'
            ? {
                status: 'incomplete',
                incompleteReason: finish === 'length' ? 'max_output_tokens' : 'content_filter',
              }
            : {}),
          ...(scenario.usage
            ? { usage: { input_tokens: scenario.usage.input, output_tokens: scenario.usage.output } }
            : {}),
        });
      }
      return { request: request(scenario, 'gpt-mock') };
    },
    reset: () => mock.reset(),
    close: () => mock.close(),
  };
}

const NO_REFUSAL = (provider: string) =>
  `${provider} has no refusal content: a refusal is a stop reason, checked as content-filter`;

export async function anthropicRig(): Promise<Rig> {
  const mock = await startMockAnthropicUpstream();
  const dead = await deadUrl();
  return {
    name: 'anthropic',
    capabilities: anthropicCapabilities,
    scripted: true,
    model: createLanguageModel(config('anthropic', mock.url), http()),
    unreachable: createLanguageModel(config('anthropic', dead), http()),
    prepare(scenario) {
      const firstEvent = (text: string) =>
        [
          { type: 'message_start', message: { usage: { input_tokens: 1, output_tokens: 1 } } },
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
        ]
          .map((data) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`)
          .join('');
      const failed = failure(scenario, firstEvent);
      if (failed) mock.enqueue(failed);
      else if (scenario.kind === 'stream-error')
        mock.enqueue({
          kind: 'stream-error',
          afterText: scenario.afterText,
          error: { type: 'api_error', message: 'boom' },
        });
      else if (scenario.kind === 'answer') {
        if (scenario.refusal) return { skip: NO_REFUSAL('Anthropic') };
        if (scenario.logprobs)
          return { skip: `anthropic adapter: ${unsupported(anthropicCapabilities.logprobs)}` };
        const stop = { stop: undefined, length: 'max_tokens', 'content-filter': 'refusal' } as const;
        mock.enqueue({
          kind: 'text',
          text: scenario.text ?? '',
          // A fixed signature: the mock's default is fresh per call, so stream and generate would differ.
          ...(scenario.reasoning
            ? { thinking: { thinking: scenario.reasoning, signature: 'sig-contract' } }
            : {}),
          toolCalls: (scenario.calls ?? []).map((c) => ({ id: c.callId, name: c.name, input: c.args })),
          ...(stop[finishOf(scenario)] ? { stopReason: stop[finishOf(scenario)] } : {}),
          ...(scenario.usage
            ? { usage: { input_tokens: scenario.usage.input, output_tokens: scenario.usage.output } }
            : {}),
        });
      }
      return { request: request(scenario, 'claude-mock') };
    },
    reset: () => mock.reset(),
    close: () => mock.close(),
  };
}

export async function geminiRig(): Promise<Rig> {
  const mock = await startMockGeminiUpstream();
  const dead = await deadUrl();
  return {
    name: 'gemini',
    capabilities: geminiCapabilities,
    scripted: true,
    model: createLanguageModel(config('gemini', mock.url), http()),
    unreachable: createLanguageModel(config('gemini', dead), http()),
    prepare(scenario) {
      const firstEvent = (text: string) =>
        `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0 }] })}\r\n\r\n`;
      const failed = failure(scenario, firstEvent);
      if (failed) mock.enqueue(failed);
      else if (scenario.kind === 'stream-error')
        mock.enqueue({
          kind: 'stream-error',
          afterText: scenario.afterText,
          error: { code: 500, message: 'boom', status: 'INTERNAL' },
        });
      else if (scenario.kind === 'answer') {
        if (scenario.refusal) return { skip: NO_REFUSAL('Gemini') };
        if (scenario.logprobs) return { skip: `gemini adapter: ${unsupported(geminiCapabilities.logprobs)}` };
        const finish = { stop: undefined, length: 'MAX_TOKENS', 'content-filter': 'SAFETY' } as const;
        mock.enqueue({
          kind: 'text',
          text: scenario.text ?? '',
          ...(scenario.chunks ? { chunks: scenario.chunks } : {}),
          ...(scenario.reasoning ? { thoughts: scenario.reasoning, thoughtSignature: 'sig-contract' } : {}),
          functionCalls: (scenario.calls ?? []).map((c) => ({ id: c.callId, name: c.name, args: c.args })),
          ...(finish[finishOf(scenario)] ? { finishReason: finish[finishOf(scenario)] } : {}),
          ...(scenario.usage
            ? {
                usage: {
                  promptTokenCount: scenario.usage.input,
                  candidatesTokenCount: scenario.usage.output,
                },
              }
            : {}),
        });
      }
      return { request: request(scenario, 'gemini-mock') };
    },
    reset: () => mock.reset(),
    close: () => mock.close(),
  };
}

function unsupported(capability: ProviderCapabilities[keyof ProviderCapabilities]): string {
  return capability === true ? 'supported' : capability.unsupported;
}

/**
 * The bundled stories260K, unscripted: what it says is only known at temperature 0, so each
 * scenario becomes a request that makes the model produce that shape (a sentence end for stop, a
 * token cap for length, a forced call for a tool call); what it cannot produce is declared.
 */
export function localRig(): Rig {
  const model = createLanguageModel(
    { ...config('local', undefined), modelPath: BUNDLED_MODEL_PATH, softMaxOutputTokens: 8 },
    http(),
  );
  const base = { modelId: 'stories260K', temperature: 0 };
  const prompt = modelRequest({
    ...base,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Once upon a time' }] }],
  });
  return {
    name: 'local',
    capabilities: localCapabilities,
    scripted: false,
    model,
    unreachable: undefined,
    prepare(scenario) {
      if (scenario.kind !== 'answer')
        return { skip: 'an in-process model has no upstream HTTP status or transport to fail' };
      if (scenario.reasoning)
        return {
          skip: 'stories260K has a plain-text chat wrapper without thought segments: it never reasons',
        };
      if (scenario.refusal) return { skip: 'stories260K never refuses' };
      if (scenario.logprobs) return { skip: `local adapter: ${unsupported(localCapabilities.logprobs)}` };
      if (scenario.finish === 'content-filter') return { skip: 'an in-process model has no content filter' };
      if (scenario.text === '' && !scenario.calls)
        return { skip: 'the story model always writes: an empty answer cannot be asked of it' };
      const calls = scenario.calls ?? [];
      if (calls.length > 1)
        return {
          skip: 'a forced call yields exactly one function call, and the story model makes none by itself',
        };
      if (calls.length === 1)
        return {
          request: {
            ...prompt,
            tools: [weatherTool],
            toolChoice: { type: 'tool', name: calls[0]!.name },
            maxOutputTokens: 64,
          },
        };
      return { request: scenario.finish === 'length' ? { ...prompt, maxOutputTokens: 4 } : prompt };
    },
    reset: () => {},
    close: async () => {
      await model.close?.();
    },
  };
}

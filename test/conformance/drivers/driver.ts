/**
 * What the conformance suite needs from each provider: a gateway in front of it, replies scripted
 * in provider-neutral terms (turned into the mock's wire format), and the upstream requests read
 * back in neutral form. The local model has no mock: it is not scripted, and its checks are looser.
 */
import type { ConfigInput } from '../../../src/config/config-schema.js';
import type { ProviderCapabilities } from '../../../src/providers/capabilities.js';
import type { JsonBody } from '../../helpers/json-body.js';
import type { ScriptedFailure } from '../../mocks/mock-http.js';
import type { ProviderGateway } from '../../providers/provider-gateway.js';

export interface ScriptedCall {
  callId: string;
  name: string;
  args: Record<string, unknown>;
  /** A custom tool's call: its raw input is `args.input` (wrapped so where the upstream lacks custom tools). */
  custom?: boolean;
  /**
   * A client tool's call as its own item (apply_patch_call, shell_call, …), which an upstream that
   * knows the tool (a native Responses one) sends instead of the function call `name(args)`.
   */
  item?: { type: string } & Record<string, unknown>;
}

/** An upstream request, as the suite compares it across wire formats. */
export interface SentRequest {
  /** The model id the upstream was asked for. */
  model: string;
  /** Message texts in order, system/developer instructions left out. */
  messages: Array<{ role: 'user' | 'assistant' | 'tool'; text: string }>;
  /** Function calls replayed in assistant turns. */
  toolCalls: Array<{ callId: string | undefined; name: string; args: unknown }>;
  /** Function results sent back; Gemini names results after their call instead of an id. */
  toolResults: Array<{ callId: string | undefined; name: string | undefined; output: string }>;
  images: number;
  files: number;
  /** Opaque reasoning tokens given back (signatures, encrypted content). */
  reasoningReplayed: string[];
  /** The JSON schema the upstream was asked to follow, where it went. */
  schema: Record<string, unknown> | undefined;
}

/** A request read back so far: nothing in it yet but the model and the schema. */
export function sentRequest(model: string, schema: Record<string, unknown> | undefined): SentRequest {
  return {
    model,
    messages: [],
    toolCalls: [],
    toolResults: [],
    images: 0,
    files: 0,
    reasoningReplayed: [],
    schema,
  };
}

/** Model-specific limits beyond the adapter's capabilities (the bundled tiny model). */
export type ModelLimits = Partial<Record<keyof ProviderCapabilities | 'upstreamErrors', string>>;

export interface Scripts {
  text(text: string): void;
  reasoning(reasoning: string, text: string): void;
  toolCalls(calls: ScriptedCall[]): void;
  /** Structured output: the answer as JSON (Anthropic answers through a forced tool of that name). */
  json(name: string, value: Record<string, unknown>): void;
  httpError(status: number, retryAfterSeconds?: number): void;
  /** A failure every mock scripts alike (garbage, a dropped or truncated stream, a hang). */
  raw(failure: ScriptedFailure): void;
  /** Some text, then a failure inside the stream. */
  midStreamError(afterText: string): void;
  /** A streamed answer that takes seconds between events. */
  slow(): void;
}

export interface StartOptions {
  builtInTools?: 'test' | 'gateway';
  /** More env for the gateway (e.g. a web search backend). */
  env?: Record<string, string>;
  /** Config values beyond what env says. */
  config?: Partial<ConfigInput>;
}

export interface ConformanceDriver {
  /** Provider type, as in the config. */
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  readonly limits: ModelLimits;
  /** What clients send as `model`. */
  readonly model: string;
  /** The model id the upstream should see. */
  readonly upstreamModel: string;
  /** Present when a mock upstream answers (replies scripted, requests recorded). */
  readonly script: Scripts | undefined;
  /** Extra request fields every call carries (the local model's temperature 0 and token cap). */
  readonly defaults: Record<string, unknown>;
  /**
   * `file_search` is the test tool unless `builtInTools: 'gateway'` asks for the gateway's own
   * (vector stores in its store).
   */
  start(options?: StartOptions): Promise<ProviderGateway>;
  reset(): void;
  /** The n-th upstream request (0-based) since the last reset. */
  sent(n: number): SentRequest;
  /** Upstream requests since the last reset. */
  readonly requestCount: number;
  /** Resolves once the n-th upstream call (1-based) was aborted by the gateway. */
  waitForAbort(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Wire JSON, read freely. */
export type Json = JsonBody;

export function textOf(value: Json): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('');
  if (value && typeof value === 'object') {
    if (typeof value.text === 'string') return value.text;
    if (typeof value.output === 'string') return value.output;
    if (value.content !== undefined) return textOf(value.content);
  }
  return '';
}
